import express, { type RequestHandler, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { Finance } from '../finance.js';
import { formatMoney } from '../money/money.js';
import { parseImportOptions, type ImportService } from './service.js';

const PREVIEW_ROWS = 100;

/**
 * /import: upload a CSV or OFX file, see a preview (rows, per-line errors, duplicates), then
 * confirm. Only the confirmation writes, all rows at once or none.
 */
export function importRoutes(deps: { member: RequestHandler[]; finance: Finance; imports: ImportService; audit: AuditService }): Router {
  const router = express.Router();
  router.use(...deps.member);

  router.get('/', async (req, res) => {
    const accounts = await deps.finance.accounts.list(req.user!.sub, { includeArchived: false });
    const done = typeof req.query.imported === 'string' ? { imported: Number(req.query.imported) || 0, skipped: Number(req.query.skipped) || 0 } : null;
    res.render('layout', { page: 'import/index', title: 'Import', accounts, errors: [], done });
  });

  router.post('/preview', async (req, res) => {
    const sub = req.user!.sub;
    const options = parseImportOptions((req.body ?? {}) as Record<string, unknown>);
    const accounts = await deps.finance.accounts.list(sub, { includeArchived: false });
    const errors = options.ok ? [] : options.errors;
    if (!req.file || req.file.size === 0) errors.push('Choose a file to import.');
    if (!options.ok || errors.length) return res.status(400).render('layout', { page: 'import/index', title: 'Import', accounts, errors, done: null });
    const text = req.file!.buffer.toString('utf8');
    if (text.includes('\u0000')) throw new HttpError(400, 'That file is not a text file. Export CSV or OFX from your bank and try again.');
    const preview = await deps.imports.preview(sub, { ...options.value, fileName: req.file!.originalname, text }, new Date());
    const names = new Map(preview.categories.map((c) => [c.id, c.name]));
    res.status(preview.payload.errors.length ? 400 : 200).render('layout', {
      page: 'import/preview',
      title: 'Check the import',
      id: preview.id,
      account: preview.account,
      p: preview.payload,
      sample: preview.payload.rows.slice(0, PREVIEW_ROWS).map((r) => ({ ...r, amount: formatMoney(r.amountMinor, preview.account.currency), category: r.categoryId ? names.get(r.categoryId) : null })),
    });
  });

  router.post('/:id/confirm', async (req, res) => {
    const result = await deps.imports.confirm(req.user!.sub, String(req.params.id), new Date());
    await deps.audit.record(req, 'import.confirmed', { detail: result });
    res.redirect(303, `/import?imported=${result.imported}&skipped=${result.skipped}`);
  });

  return router;
}
