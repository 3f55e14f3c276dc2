import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { AuditService } from '../audit/service.js';
import type { Finance } from '../finance.js';
import { formatMoney } from '../money/money.js';
import { parseCategoryChoices, parseImportOptions } from './options.js';
import { ChoicesError, type ImportService, type Preview } from './service.js';
import { parseTransferChoices } from './transfers.js';

/**
 * /import: upload a CSV or OFX file, see a preview (rows, per-line errors, duplicates, category
 * names that are new), then confirm. Only the confirmation writes, all rows at once or none.
 */
export function importRoutes(deps: { member: RequestHandler[]; finance: Finance; imports: ImportService; audit: AuditService }): Router {
  const router = express.Router();
  router.use(...deps.member);

  function renderPreview(res: Response, preview: Preview, problems: string[] = []) {
    const names = new Map(preview.categories.map((c) => [c.id, c.name]));
    const status = preview.errorCount > 0 || problems.length > 0 ? 400 : 200;
    res.status(status).render('layout', {
      page: 'import/preview',
      title: 'Check the import',
      p: preview,
      problems,
      groups: ['need', 'want', 'saving', 'income'],
      sample: preview.sample.map((r) => ({
        ...r,
        amount: formatMoney(r.amountMinor, preview.account.currency),
        category: r.newCategory !== undefined ? `${preview.meta.newCategories[r.newCategory]?.name ?? ''} (new)` : r.categoryId ? names.get(r.categoryId) : null,
      })),
    });
  }

  router.get('/', async (req, res) => {
    const accounts = await deps.finance.accounts.list(req.member!.sub, { includeArchived: false });
    const count = (name: string) => Number(req.query[name]) || 0;
    const done = typeof req.query.imported === 'string' ? { imported: count('imported'), skipped: count('skipped'), created: count('created'), transfers: count('transfers'), matched: count('matched') } : null;
    res.render('layout', { page: 'import/index', title: 'Import', accounts, errors: [], done });
  });

  router.post('/preview', async (req: Request, res) => {
    const m = req.member!;
    const options = parseImportOptions((req.body ?? {}) as Record<string, unknown>);
    const accounts = await deps.finance.accounts.list(m.sub, { includeArchived: false });
    const errors = options.ok ? [] : options.errors;
    if (!req.file || req.file.size === 0) errors.push('Choose a file to import.');
    if (!options.ok || errors.length) return res.status(400).render('layout', { page: 'import/index', title: 'Import', accounts, errors, done: null });
    const preview = await deps.imports.preview(m.sub, { ...options.value, fileName: req.file!.originalname, bytes: req.file!.buffer }, m.now);
    renderPreview(res, preview);
  });

  router.post('/:id/confirm', async (req, res) => {
    const m = req.member!;
    const id = String(req.params.id);
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const result = await deps.imports.confirm(m.sub, id, { categories: parseCategoryChoices(body), transfers: parseTransferChoices(body) }, m.now);
      await deps.audit.record(req, 'import.confirmed', { detail: result });
      res.redirect(303, `/import?imported=${result.imported}&skipped=${result.skipped}&created=${result.categoriesCreated}&transfers=${result.transfers}&matched=${result.matched}`);
    } catch (err) {
      // A new category name without a usable choice: show the preview again, saying which.
      if (err instanceof ChoicesError) return renderPreview(res, await deps.imports.pending(m.sub, id, m.now), err.problems);
      throw err;
    }
  });

  return router;
}
