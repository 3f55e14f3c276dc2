import express, { type RequestHandler, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import type { Finance } from '../finance.js';
import { isMonth, monthOf, todayUtc } from '../money/dates.js';
import type { UsersService } from '../users/service.js';

/**
 * A read API for the signed-in user (session cookie, same origin). Anonymous callers get 401 JSON
 * from the guards; amounts are integer minor units, expenses and spent as positive numbers.
 */
export function apiRoutes(deps: { member: RequestHandler[]; finance: Finance; users: UsersService }): Router {
  const router = express.Router();
  // An API always answers JSON, whatever the Accept header says.
  router.use((req, _res, next) => {
    req.headers.accept = 'application/json';
    next();
  });
  router.use(...deps.member);

  router.get('/summary', async (req, res) => {
    const raw = req.query.month;
    if (raw !== undefined && (typeof raw !== 'string' || !isMonth(raw))) {
      throw new HttpError(400, 'month must be a calendar month written YYYY-MM, for example 2026-11.');
    }
    const month = raw ?? monthOf(todayUtc());
    const sub = req.user!.sub;
    await deps.finance.categories.ensureSeeded(sub, new Date());
    const [record, s] = await Promise.all([deps.users.find(sub), deps.finance.coach.monthSummary(sub, month, todayUtc())]);
    res.json({
      month,
      currency: record?.currency ?? 'USD',
      income: s.income,
      expenses: s.expenses,
      savingsRate: s.savingsRate,
      categories: s.categories.map((c) => ({ name: c.name, group: c.group, spent: c.group === 'income' ? 0 : Math.max(0, c.spent), budget: c.budget })),
    });
  });

  return router;
}
