import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError, NotFoundError } from '../../http/errors.js';
import { defaultAccountId } from '../accounts/types.js';
import type { Finance } from '../finance.js';
import { isMonth, monthOf, monthRange } from '../money/dates.js';
import { minorToInput } from '../money/money.js';
import { clearedAfterEdit, confirmationNeeded, openedSide, peerClearedAfterEdit } from './edits.js';
import { asSeenFrom, blankTransactionForm, formOfTransaction, parseTransactionForm, typedTransactionForm, type TransactionErrors, type TransactionTyped } from './form.js';
import { MAX_SPLITS } from './splits.js';
import type { Transaction } from './repository.js';
import { transactionView } from './view.js';

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
    const { accounts, categories } = await finance.choices(sub);
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
      rows: list.map((t) => transactionView(t, ctx)),
      ruleOffer: offered?.categoryId ? { description: offered.description, categoryId: offered.categoryId, category: ctx.categories.find((c) => c.id === offered.categoryId)?.name } : null,
      accounts: ctx.accounts.filter((a) => !a.archived),
      categories: ctx.categories,
      errors: form?.errors ?? {},
      typed: form?.typed ?? blankTransactionForm(defaultAccountId(ctx.accounts, req.member!.currency), req.member!.today),
      splitRows: MAX_SPLITS,
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
      accounts: ctx.accounts.filter((a) => !a.archived || a.id === t.accountId || a.id === t.transfer?.accountId),
      categories: ctx.categories,
      splitRows: MAX_SPLITS,
      ...form,
      reconciled: t.cleared === 'reconciled' || t.transfer?.cleared === 'reconciled',
      isTransfer: t.transfer !== null,
      confirmNeeded,
    });
  }

  router.get('/:id/edit', async (req, res) => {
    const t = await owned(req);
    const ctx = await context(req);
    renderEdit(res, 200, t, ctx, { errors: {}, typed: formOfTransaction(t, ctx.accounts, minorToInput) }, false);
  });

  router.post('/:id', async (req, res) => {
    const t = await owned(req);
    const ctx = await context(req);
    const parsed = parseTransactionForm(req.body, ctx);
    const confirmNeeded = confirmationNeeded(t) && !confirmsReconciled(req);
    if (!parsed.ok || confirmNeeded) {
      const form = parsed.ok ? { errors: {}, typed: typedTransactionForm(req.body) } : parsed;
      return renderEdit(res, parsed.ok ? 409 : 400, t, ctx, form, confirmNeeded);
    }
    const value = asSeenFrom(parsed.value, openedSide(t, parsed.value) === 'incoming');
    const transfer = value.transfer ? { ...value.transfer, cleared: peerClearedAfterEdit(t, value) } : null;
    await finance.transactions.update(ctx.sub, t.id, { ...value, transfer, cleared: clearedAfterEdit(t, value) }, req.member!.now);
    const recategorised = value.categoryId !== null && value.categoryId !== t.categoryId;
    res.redirect(303, `/transactions?month=${monthOf(value.date)}${recategorised ? `&offerRule=${t.id}` : ''}`);
  });

  router.get('/:id/delete', async (req, res) => {
    const t = await owned(req);
    const ctx = await context(req);
    res.render('layout', { page: 'transactions/delete', title: 'Delete transaction', row: transactionView(t, ctx), confirmNeeded: false });
  });

  router.post('/:id/delete', async (req, res) => {
    const t = await owned(req);
    if (confirmationNeeded(t) && !confirmsReconciled(req)) {
      const ctx = await context(req);
      return res.status(409).render('layout', { page: 'transactions/delete', title: 'Delete transaction', row: transactionView(t, ctx), confirmNeeded: true });
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

/** Back to the page the button was on: only this app's transaction and account pages. */
function backTo(raw: unknown, fallback: string): string {
  return typeof raw === 'string' && /^\/(transactions|accounts\/[0-9a-f-]{36}\/reconcile)(\?[\w=&%.+-]*)?$/.test(raw) ? raw : fallback;
}
