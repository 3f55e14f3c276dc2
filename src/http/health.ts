import express, { type Router } from 'express';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * For load balancers, before any session handling:
 *   GET /healthz  the process is up
 *   GET /readyz   the database answers and the identity provider's discovery document is reachable
 */
export function healthRoutes(deps: { db: Kysely<Database>; issuerBaseUrl: string; timeoutMs?: number }): Router {
  const router = express.Router();
  const base = deps.issuerBaseUrl.endsWith('/') ? deps.issuerBaseUrl : `${deps.issuerBaseUrl}/`;
  const discovery = new URL('.well-known/openid-configuration', base);

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [database, identityProvider] = await Promise.all([
      sql`select 1 as ok`.execute(deps.db).then(
        () => 'ok',
        () => 'unavailable',
      ),
      fetch(discovery, { signal: AbortSignal.timeout(deps.timeoutMs ?? 2000) }).then(
        (r) => (r.ok ? 'ok' : 'unavailable'),
        () => 'unavailable',
      ),
    ]);
    const ready = database === 'ok' && identityProvider === 'ok';
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ready ? 'ok' : 'unavailable', database, identityProvider });
  });

  return router;
}
