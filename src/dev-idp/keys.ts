import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface DevIdpKeys {
  /** Private signing keys (JWK) for ID tokens, newest first. */
  signingKeys: crypto.JsonWebKey[];
  /** Keys for the provider's own signed cookies. */
  cookieKeys: string[];
}

/**
 * Loads the provider's keys from the data directory, creating them on the first run, so tokens
 * and provider cookies stay valid across restarts. The file is readable by the owner only.
 */
export async function loadOrCreateKeys(dir: string): Promise<DevIdpKeys> {
  const file = path.join(dir, 'keys.json');
  if (fs.existsSync(file)) {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DevIdpKeys;
  }
  fs.mkdirSync(dir, { recursive: true });
  const keys: DevIdpKeys = { signingKeys: [await newSigningKey()], cookieKeys: [crypto.randomBytes(32).toString('base64url')] };
  fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** An RSA key made on the thread pool (a few hundred milliseconds of work), so start-up does other work meanwhile. */
export async function newSigningKey(): Promise<crypto.JsonWebKey> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}
