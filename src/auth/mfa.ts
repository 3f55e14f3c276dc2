/** The policy Auth0 (and the embedded provider) understand as "do multi-factor authentication". */
export const MFA_POLICY = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

export interface MfaStatus {
  /** The ID token says MFA was done (Auth0's shape: `amr` contains "mfa"). */
  done: boolean;
  /** ...and the authentication is recent enough. */
  fresh: boolean;
}

/**
 * What the verified ID token says about MFA. Requesting MFA proves nothing; only `amr` and
 * `auth_time` in the token count.
 */
export function mfaStatus(claims: Record<string, unknown> | undefined, nowSeconds: number, maxAgeSeconds: number): MfaStatus {
  const amr = claims?.amr;
  const done = Array.isArray(amr) && amr.includes('mfa');
  const authTime = claims?.auth_time;
  const fresh =
    done && typeof authTime === 'number' && authTime <= nowSeconds + 60 && nowSeconds - authTime <= maxAgeSeconds;
  return { done, fresh };
}
