import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError, NotFoundError } from '../../http/errors.js';
import { defaultAccountId } from '../accounts/types.js';
import type { Finance } from '../finance.js';
import { monthOf } from '../../money/dates.js';
import { monthChoices, parseListQuery } from './list-query.js';
import { listPage } from './list-view.js';
import { minorToInput } from '../../money/money.js';
import { clearedAfterEdit, confirmationNeeded, openedSide, peerClearedAfterEdit } from './edits.js';
import { asSeenFrom, blankTransactionForm, formOfTransaction, namedInTransactionForm, parseTransactionForm, typedTransactionForm, type TransactionErrors, type TransactionTyped } from './form.js';
import { MAX_SPLITS } from './splits.js';
import type { Transaction } from './repository.js';
import { transactionView } from './view.js';
import { withFields } from '../../lib/objects.js';

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
    return { sub, accounts, categories, style: req.member!.numberStyle };
  }

  async function renderList(req: Request, res: Response, status: number, form?: { errors: TransactionErrors; typed: TransactionTyped }) {
    const ctx = await context(req);
    const m = req.member!;
    const query = parseListQuery(req.query as Record<string, unknown>, m.today);
    // After a manual re-categorisation, offer a rule for descriptions like this one.
    const offered = typeof req.query.offerRule === 'string' ? await finance.transactions.find(ctx.sub, req.query.offerRule) : undefined;
    const [list, lastAccount] = await Promise.all([listPage(finance, m, query, ctx), finance.transactions.lastUsedAccountId(ctx.sub)]);
    const active = ctx.accounts.filter((a) => !a.archived);
    res.status(status).render('layout', {
      page: 'transactions/index',
      title: 'Transactions',
      list,
      problems: query.problems,
      monthChoices: monthChoices(m.today, query.month),
      ruleOffer: offered?.categoryId ? { description: offered.description, categoryId: offered.categoryId, category: ctx.categories.find((c) => c.id === offered.categoryId)?.name } : null,
      accounts: active,
      allAccounts: ctx.accounts,
      categories: ctx.categories,
      errors: form?.errors ?? {},
      typed: form?.typed ?? blankTransactionForm(active.some((a) => a.id === lastAccount) ? lastAccount! : defaultAccountId(ctx.accounts, m.currency), m.today),
      splitRows: MAX_SPLITS,
    });
  }

  router.get('/', function transactionsGetIndex(req, res) { return renderList(req, res, 200); });

  router.post('/', async function transactionsPostIndex(req, res) {
    const sub = req.member!.sub;
    // Checked against what the form names, not every account and category (read for the page only on a refusal).
    const named = await finance.choicesNamed(sub, namedInTransactionForm(req.body));
    const parsed = parseTransactionForm(req.body, withFields(named, { style: req.member!.numberStyle }));
    if (!parsed.ok) return renderList(req, res, 400, parsed);
    await finance.transactions.create(sub, parsed.value, req.member!.now);
    req.flash(`Added ${parsed.value.description} on ${parsed.value.date}.`);
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
      returnTo: returnToOf(res.req, t),
    });
  }

  router.get('/:id/edit', async function transactionsGetOneEdit(req, res) {
    const t = await owned(req);
    const ctx = await context(req);
    renderEdit(res, 200, t, ctx, { errors: {}, typed: formOfTransaction(t, ctx.accounts, (minor, currency) => minorToInput(minor, currency, ctx.style)) }, false);
  });

  router.post('/:id', async function transactionsPostOne(req, res) {
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
    req.flash(`Saved ${value.description} on ${value.date}.`);
    const back = backTo((req.body as Record<string, unknown>).returnTo, `/transactions?month=${monthOf(value.date)}`);
    res.redirect(303, recategorised ? `${back}${back.includes('?') ? '&' : '?'}offerRule=${t.id}` : back);
  });

  router.get('/:id/delete', async function transactionsGetOneDelete(req, res) {
    const t = await owned(req);
    const ctx = await context(req);
    res.render('layout', { page: 'transactions/delete', title: 'Delete transaction', row: transactionView(t, ctx), confirmNeeded: false, returnTo: returnToOf(req, t) });
  });

  router.post('/:id/delete', async function transactionsPostOneDelete(req, res) {
    const t = await owned(req);
    if (confirmationNeeded(t) && !confirmsReconciled(req)) {
      const ctx = await context(req);
      return res.status(409).render('layout', { page: 'transactions/delete', title: 'Delete transaction', row: transactionView(t, ctx), confirmNeeded: true, returnTo: returnToOf(req, t) });
    }
    await finance.transactions.remove(req.member!.sub, t.id);
    req.flash(`Deleted ${t.description} on ${t.date}${t.transfer ? ' (both sides of the transfer)' : ''}.`);
    res.redirect(303, backTo((req.body as Record<string, unknown>).returnTo, `/transactions?month=${monthOf(t.date)}`));
  });

  // Cleared or not, from the list or the reconcile page; a reconciled one changes only through its edit page.
  router.post('/:id/cleared', async function transactionsPostOneCleared(req, res) {
    const t = await owned(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.cleared !== 'cleared' && body.cleared !== 'uncleared') throw new HttpError(400, 'Choose cleared or uncleared.');
    if (t.cleared === 'reconciled') throw new HttpError(409, 'This transaction is reconciled with a statement. Open it with Edit to change it.');
    await finance.transactions.setCleared(req.member!.sub, t.id, body.cleared);
    req.flash(`${t.description} on ${t.date} is ${body.cleared === 'cleared' ? 'cleared' : 'not cleared'} now.`);
    res.redirect(303, backTo(body.returnTo, `/transactions?month=${monthOf(t.date)}`));
  });

  return router;
}

/** The edit page's "I know this changes a reconciled transaction" box. */
const confirmsReconciled = (req: Request) => (req.body as Record<string, unknown> | undefined)?.confirmReconciled === 'yes';

/** Back to the page the button was on: only this app's transaction and account pages. */
export function backTo(raw: unknown, fallback: string): string {
  return typeof raw === 'string' && raw.length <= 500 && /^\/(transactions|accounts\/[0-9a-f-]{36}\/reconcile)(\?[\w=&%.+-]*)?$/.test(raw) ? raw : fallback;
}

/** The list page an edit or delete page was opened from (its `back` link or the form's returnTo), else the row's month. */
function returnToOf(req: Request, t: Transaction): string {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return backTo(body.returnTo ?? req.query.back, `/transactions?month=${monthOf(t.date)}`);
}
