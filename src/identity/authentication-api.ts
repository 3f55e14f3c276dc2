import { callIdp, describeError, failureOf, IdentityApiError } from './idp-http.js';
import { IDP_TIMEOUT_MS } from './management-api.js';

/**
 * Auth0's Authentication API call for a password-reset email: POST /dbconnections/change_password
 * with the app's client_id, the address and the database connection. It needs no M2M token.
 */
export function createPasswordResets(o: { baseUrl: string; clientId: string; connection: string; timeoutMs?: number }) {
  const url = `${o.baseUrl.replace(/\/+$/, '')}/dbconnections/change_password`;
  return {
    connection: o.connection,
    async send(email: string): Promise<void> {
      const r = await callIdp(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: o.clientId, email, connection: o.connection }),
        },
        o.timeoutMs ?? IDP_TIMEOUT_MS,
      );
      if (r.status !== 200) {
        // Our client id or connection refused: a setup problem, not the person's.
        const failure = r.status === 400 || r.status === 401 || r.status === 403 ? 'misconfigured' : failureOf(r.status);
        throw new IdentityApiError(failure, `change_password: ${describeError(r)}`);
      }
    },
  };
}

export type PasswordResets = ReturnType<typeof createPasswordResets>;
