import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError, NotFoundError } from '../../http/errors.js';
import type { ClearedState } from '../accounts/types.js';
import type { Finance } from '../finance.js';
import { isMonth, monthOf, monthRange } from '../money/dates.js';
import { formatMoney, minorToInput } from '../money/money.js';
import { parseTransactionForm, typedTransactionForm, type TransactionErrors, type TransactionTyped } from './form.js';
import type { Transaction, TransactionInput } from './repository.js';

/**
 * /transactions: the month's list with search and category filter, and add, edit and delete
 * (with a confirmation page). Every lookup by id is scoped by the signed-in user: another user's
 * id is simply not found.
 */
export function transactionRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function context(req: Request) {
    const sub = req.member!.sub;
    const [accounts, categories] = await Promise.all([finance.accounts.list(sub, { includeArchived: true }), finance.categories.list(sub)]);
    return { sub, accounts, categories };
  }

  async function renderList(req: Request, res: Response, status: number, form?: { errors: TransactionErrors; typed: TransactionTyped }) {
    const ctx = await context(req);
    const month = typeof req.query.month === 'string' && isMonth(req.query.month) ? req.query.month : monthOf(req.member!.today);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
    const category = typeof req.query.category === 'string' ? req.query.category : '';
    const range = monthRange(month);
    // After a manual re-categorisation, offer a rule for descriptions like this one.
    const offered = typeof req.query.offerRule === 'string' ? await finance.transactions.find(ctx.sub, req.query.offerRule) : undefined;
    const list = await finance.transactions.list(ctx.sub, {
      from: range.first,
      to: range.last,
      search: q || undefined,
      categoryId: category === 'none' ? null : category || undefined,
    });
    res.status(status).render('layout', {
      page: 'transactions/index',
      title: 'Transactions',
      month,
      q,
      category,
      rows: list.map((t) => view(t, ctx)),
      ruleOffer: offered?.categoryId ? { description: offered.description, categoryId: offered.categoryId, category: ctx.categories.find((c) => c.id === offered.categoryId)?.name } : null,
      accounts: ctx.accounts.filter((a) => !a.archived),
      categories: ctx.categories,
      errors: form?.errors ?? {},
      typed: form?.typed ?? { accountId: ctx.accounts.find((a) => !a.archived)?.id ?? '', date: req.member!.today, description: '', memo: '', amount: '', kind: 'out', categoryId: '', cleared: '' },
    });
  }

  router.get('/', (req, res) => renderList(req, res, 200));

  router.post('/', async (req, res) => {
    const ctx = await context(req);
    const parsed = parseTransactionForm(req.body, ctx);
    if (!parsed.ok) return renderList(req, res, 400, parsed);
    await finance.transactions.create(ctx.sub, parsed.value, req.member!.now);
    res.redirect(303, `/transactions?month=${monthOf(parsed.value.date)}`);
  });

  async function owned(req: Request): Promise<Transaction> {
    const t = await finance.transactions.find(req.member!.sub, String(req.params.id));
    if (!t) throw new NotFoundError('There is no such transaction.');
    return t;
  }

  /** The edit page: the transaction's own account stays choosable even when archived. */
  function renderEdit(res: Response, status: number, t: Transaction, ctx: Awaited<ReturnType<typeof context>>, form: { errors: TransactionErrors; typed: TransactionTyped }, confirmNeeded: boolean) {
    res.status(status).render('layout', {
      page: 'transactions/edit',
      title: 'Edit transaction',
      id: t.id,
      accounts: ctx.accounts.filter((a) => !a.archived || a.id === t.accountId),
      categories: ctx.categories,
      ...form,
      reconciled: t.cleared === 'reconciled',
      confirmNeeded,
    });
  }

  router.get('/:id/edit', async (req, res) => {
    const t = await owned(req);
    const ctx = await context(req);
    const currency = ctx.accounts.find((a) => a.id === t.accountId)?.currency ?? 'USD';
    const typed = {
      accountId: t.accountId,
      date: t.date,
      description: t.description,
      memo: t.memo ?? '',
      amount: minorToInput(Math.abs(t.amountMinor), currency),
      kind: t.amountMinor < 0 ? 'out' : 'in',
      categoryId: t.categoryId ?? '',
      cleared: t.cleared === 'uncleared' ? '' : 'on',
    };
    renderEdit(res, 200, t, ctx, { errors: {}, typed }, false);
  });

  router.post('/:id', async (req, res) => {
    const t = await owned(req);
    const ctx = await context(req);
    const parsed = parseTransactionForm(req.body, ctx);
    const confirmNeeded = t.cleared === 'reconciled' && !confirmsReconciled(req);
    if (!parsed.ok || confirmNeeded) {
      const form = parsed.ok ? { errors: {}, typed: typedTransactionForm(req.body) } : parsed;
      return renderEdit(res, parsed.ok ? 409 : 400, t, ctx, form, confirmNeeded);
    }
    await finance.transactions.update(ctx.sub, t.id, { ...parsed.value, cleared: clearedAfterEdit(t, parsed.value) });
    const recategorised = parsed.value.categoryId !== null && parsed.value.categoryId !== t.categoryId;
    res.redirect(303, `/transactions?month=${monthOf(parsed.value.date)}${recategorised ? `&offerRule=${t.id}` : ''}`);
  });

  router.get('/:id/delete', async (req, res) => {
    const t = await owned(req);
    const ctx = await context(req);
    res.render('layout', { page: 'transactions/delete', title: 'Delete transaction', row: view(t, ctx), confirmNeeded: false });
  });

  router.post('/:id/delete', async (req, res) => {
    const t = await owned(req);
    if (t.cleared === 'reconciled' && !confirmsReconciled(req)) {
      const ctx = await context(req);
      return res.status(409).render('layout', { page: 'transactions/delete', title: 'Delete transaction', row: view(t, ctx), confirmNeeded: true });
    }
    await finance.transactions.remove(req.member!.sub, t.id);
    res.redirect(303, `/transactions?month=${monthOf(t.date)}`);
  });

  // Cleared or not, from the list or the reconcile page; a reconciled one changes only through its edit page.
  router.post('/:id/cleared', async (req, res) => {
    const t = await owned(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.cleared !== 'cleared' && body.cleared !== 'uncleared') throw new HttpError(400, 'Choose cleared or uncleared.');
    if (t.cleared === 'reconciled') throw new HttpError(409, 'This transaction is reconciled with a statement. Open it with Edit to change it.');
    await finance.transactions.setCleared(req.member!.sub, t.id, body.cleared);
    res.redirect(303, backTo(body.returnTo, `/transactions?month=${monthOf(t.date)}`));
  });

  return router;
}

