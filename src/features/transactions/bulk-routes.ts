import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { plural } from '../../lib/text.js';
import type { Finance } from '../finance.js';
import { describeBulk, MAX_BULK, planBulk, type BulkAction } from './bulk.js';
import type { BulkRepository } from './bulk-repository.js';
import { PAGE_SIZE, parseListQuery } from './list-query.js';
import { filterOf } from './list-view.js';
import { backTo } from './routes.js';

/** The bulk form's fields that the confirmation page carries over as they were sent. */
const CARRIED = ['scope', 'action', 'categoryId', 'accountId', 'returnTo', 'month', 'from', 'to', 'q', 'account', 'category', 'cleared'] as const;

/**
 * POST /transactions/bulk: one change to many rows (the ticked ones, or everything the list's
 * filter matches). The first post shows how many rows change and which are left alone; the
 * second, carrying that count, applies it in one database transaction. If the count is not the
 * same any more (rows were added or changed in between), it asks again instead.
 */
export function bulkRoutes(deps: { member: RequestHandler[]; finance: Finance; bulk: BulkRepository }): Router {
  const { finance, bulk } = deps;
  const router = express.Router();

  router.post('/bulk', ...deps.member, async function transactionsPostBulk(req: Request, res: Response) {
    const m = req.member!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const returnTo = backTo(body.returnTo, '/transactions');
    const action = await parseAction(body, m.sub);
    const rows =
      body.scope === 'filter'
        ? await bulk.rowsByFilter(m.sub, filterOf(parseListQuery(body, m.today)), MAX_BULK + 1)
        : await bulk.rowsByIds(m.sub, selectedIds(body.ids));
    if (rows.length === 0) throw new HttpError(400, 'Tick at least one transaction first, or choose "All found".');
    if (rows.length > MAX_BULK) throw new HttpError(400, `That is more than ${MAX_BULK.toLocaleString('en-US')} transactions, the most one change can take. Narrow the search or the dates and do it in parts.`);
    const plan = planBulk(rows, action);
    const confirmed = typeof body.confirm === 'string' ? Number(body.confirm) : null;
    if (confirmed === null || confirmed !== plan.ids.length || plan.ids.length === 0) {
      const fields = CARRIED.flatMap((k) => (typeof body[k] === 'string' ? [[k, body[k] as string] as const] : []));
      const ids = body.scope === 'filter' ? [] : rows.map((r) => ['ids', r.id] as const);
      return res.status(confirmed === null ? 200 : 409).render('layout', {
        page: 'transactions/bulk',
        title: 'Change transactions',
        plan,
        action,
        question: describeBulk(action, plan.ids.length, false),
        fields: [...fields, ...ids],
        returnTo,
        changedSince: confirmed !== null,
      });
    }
    const changed = await bulk.apply(m.sub, action, plan.ids);
    const left = plan.skipped.reduce((n, s) => n + s.count, 0);
    req.flash(`${describeBulk(action, changed, true)}${left ? ` ${plural(left, 'row')} left as ${left === 1 ? 'it was' : 'they were'}.` : ''}`);
    res.redirect(303, returnTo);
  });

  /** The change asked for, with the category or account it names checked to be the member's own. */
  async function parseAction(body: Record<string, unknown>, sub: string): Promise<BulkAction> {
    switch (body.action) {
      case 'category': {
        if (body.categoryId === 'none') return { kind: 'category', categoryId: null, name: 'Uncategorized' };
        const c = (await finance.categories.list(sub)).find((x) => x.id === body.categoryId);
        if (!c) throw new HttpError(400, 'Choose one of your categories.');
        return { kind: 'category', categoryId: c.id, name: c.name };
      }
      case 'account': {
        const a = (await finance.accounts.list(sub, { includeArchived: false })).find((x) => x.id === body.accountId);
        if (!a) throw new HttpError(400, 'Choose one of your open accounts to move to.');
        return { kind: 'account', accountId: a.id, name: a.name, currency: a.currency };
      }
      case 'cleared':
      case 'uncleared':
        return { kind: 'cleared', cleared: body.action };
      case 'delete':
        return { kind: 'delete' };
      default:
        throw new HttpError(400, 'Choose what to do with the transactions.');
    }
  }

  return router;
}

/** The ticked ids: at most two pages' worth (the form never sends more), each an id's shape. */
function selectedIds(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  if (list.length > PAGE_SIZE * 2) throw new HttpError(400, `Tick at most ${PAGE_SIZE * 2} rows, or choose "All found".`);
  return list.filter((v): v is string => typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v));
}
