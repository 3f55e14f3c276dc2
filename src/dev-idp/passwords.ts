import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

const N = 16384;
const KEY_LENGTH = 32;

/**
 * scrypt with a random salt, computed on the thread pool (the provider shares the app's event loop in
 * development); the parameters travel with the hash so they can change later.
 */
export async function hashPasswordOffLoop(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { N });
  return `scrypt$${N}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
// Made on the thread pool from start-up on, so it does not hold up the event loop there.
const DUMMY = hashPasswordOffLoop(crypto.randomBytes(16).toString('hex'));

/**
 * Checked on the thread pool, not the event loop: the provider runs in the app's process, and a
 * synchronous check (about 50 ms) would stall every other request meanwhile.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, n, salt, hash] = (stored ?? (await DUMMY)).split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n) });
  return crypto.timingSafeEqual(expected, actual) && stored !== null;
}
