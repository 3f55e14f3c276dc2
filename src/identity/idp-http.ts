import { HttpError } from '../http/errors.js';

/** How a call to the identity provider's APIs went wrong, each with what the person is told. */
export type IdentityFailure = 'timeout' | 'unreachable' | 'misconfigured' | 'not_found' | 'conflict' | 'invalid' | 'rate_limited' | 'provider_error';

const MESSAGES: Record<IdentityFailure, { status: number; message: string }> = {
  timeout: { status: 504, message: 'The sign-in service did not answer in time. Nothing was changed; please try again in a minute.' },
  unreachable: { status: 502, message: 'The sign-in service could not be reached. Nothing was changed; please try again in a minute.' },
  misconfigured: {
    status: 503,
    message: 'This app is not allowed to make that change at the sign-in service (its access is not set up fully). Nothing was changed.',
  },
  not_found: { status: 404, message: 'The sign-in service does not know this account any more.' },
  conflict: { status: 409, message: 'That email address belongs to another account.' },
  invalid: { status: 400, message: 'The sign-in service did not accept that. Check what you entered and try again.' },
  rate_limited: { status: 429, message: 'The sign-in service is busy. Nothing was changed; please try again in a minute.' },
  provider_error: { status: 502, message: 'The sign-in service had a problem. Nothing was changed; please try again in a minute.' },
};

/**
 * A failed identity-provider call. Its public message is safe to show; `detail` (the provider's
 * own message, never a token) goes to the log only.
 */
export class IdentityApiError extends HttpError {
  constructor(
    readonly failure: IdentityFailure,
    readonly detail: string,
    options?: { cause?: unknown; message?: string },
  ) {
    super(MESSAGES[failure].status, options?.message ?? MESSAGES[failure].message, options);
    this.name = 'IdentityApiError';
  }
}

/** Maps a provider's error status to a failure kind (Auth0's Management and Authentication APIs). */
export function failureOf(status: number): IdentityFailure {
  if (status === 401 || status === 403) return 'misconfigured';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'invalid';
  return 'provider_error';
}

/** The deadline's abort, as fetch and the body reader report it. */
const timedOut = (err: unknown) => ['TimeoutError', 'AbortError'].includes((err as Error)?.name);

export interface IdpResponse {
  status: number;
  body: unknown;
}

/**
 * One HTTP call with a deadline. Network failures and timeouts become IdentityApiErrors;
 * any HTTP answer is returned for the caller to judge. The request's headers (which may carry a
 * bearer token) never appear in an error.
 */
export async function callIdp(url: string, init: RequestInit, timeoutMs: number): Promise<IdpResponse> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    if (timedOut(err)) throw new IdentityApiError('timeout', `${init.method ?? 'GET'} ${new URL(url).pathname} timed out after ${timeoutMs} ms`);
    throw new IdentityApiError('unreachable', `${init.method ?? 'GET'} ${new URL(url).pathname}: ${(err as Error)?.message ?? String(err)}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new IdentityApiError(timedOut(err) ? 'timeout' : 'unreachable', `reading the answer of ${new URL(url).pathname} failed`);
  }
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body };
}

/** The provider's own words about an error, shortened, for the log. */
export function describeError(r: IdpResponse): string {
  const b = r.body as Record<string, unknown> | string | null;
  const words = typeof b === 'string' ? b : b && typeof b === 'object' ? String(b.message ?? b.error_description ?? b.error ?? '') : '';
  return `${r.status} ${words}`.slice(0, 300);
}
