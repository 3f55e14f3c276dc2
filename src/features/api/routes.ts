import express, { type RequestHandler, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { currencyView, type CurrencyView } from '../coach/currency-view.js';
import type { Finance } from '../finance.js';
import { FIRST_DATE, isCalendarDate, isMonth, LAST_DATE, monthOf } from '../../money/dates.js';
import type { PageFilter } from '../transactions/repository.js';

/**
 * A read API for the signed-in user (session cookie, same origin). Anonymous callers get 401 JSON
 * from the guards; amounts are integer minor units, expenses and spent as positive numbers.
 */
export function apiRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const router = express.Router();
  // An API always answers JSON, whatever the Accept header says.
  router.use(function answerJson(req, _res, next) {
    req.headers.accept = 'application/json';
    next();
  });
  router.use(...deps.member);

  /**
   * One month in one currency (the member's main one, or ?currency= for another they hold an
   * account in). Invariants: expenses = the need and want categories' spent + uncategorized.spent;
   * for every category available = budget + carried - spent. `leftOut` appears only when
   * accounts in other currencies are not counted.
   */
  /** Every account with its balance and cleared balance, in its own currency's minor units. */
  router.get('/accounts', async function apiGetAccounts(req, res) {
    const m = req.member!;
    const { balances } = await deps.finance.balances.listWithBalances(m.sub, m.today);
    res.json(
      balances.map((b) => ({
        id: b.account.id,
        name: b.account.name,
        type: b.account.type,
        currency: b.account.currency,
        balance: b.balance,
        clearedBalance: b.cleared,
        archived: b.account.archived,
      })),
    );
  });

  /**
   * Net worth at the end of each of the last `months` months (1-60, default 12; the current one
   * as of today), oldest first, in one currency. Invariant: net = assets - liabilities.
   */
  router.get('/networth', async function apiGetNetworth(req, res) {
    const raw = req.query.months;
    if (raw !== undefined && (typeof raw !== 'string' || !/^\d{1,2}$/.test(raw) || Number(raw) < 1 || Number(raw) > 60)) {
      throw new HttpError(400, 'months must be a whole number from 1 to 60.');
    }
    const m = req.member!;
    const history = await deps.finance.balances.netWorthHistory(m.sub, m, req.query.currency, raw === undefined ? 12 : Number(raw));
    requireHeldCurrency(req.query.currency, history.view, m.currency);
    res.json({
      currency: history.view.currency,
      months: history.months.map((h) => ({ month: h.month, assets: h.assets, liabilities: h.liabilities, net: h.net, ...(h.missing.length ? { unconverted: h.missing } : {}) })),
      // In the main currency the other accounts are converted at each month's rate (`unconverted`: the ids with none that month).
      ...(history.converting ? { converted: true } : history.view.leftOut.length ? { leftOut: history.view.leftOut.map((a) => ({ account: a.name, currency: a.currency })) } : {}),
    });
  });

  /**
   * The member's transactions, newest first, `limit` (1-500, default 100) at a time; `next` is
   * the cursor of the following page, null on the last one. Filters: from/to (YYYY-MM-DD),
   * account and category (ids of the member's own, or category=none), q (payee or memo text).
   */
  router.get('/transactions', async function apiGetTransactions(req, res) {
    const m = req.member!;
    const q = parseTransactionQuery(req.query);
    if (!q.ok) throw new HttpError(400, q.error);
    const { accounts, categories } = await deps.finance.choices(m.sub);
    if (q.filter.accountId && !accounts.some((a) => a.id === q.filter.accountId)) throw new HttpError(400, 'account must be the id of one of your accounts.');
    if (q.filter.categoryId && !categories.some((c) => c.id === q.filter.categoryId)) throw new HttpError(400, 'category must be the id of one of your categories, or none.');
    const rows = await deps.finance.transactions.page(m.sub, q.filter, q.after, q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    res.json({
      items: items.map((t) => ({
        id: t.id,
        date: t.date,
        amount: t.amountMinor,
        currency: t.currency,
        account: t.accountId,
        payee: t.description,
        memo: t.memo,
        category: t.categoryId,
        cleared: t.cleared,
        transfer: t.transfer ? { account: t.transfer.accountId } : null,
        splits: t.splits.map((p) => ({ category: p.categoryId, amount: p.amountMinor })),
      })),
      next: rows.length > q.limit && last ? encodeCursor(last) : null,
    });
  });

  router.get('/summary', async function apiGetSummary(req, res) {
    const raw = req.query.month;
    if (raw !== undefined && (typeof raw !== 'string' || !isMonth(raw))) {
      throw new HttpError(400, 'month must be a calendar month written YYYY-MM, from 1900-01 to 2199-12, for example 2026-11.');
    }
    const m = req.member!;
    const month = raw ?? monthOf(m.today);
    const view = currencyView(req.query.currency, m.currency, await deps.finance.accounts.list(m.sub, { includeArchived: true }));
    requireHeldCurrency(req.query.currency, view, m.currency);
    const s = await deps.finance.coach.monthSummary(m.sub, month, m.today, view.currency, { main: m.currency });
    res.json({
      month,
      currency: view.currency,
      income: s.income,
      expenses: s.expenses,
      savingsRate: s.savingsRate.value,
      categories: s.categories.map((c) => ({
        id: c.id,
        name: c.name,
        group: c.group,
        spent: c.group === 'income' ? 0 : c.spent,
        budget: c.budget,
        carried: c.carried,
        available: c.available,
      })),
      uncategorized: { count: s.uncategorized.count, spent: s.uncategorized.spent },
      // The main currency takes the others in at each day's rate; what had no rate is listed, not counted.
      ...(s.conversion
        ? { converted: { from: s.conversion.from, unconverted: s.conversion.unconverted.map((u) => ({ currency: u.currency, out: u.out, in: u.in, days: u.days })) } }
        : view.leftOut.length
          ? { leftOut: view.leftOut.map((a) => ({ account: a.name, currency: a.currency })) }
          : {}),
    });
  });

  return router;
}

/** A ?currency= the member holds no account in is a 400 (the pages fall back to the main one instead). */
function requireHeldCurrency(requested: unknown, view: CurrencyView, main: string): void {
  if (requested !== undefined && requested !== view.currency) {
    throw new HttpError(400, `currency must be one you have an account in: ${(view.choices.length ? view.choices : [main]).join(', ')}.`);
  }
}

const MAX_PAGE = 500;

const encodeCursor = (t: { date: string; id: string }) => Buffer.from(`${t.date}|${t.id}`).toString('base64url');

function decodeCursor(raw: string): { date: string; id: string } | null {
  const m = /^(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})$/.exec(Buffer.from(raw, 'base64url').toString());
  return m && isCalendarDate(m[1]!) ? { date: m[1]!, id: m[2]! } : null;
}

