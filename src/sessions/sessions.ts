import type { Response } from 'express';
import { cookieNames, sessionSettings } from '../auth/oidc.js';
import type { ResolvedConfig } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { systemClock } from '../clock/clock.js';
import { sessionAccess, sessionClearer } from './access.js';
import { GuardedSessionStore } from './guarded-store.js';
import { createSessionLayer } from './session-layer.js';
import { SignedIdSessionStore } from './signed-id-store.js';
import { createSessionIdSigner } from './signed-ids.js';
import type { UserSessionStore } from './types.js';

/**
 * The server-side sessions, wired once. Who owns what:
 * - `raw` (the database's or Redis's store) keeps rows under their bare ids;
 * - `SignedIdSessionStore` takes the cookie's signed id, checks its signature and hands `raw`
 *   the bare one, so a forged or tampered cookie never reaches the store;
 * - `GuardedSessionStore` turns a store that fails or hangs into a 503 (never "no session",
 *   which would silently sign the person out) and skips rewriting an unchanged session;
 * - the session layer reads and writes `req[cookieName]` through that store, sets the cookie and
 *   applies the idle, absolute and provider expiry rules.
 * Everything else reaches the session through `access(req)` or the guarded `store`.
 */
export function createSessions(deps: { config: ResolvedConfig; raw: UserSessionStore; logger: Logger; response: Response; readTimeoutMs?: number }) {
  const { config } = deps;
  const names = cookieNames(config.secureCookies);
  const ids = createSessionIdSigner(config.appSecret, names.session);
  const store = new GuardedSessionStore(new SignedIdSessionStore(deps.raw, ids), {
    cookieName: names.session,
    readTimeoutMs: deps.readTimeoutMs ?? 2000,
    onWriteError: (err) => deps.logger.error({ err }, 'session store write failed while finishing a response'),
  });
  const layer = createSessionLayer({
    ...sessionSettings(config),
    store,
    newId: () => ids.generate(),
    // Session timestamps follow real time, like the provider's tokens.
    nowSeconds: () => Math.floor(systemClock.now().getTime() / 1000),
    response: deps.response,
  });
  return { names, store, layer, access: sessionAccess(names.session), clear: sessionClearer(names.session) };
}
