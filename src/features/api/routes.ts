import express, { type RequestHandler, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { currencyView } from '../coach/currency-view.js';
import type { Finance } from '../finance.js';
import { isMonth, monthOf } from '../money/dates.js';

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
  router.get('/accounts', async (req, res) => {
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
  router.get('/networth', async (req, res) => {
    const raw = req.query.months;
    if (raw !== undefined && (typeof raw !== 'string' || !/^\d{1,2}$/.test(raw) || Number(raw) < 1 || Number(raw) > 60)) {
      throw new HttpError(400, 'months must be a whole number from 1 to 60.');
    }
    const m = req.member!;
    const history = await deps.finance.balances.netWorthHistory(m.sub, m, req.query.currency, raw === undefined ? 12 : Number(raw));
    if (req.query.currency !== undefined && req.query.currency !== history.view.currency) {
      throw new HttpError(400, `currency must be one you have an account in: ${(history.view.choices.length ? history.view.choices : [m.currency]).join(', ')}.`);
    }
    res.json({
      currency: history.view.currency,
      months: history.months.map((h) => ({ month: h.month, assets: h.assets, liabilities: h.liabilities, net: h.net })),
      ...(history.view.leftOut.length ? { leftOut: history.view.leftOut.map((a) => ({ account: a.name, currency: a.currency })) } : {}),
    });
  });

  router.get('/summary', async (req, res) => {
    const raw = req.query.month;
    if (raw !== undefined && (typeof raw !== 'string' || !isMonth(raw))) {
      throw new HttpError(400, 'month must be a calendar month written YYYY-MM, from 1900-01 to 2199-12, for example 2026-11.');
    }
    const m = req.member!;
    const month = raw ?? monthOf(m.today);
    const view = currencyView(req.query.currency, m.currency, await deps.finance.accounts.list(m.sub, { includeArchived: true }));
    if (req.query.currency !== undefined && req.query.currency !== view.currency) {
      throw new HttpError(400, `currency must be one you have an account in: ${(view.choices.length ? view.choices : [m.currency]).join(', ')}.`);
    }
    const s = await deps.finance.coach.monthSummary(m.sub, month, m.today, view.currency);
    res.json({
      month,
      currency: view.currency,
      income: s.income,
      expenses: s.expenses,
      savingsRate: s.savingsRate.value,
      categories: s.categories.map((c) => ({
        name: c.name,
        group: c.group,
        spent: c.group === 'income' ? 0 : c.spent,
        budget: c.budget,
        carried: c.carried,
        available: c.available,
      })),
      uncategorized: { count: s.uncategorized.count, spent: s.uncategorized.spent },
      ...(view.leftOut.length ? { leftOut: view.leftOut.map((a) => ({ account: a.name, currency: a.currency })) } : {}),
    });
  });

  return router;
}
