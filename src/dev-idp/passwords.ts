import crypto from 'node:crypto';

const N = 16384;
const KEY_LENGTH = 32;

/** scrypt with a random salt; the parameters travel with the hash so they can change later. */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, KEY_LENGTH, { N });
  return `scrypt$${N}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
const DUMMY = hashPassword(crypto.randomBytes(16).toString('hex'));

export function verifyPassword(password: string, stored: string | null): boolean {
  const [scheme, n, salt, hash] = (stored ?? DUMMY).split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = crypto.scryptSync(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n) });
  return crypto.timingSafeEqual(expected, actual) && stored !== null;
}