/** The query of GET /api/transactions: each parameter once, each checked, with a message that says which. */
function parseTransactionQuery(query: Record<string, unknown>): { ok: true; filter: PageFilter; after: { date: string; id: string } | null; limit: number } | { ok: false; error: string } {
  for (const [name, v] of Object.entries(query)) if (v !== undefined && typeof v !== 'string') return { ok: false, error: `${name} must be given once.` };
  const one = (name: string) => query[name] as string | undefined;
  const from = one('from') ?? FIRST_DATE;
  const to = one('to') ?? LAST_DATE;
  if (!isCalendarDate(from) || !isCalendarDate(to)) return { ok: false, error: `from and to must be dates written YYYY-MM-DD, between ${FIRST_DATE} and ${LAST_DATE}.` };
  if (from > to) return { ok: false, error: 'from must not be after to.' };
  const limitRaw = one('limit');
  const limit = limitRaw === undefined ? 100 : /^\d{1,3}$/.test(limitRaw) ? Number(limitRaw) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE)) return { ok: false, error: `limit must be a whole number from 1 to ${MAX_PAGE}.` };
  const cursorRaw = one('cursor');
  const after = cursorRaw === undefined ? null : decodeCursor(cursorRaw);
  if (cursorRaw !== undefined && !after) return { ok: false, error: 'cursor must be the next value of an earlier page, unchanged.' };
  const search = (one('q') ?? '').trim();
  if (search.length > 100) return { ok: false, error: 'q must be at most 100 characters.' };
  const category = one('category');
  const account = one('account');
  return {
    ok: true,
    limit,
    after,
    filter: {
      from,
      to,
      ...(account ? { accountId: account } : {}),
      ...(category === 'none' ? { categoryId: null } : category ? { categoryId: category } : {}),
      ...(search ? { search } : {}),
    },
  };
}
