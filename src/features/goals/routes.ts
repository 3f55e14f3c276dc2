import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { goalPacing } from '../coach/formulas.js';
import type { Finance } from '../finance.js';
import { addMonths, DATE_RANGE_TEXT, isCalendarDate, monthOf } from '../money/dates.js';
import { formatMoney, parseAmount } from '../money/money.js';
import { MAX_GOALS } from './repository.js';


/** /goals: savings goals with their pacing; a goal is on track when recent saving covers the monthly amount needed. */
export function goalRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function render(req: Request, res: Response, status: number, form: { errors: Record<string, string>; typed: Record<string, string> } = { errors: {}, typed: {} }) {
    const { sub, currency } = req.member!;
    const month = monthOf(req.member!.today);
    const goals = await finance.goals.list(sub);
    // Each goal is in its own currency, and is paced by saving in that currency.
    const recentBy = await finance.coach.recentMonthlySaving(sub, month, [currency, ...goals.map((g) => g.currency)]);
    res.status(status).render('layout', {
      page: 'goals/index',
      title: 'Goals',
      from: addMonths(month, -3),
      to: addMonths(month, -1),
      recent: recentBy.get(currency) ?? 0,
      goals: goals.map((g) => ({ ...g, money: (m: number) => formatMoney(m, g.currency), pace: goalPacing(g, month, recentBy.get(g.currency) ?? 0) })),
      money: (m: number) => formatMoney(m, currency),
      ...form,
    });
  }

  router.get('/', (req, res) => render(req, res, 200));

  router.post('/', async (req, res) => {
    const { sub, currency } = req.member!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = Object.fromEntries(['name', 'target', 'saved', 'targetDate'].map((k) => [k, typeof body[k] === 'string' ? (body[k] as string) : '']));
    const errors: Record<string, string> = {};
    const name = typed.name!.trim();
    if (name === '' || name.length > 80) errors.name = 'Enter a name of up to 80 characters.';
    else if ((await finance.goals.list(sub)).length >= MAX_GOALS) errors.name = `You have ${MAX_GOALS} goals, the most there can be.`;
    const target = parseAmount(typed.target!, currency);
    if (!target.ok) errors.target = target.error;
    else if (target.minor <= 0) errors.target = 'The target must be above zero.';
    const saved = typed.saved!.trim() === '' ? ({ ok: true, minor: 0 } as const) : parseAmount(typed.saved!, currency);
    if (!saved.ok) errors.saved = saved.error;
    else if (saved.minor < 0) errors.saved = 'Saved so far cannot be negative.';
    if (!isCalendarDate(typed.targetDate!)) errors.targetDate = `Enter a real date as YYYY-MM-DD, ${DATE_RANGE_TEXT}.`;
    else if (typed.targetDate! <= req.member!.today) errors.targetDate = 'Choose a date in the future.';
    if (Object.keys(errors).length > 0 || !target.ok || !saved.ok) return render(req, res, 400, { errors, typed });
    await finance.goals.create(sub, { name, target: target.minor, saved: saved.minor, targetDate: typed.targetDate!, currency }, req.member!.now);
    res.redirect(303, '/goals');
  });

  return router;
}
