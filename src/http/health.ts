import express, { type Router } from 'express';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock/clock.js';
import type { Database } from '../db/schema.js';

/** How long /readyz reuses its last look at the identity provider. */
const IDP_CHECK_CACHE_MS = 10_000;

/**
 * For load balancers, before any session handling:
 *   GET /healthz  the process is up
 *   GET /readyz   the database answers and the identity provider's discovery document is reachable
 * The provider check is reused for about ten seconds (and shared by requests that arrive while it
 * runs), so nobody can make the app call the provider at will by asking /readyz.
 */
export function healthRoutes(deps: { db: Kysely<Database>; issuerBaseUrl: string; clock: Clock; timeoutMs?: number; cacheMs?: number }): Router {
  const router = express.Router();
  const base = deps.issuerBaseUrl.endsWith('/') ? deps.issuerBaseUrl : `${deps.issuerBaseUrl}/`;
  const discovery = new URL('.well-known/openid-configuration', base);
  const cacheMs = deps.cacheMs ?? IDP_CHECK_CACHE_MS;
  let last: { at: number; result: Promise<'ok' | 'unavailable'> } | undefined;

  const identityProvider = () => {
    const now = deps.clock.now().getTime();
    if (!last || now - last.at >= cacheMs || now < last.at) {
      last = {
        at: now,
        result: fetch(discovery, { signal: AbortSignal.timeout(deps.timeoutMs ?? 2000) }).then(
          (r) => (r.ok ? 'ok' : 'unavailable'),
          () => 'unavailable',
        ),
      };
    }
    return last.result;
  };

  router.get('/healthz', function healthz(_req, res) {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async function readyz(_req, res) {
    const [database, idp] = await Promise.all([
      sql`select 1 as ok`.execute(deps.db).then(
        () => 'ok',
        () => 'unavailable',
      ),
      identityProvider(),
    ]);
    const ready = database === 'ok' && idp === 'ok';
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ready ? 'ok' : 'unavailable', database, identityProvider: idp });
  });

  return router;
}