/** The edit page's "I know this changes a reconciled transaction" box. */
const confirmsReconciled = (req: Request) => (req.body as Record<string, unknown> | undefined)?.confirmReconciled === 'yes';

/** A reconciled transaction stays reconciled unless its account, date or amount changed (then it is only cleared). */
function clearedAfterEdit(before: Transaction, after: TransactionInput): ClearedState {
  if (after.cleared === 'uncleared') return 'uncleared';
  if (before.cleared !== 'reconciled') return 'cleared';
  const same = before.accountId === after.accountId && before.date === after.date && before.amountMinor === after.amountMinor;
  return same ? 'reconciled' : 'cleared';
}

/** Back to the page the button was on: only this app's transaction and account pages. */
function backTo(raw: unknown, fallback: string): string {
  return typeof raw === 'string' && /^\/(transactions|accounts\/[0-9a-f-]{36}\/reconcile)(\?[\w=&%.+-]*)?$/.test(raw) ? raw : fallback;
}

function view(t: Transaction, ctx: { accounts: Array<{ id: string; name: string; currency: string }>; categories: Array<{ id: string; name: string }> }) {
  const account = ctx.accounts.find((a) => a.id === t.accountId);
  return {
    ...t,
    account: account?.name ?? '—',
    category: ctx.categories.find((c) => c.id === t.categoryId)?.name ?? 'Uncategorized',
    amount: formatMoney(t.amountMinor, account?.currency ?? 'USD'),
  };
}
