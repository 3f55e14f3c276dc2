import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config, ResolvedConfig } from './config.js';

export const DEV_CLIENT_ID = 'personal-finance-coach-dev';
/** The embedded provider's machine-to-machine application for its Management API. */
export const DEV_M2M_CLIENT_ID = 'personal-finance-coach-dev-m2m';

/**
 * Fills in the secrets development may leave unset. The app secret is generated once and kept
 * in the data directory (owner-only), so sessions survive restarts. loadConfig has already
 * refused a missing secret in production, so this never invents one there.
 */
export function resolveSecrets(config: Config): ResolvedConfig {
  const appSecret = config.appSecret ?? readOrCreateSecret(path.join(config.dataDir, 'app-secret.key'));
  // The embedded provider registers the app with a client secret derived from the app secret:
  // stable across restarts, different for every checkout, never written anywhere.
  const embedded = config.idp.kind === 'embedded';
  const clientId = config.clientId ?? (embedded ? DEV_CLIENT_ID : undefined);
  const clientSecret =
    config.clientSecret ?? (embedded ? crypto.createHmac('sha256', appSecret).update('dev-idp-client').digest('base64url') : undefined);
  if (!clientId || !clientSecret) {
    throw new Error('AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are required with an external identity provider');
  }
  // With the embedded provider the Management API features work out of the box.
  const management =
    config.management ?? (embedded ? { clientId: DEV_M2M_CLIENT_ID, clientSecret: crypto.createHmac('sha256', appSecret).update('dev-idp-m2m').digest('base64url') } : undefined);
  return { ...config, appSecret, clientId, clientSecret, management };
}

function readOrCreateSecret(file: string): string {
  if (fs.existsSync(file)) {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
