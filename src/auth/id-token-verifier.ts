import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { HttpError } from '../http/errors.js';

export interface IdTokenVerifierOptions {
  issuer: string;
  clientId: string;
  /** Minimum time between JWKS downloads when a token names an unknown key. */
  jwksCooldownMs?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * Verifies the ID token's signature against the issuer's published keys (RS256 only), plus
 * iss, aud, azp, exp and iat. express-openid-connect (openid-client 6) checks the claims but
 * trusts TLS for the signature of tokens from the token endpoint; this closes that gap.
 * An unknown `kid` makes jose download the key set again (key rotation).
 */
export function createIdTokenVerifier(o: IdTokenVerifierOptions) {
  const doFetch = o.fetchImpl ?? fetch;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function keySet() {
    if (jwks) return jwks;
    const base = o.issuer.endsWith('/') ? o.issuer : `${o.issuer}/`;
    const res = await doFetch(new URL('.well-known/openid-configuration', base), { signal: AbortSignal.timeout(o.timeoutMs ?? 5000) });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    const meta = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (meta.issuer !== o.issuer || typeof meta.jwks_uri !== 'string') throw new Error('discovery document does not match the issuer');
    jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
      cooldownDuration: o.jwksCooldownMs ?? 5000,
      timeoutDuration: o.timeoutMs ?? 5000,
    });
    return jwks;
  }

  const verifyIdToken = async function verifyIdToken(idToken: string | undefined): Promise<JWTPayload> {
    if (!idToken) throw rejected('no ID token');
    try {
      const { payload } = await jwtVerify(idToken, await keySet(), {
        issuer: o.issuer,
        audience: o.clientId,
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: 60,
      });
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      // OIDC Core 3.1.3.7: with several audiences azp must be present; when present it must be us.
      if ((aud.length > 1 && payload.azp === undefined) || (payload.azp !== undefined && payload.azp !== o.clientId)) {
        throw rejected('azp does not name this client');
      }
      if (typeof payload.sub !== 'string' || payload.sub === '') throw rejected('no sub');
      return payload;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw rejected(err instanceof errors.JOSEError ? err.code : 'verification failed', err);
    }
  };
  return Object.assign(verifyIdToken, { keySet });
}

function rejected(reason: string, cause?: unknown): HttpError {
  return new HttpError(400, 'The sign-in response could not be verified. Please try again.', { cause: cause ?? new Error(reason) });
}

export type IdTokenVerifier = ReturnType<typeof createIdTokenVerifier>;
