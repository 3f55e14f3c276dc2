import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/service.js';
import type { Finance } from '../finance.js';
import { NotFoundError } from '../../http/errors.js';
import { plural } from '../../lib/text.js';
import { formatMoney } from '../../money/money.js';
import { ReconciledRowsError, type ImportBatchesRepository } from './batches.js';
import { parseCategoryChoices, parseImportOptions } from './options.js';
import { ChoicesError, type ImportService, type Preview } from './service.js';
import { parseTransferChoices } from './transfers.js';
import { withFields } from '../../lib/objects.js';

/**
 * /import: upload a CSV or OFX file, see a preview (rows, per-line errors, duplicates, category
 * names that are new), then confirm. Only the confirmation writes, all rows at once or none.
 */
export function importRoutes(deps: { member: RequestHandler[]; finance: Finance; imports: ImportService; batches: ImportBatchesRepository; audit: AuditService }): Router {
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

  async function renderIndex(req: Request, res: Response, status: number, errors: string[]) {
    const sub = req.member!.sub;
    const [accounts, batches] = await Promise.all([deps.finance.accounts.list(sub, { includeArchived: true }), deps.batches.list(sub)]);
    const names = new Map(accounts.map((a) => [a.id, a.name]));
    res.status(status).render('layout', {
      page: 'import/index',
      title: 'Import',
      accounts: accounts.filter((a) => !a.archived),
      errors,
      batches: batches.map((b) => withFields(b, { account: names.get(b.accountId) ?? '', date: b.createdAt.slice(0, 10) })),
    });
  }

  router.get('/', function importGetIndex(req, res) { return renderIndex(req, res, 200, []); });

  // Undo an import: the rows it wrote go, in one step (the list says how many first).
  router.post('/batches/:id/undo', async function importPostBatchesOneUndo(req, res) {
    const m = req.member!;
    const batch = await deps.batches.find(m.sub, String(req.params.id));
    if (!batch) throw new NotFoundError('There is no such import.');
    let removed: number;
    try {
      removed = (await deps.batches.undo(m.sub, batch.id)) ?? 0;
    } catch (err) {
      if (!(err instanceof ReconciledRowsError)) throw err;
      req.flash(`The import of ${batch.fileName} was not undone: ${plural(err.count, 'of its transactions is', 'of its transactions are')} reconciled with a statement. Delete those from the transactions list if you mean to.`, 'error');
      return res.redirect(303, '/import');
    }
    await deps.audit.record(req, 'import.undone', { detail: { rows: removed } });
    req.flash(`Removed the import of ${batch.fileName}: ${plural(removed, 'transaction')} deleted.`);
    res.redirect(303, '/import');
  });

  router.post('/preview', async function importPostPreview(req: Request, res) {
    const m = req.member!;
    const options = parseImportOptions((req.body ?? {}) as Record<string, unknown>);
    const errors = options.ok ? [] : options.errors;
    if (!req.file || req.file.size === 0) errors.push('Choose a file to import.');
    if (!options.ok || errors.length) return renderIndex(req, res, 400, errors);
    const preview = await deps.imports.preview(m.sub, { ...options.value, fileName: req.file!.originalname, bytes: req.file!.buffer }, m.now);
    renderPreview(res, preview);
  });

  router.post('/:id/confirm', async function importPostOneConfirm(req, res) {
    const m = req.member!;
    const id = String(req.params.id);
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const result = await deps.imports.confirm(m.sub, id, { categories: parseCategoryChoices(body), transfers: parseTransferChoices(body) }, m.now);
      await deps.audit.record(req, 'import.confirmed', { detail: result });
      req.flash(importedMessage(result));
      res.redirect(303, '/import');
    } catch (err) {
      // A new category name without a usable choice: show the preview again, saying which.
      if (err instanceof ChoicesError) return renderPreview(res, await deps.imports.pending(m.sub, id, m.now), err.problems);
      throw err;
    }
  });

  return router;
}

/** What a confirmed import did, in one sentence. */
function importedMessage(r: { imported: number; skipped: number; categoriesCreated: number; transfers: number; matched: number }): string {
  const parts = [`Imported ${plural(r.imported, 'transaction')}`];
  if (r.skipped) parts.push(`${r.skipped} ${r.skipped === 1 ? 'was' : 'were'} already there`);
  if (r.categoriesCreated) parts.push(`${r.categoriesCreated} new categor${r.categoriesCreated === 1 ? 'y' : 'ies'} created`);
  if (r.transfers) parts.push(`${plural(r.transfers, 'transfer')}, ${r.matched} of them matched to a row already in the other account`);
  return `${parts.join('; ')}.`;
}
