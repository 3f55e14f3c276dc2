import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
export function loadOrCreateKeys(dir: string): DevIdpKeys {
  const file = path.join(dir, 'keys.json');
  if (fs.existsSync(file)) {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DevIdpKeys;
  }
  fs.mkdirSync(dir, { recursive: true });
  const keys: DevIdpKeys = { signingKeys: [newSigningKey()], cookieKeys: [crypto.randomBytes(32).toString('base64url')] };
  fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export function newSigningKey(): crypto.JsonWebKey {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}
