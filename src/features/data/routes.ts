import express, { type RequestHandler, type Router } from 'express';
import type { Guards } from '../../auth/guards.js';
import { HttpError } from '../../http/errors.js';
import type { AuditService } from '../audit/service.js';
import { everythingJson, transactionsCsv } from './export.js';
import type { DataRepository } from './repository.js';

/**
 * /data: export everything (CSV or JSON) and "delete all my data". Both are sensitive: the page
 * and the actions need a fresh MFA (the page starts the step-up), a CSRF-checked POST, and they
 * are audited.
 */
export function dataRoutes(deps: { member: RequestHandler[]; guards: Guards; data: DataRepository; audit: AuditService }): Router {
  const router = express.Router();
  router.use(...deps.member, deps.guards.requiresMfa());

  router.get('/', (req, res) => {
    res.render('layout', { page: 'data/index', title: 'Your data', deleted: req.query.deleted === '1', error: null });
  });

  router.post('/export', async (req, res) => {
    const format = (req.body as Record<string, unknown>)?.format;
    if (format !== 'csv' && format !== 'json') throw new HttpError(400, 'Choose CSV or JSON.');
    const m = req.member!;
    const sub = m.sub;
    const data = await deps.data.everything(sub);
    await deps.audit.record(req, 'data.exported', { detail: { format, transactions: data.transactions.length } });
    const stamp = m.today;
    res.set('Content-Disposition', `attachment; filename="personal-finance-coach-${stamp}.${format}"`);
    if (format === 'csv') return res.type('text/csv; charset=utf-8').send(transactionsCsv(data));
    res.json(
      everythingJson(
        data,
        { sub, email: req.user!.email, name: req.user!.name, currency: m.currency, displayName: m.displayName },
        m.now,
      ),
    );
  });

  router.post('/delete', async (req, res) => {
    if ((req.body as Record<string, unknown>)?.confirm !== 'DELETE') {
      return res.status(400).render('layout', { page: 'data/index', title: 'Your data', deleted: false, error: 'Type DELETE in capitals to confirm.' });
    }
    const rows = await deps.data.deleteEverything(req.member!.sub);
    await deps.audit.record(req, 'data.deleted', { detail: { rows } });
    res.redirect(303, '/data?deleted=1');
  });

  return router;
}
