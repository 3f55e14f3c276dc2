import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { goalPacing } from '../coach/formulas.js';
import type { Finance } from '../finance.js';
import { addMonths, isCalendarDate, monthOf, todayUtc } from '../money/dates.js';
import { formatMoney, parseAmount } from '../money/money.js';
import type { UsersService } from '../users/service.js';

/** /goals: savings goals with their pacing; a goal is on track when recent saving covers the monthly amount needed. */
export function goalRoutes(deps: { member: RequestHandler[]; finance: Finance; users: UsersService }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  async function render(req: Request, res: Response, status: number, form: { errors: Record<string, string>; typed: Record<string, string> } = { errors: {}, typed: {} }) {
    const sub = req.user!.sub;
    const today = todayUtc();
    const month = monthOf(today);
    const currency = (await deps.users.find(sub))?.currency ?? 'USD';
    const [goals, recent] = await Promise.all([finance.goals.list(sub), finance.coach.recentMonthlySaving(sub, month)]);
    res.status(status).render('layout', {
      page: 'goals/index',
      title: 'Goals',
      from: addMonths(month, -3),
      to: addMonths(month, -1),
      recent,
      goals: goals.map((g) => ({ ...g, pace: goalPacing(g, month, recent) })),
      money: (m: number) => formatMoney(m, currency),
      ...form,
    });
  }

  router.get('/', (req, res) => render(req, res, 200));

  router.post('/', async (req, res) => {
    const sub = req.user!.sub;
    const currency = (await deps.users.find(sub))?.currency ?? 'USD';
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = Object.fromEntries(['name', 'target', 'saved', 'targetDate'].map((k) => [k, typeof body[k] === 'string' ? (body[k] as string) : '']));
    const errors: Record<string, string> = {};
    const name = typed.name!.trim();
    if (name === '' || name.length > 80) errors.name = 'Enter a name of up to 80 characters.';
    const target = parseAmount(typed.target!, currency);
    if (!target.ok) errors.target = target.error;
    else if (target.minor <= 0) errors.target = 'The target must be above zero.';
    const saved = typed.saved!.trim() === '' ? ({ ok: true, minor: 0 } as const) : parseAmount(typed.saved!, currency);
    if (!saved.ok) errors.saved = saved.error;
    else if (saved.minor < 0) errors.saved = 'Saved so far cannot be negative.';
    if (!isCalendarDate(typed.targetDate!)) errors.targetDate = 'Enter a real date as YYYY-MM-DD.';
    else if (typed.targetDate! <= todayUtc()) errors.targetDate = 'Choose a date in the future.';
    if (Object.keys(errors).length > 0 || !target.ok || !saved.ok) return render(req, res, 400, { errors, typed });
    await finance.goals.create(sub, { name, target: target.minor, saved: saved.minor, targetDate: typed.targetDate! }, new Date());
    res.redirect(303, '/goals');
  });

  return router;
}
