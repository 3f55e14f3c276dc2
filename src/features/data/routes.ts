import express, { type RequestHandler, type Router } from 'express';
import { plural } from '../../lib/text.js';
import type { Guards } from '../../auth/guards.js';
import { HttpError } from '../../http/errors.js';
import type { AuditService } from '../../audit/service.js';
import type { CategoriesRepository } from '../categories/repository.js';
import { decodeUpload } from '../import/decode.js';
import { everythingJson, exportJsonText, transactionsCsv } from './export.js';
import type { DataRepository } from './repository.js';
import { planRestore, readExport, RestoreError } from './restore.js';

/**
 * /data: export everything (CSV or JSON) and "delete all my data". Both are sensitive: the page
 * and the actions need a fresh MFA (the page starts the step-up), a CSRF-checked POST, and they
 * are audited.
 */
export function dataRoutes(deps: { member: RequestHandler[]; guards: Guards; data: DataRepository; categories: CategoriesRepository; audit: AuditService }): Router {
  const router = express.Router();
  router.use(...deps.member, deps.guards.requiresMfa());

  const render = (res: express.Response, status: number, over: Record<string, unknown> = {}) =>
    res.status(status).render('layout', { page: 'data/index', title: 'Your data', error: null, restoreProblems: [], ...over });

  router.get('/', function dataGetIndex(req, res) {
    render(res, 200);
  });

  // A JSON export read back into an empty ledger: checked whole first, then written all at once.
  router.post('/restore', async function dataPostRestore(req, res) {
    if (!req.file || req.file.size === 0) return render(res, 400, { restoreProblems: ['Choose the JSON file to restore.'] });
    const decoded = decodeUpload(req.file.buffer, 'utf-8');
    try {
      if (!decoded.ok) throw new RestoreError([decoded.error]);
      const plan = await planRestore(await readExport(decoded.text), await deps.categories.list(req.member!.sub));
      await deps.data.restore(req.member!.sub, plan, req.member!.now);
      await deps.audit.record(req, 'data.restored', { detail: plan.counts });
      req.flash(`Restored ${plural(plan.counts.accounts, 'account')} and ${plural(plan.counts.transactions, 'transaction')}${plan.counts.categories ? `; ${plural(plan.counts.categories, 'new category', 'new categories')}` : ''}.`);
      res.redirect(303, '/data');
    } catch (err) {
      if (err instanceof RestoreError) return render(res, 400, { restoreProblems: err.problems });
      if (err instanceof HttpError && err.status === 409) return render(res, 409, { restoreProblems: [err.message] });
      throw err;
    }
  });

  router.post('/export', async function dataPostExport(req, res) {
    const format = (req.body as Record<string, unknown>)?.format;
    if (format !== 'csv' && format !== 'json') throw new HttpError(400, 'Choose CSV or JSON.');
    const m = req.member!;
    const sub = m.sub;
    const data = await deps.data.everything(sub);
    await deps.audit.record(req, 'data.exported', { detail: { format, transactions: data.transactions.length } });
    const stamp = m.today;
    res.set('Content-Disposition', `attachment; filename="personal-finance-coach-${stamp}.${format}"`);
    if (format === 'csv') return res.type('text/csv; charset=utf-8').send(await transactionsCsv(data));
    const value = everythingJson(data, { sub, email: req.user!.email, name: req.user!.name, currency: m.currency, displayName: m.displayName }, m.now);
    res.type('application/json; charset=utf-8').send(await exportJsonText(value));
  });

  router.post('/delete', async function dataPostDelete(req, res) {
    if ((req.body as Record<string, unknown>)?.confirm !== 'DELETE') {
      return render(res, 400, { error: 'Type DELETE in capitals to confirm.' });
    }
    const rows = await deps.data.deleteEverything(req.member!.sub);
    await deps.audit.record(req, 'data.deleted', { detail: { rows } });
    req.flash('All your finance data has been deleted.');
    res.redirect(303, '/data');
  });

  return router;
}
