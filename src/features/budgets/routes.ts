import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Finance } from '../finance.js';
import { isMonth, monthOf, todayUtc } from '../money/dates.js';
import { formatMoney, minorToInput, parseAmount } from '../money/money.js';
import type { UsersService } from '../users/service.js';

/**
 * /budgets: a monthly amount per category. "Suggest budgets" fills the form with the median of
 * the last 3-6 months, for the person to adjust and save; nothing is saved until they do.
 */
export function budgetRoutes(deps: { member: RequestHandler[]; finance: Finance; users: UsersService }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  const monthOfReq = (req: Request) => {
    const m = (req.body as Record<string, unknown> | undefined)?.month ?? req.query.month;
    return typeof m === 'string' && isMonth(m) ? m : monthOf(todayUtc());
  };

  async function render(req: Request, res: Response, status: number, opts: { suggest?: boolean; typed?: Record<string, string>; errors?: Record<string, string> } = {}) {
    const sub = req.user!.sub;
    const month = monthOfReq(req);
    await finance.categories.ensureSeeded(sub, new Date());
    const [record, summary] = await Promise.all([deps.users.find(sub), finance.coach.monthSummary(sub, month, todayUtc())]);
    const currency = record?.currency ?? 'USD';
    const rows = summary.categories
      .filter((c) => c.group !== 'income')
      .map((c) => ({
        ...c,
        input: opts.typed?.[c.id] ?? (opts.suggest && c.suggested !== null ? minorToInput(c.suggested, currency) : c.budget ? minorToInput(c.budget, currency) : ''),
        error: opts.errors?.[c.id] ?? null,
      }));
    res.status(status).render('layout', {
      page: 'budgets/index',
      title: 'Budgets',
      month,
      rows,
      suggested: opts.suggest === true,
      hasErrors: Object.keys(opts.errors ?? {}).length > 0,
      money: (m: number) => formatMoney(m, currency),
    });
  }

  router.get('/', (req, res) => render(req, res, 200));
  router.post('/suggest', (req, res) => render(req, res, 200, { suggest: true }));

  router.post('/', async (req, res) => {
    const sub = req.user!.sub;
    const month = monthOfReq(req);
    const currency = (await deps.users.find(sub))?.currency ?? 'USD';
    const categories = (await finance.categories.list(sub)).filter((c) => c.group !== 'income');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed: Record<string, string> = {};
    const errors: Record<string, string> = {};
    const amounts: Array<{ categoryId: string; amount: number }> = [];
    for (const c of categories) {
      const raw = body[`amount_${c.id}`];
      if (raw === undefined) continue;
      if (typeof raw !== 'string') {
        errors[c.id] = 'Send this amount once.';
        continue;
      }
      typed[c.id] = raw;
      if (raw.trim() === '') {
        amounts.push({ categoryId: c.id, amount: 0 });
        continue;
      }
      const parsed = parseAmount(raw, currency);
      if (!parsed.ok) errors[c.id] = parsed.error;
      else if (parsed.minor < 0) errors[c.id] = 'A budget cannot be negative.';
      else amounts.push({ categoryId: c.id, amount: parsed.minor });
    }
    // All or nothing: one bad amount and nothing is saved, with every problem shown.
    if (Object.keys(errors).length > 0) return render(req, res, 400, { typed, errors });
    await finance.budgets.setMonth(sub, month, amounts);
    res.redirect(303, `/dashboard?month=${month}`);
  });

  return router;
}
