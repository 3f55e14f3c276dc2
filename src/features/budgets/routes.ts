import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { currencyView } from '../coach/currency-view.js';
import type { Finance } from '../finance.js';
import { isMonth, monthOf } from '../money/dates.js';
import { conversionNotice } from '../rates/convert-totals.js';
import { formatMoney, minorToInput, parseAmount } from '../money/money.js';

/**
 * /budgets: a monthly amount per category, in one currency at a time. "Suggest budgets" fills
 * the form with the median of the last 3-6 months, for the person to adjust and save; nothing is
 * saved until they do.
 */
export function budgetRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  const field = (req: Request, name: string) => (req.body as Record<string, unknown> | undefined)?.[name] ?? req.query[name];
  const monthOfReq = (req: Request) => {
    const m = field(req, 'month');
    return typeof m === 'string' && isMonth(m) ? m : monthOf(req.member!.today);
  };
  const viewOf = async (req: Request) => currencyView(field(req, 'currency'), req.member!.currency, await finance.accounts.list(req.member!.sub, { includeArchived: true }));

  async function render(req: Request, res: Response, status: number, opts: { suggest?: boolean; typed?: Record<string, string>; errors?: Record<string, string>; formError?: string } = {}) {
    const m = req.member!;
    const month = monthOfReq(req);
    const view = await viewOf(req);
    const summary = await finance.coach.monthSummary(m.sub, month, m.today, view.currency, { main: m.currency });
    const rows = summary.categories
      .filter((c) => c.group !== 'income')
      .map((c) => ({
        ...c,
        input: opts.typed?.[c.id] ?? (opts.suggest && c.suggested !== null ? minorToInput(c.suggested, view.currency) : c.budget ? minorToInput(c.budget, view.currency) : ''),
        error: opts.errors?.[c.id] ?? null,
      }));
    res.status(status).render('layout', {
      page: 'budgets/index',
      title: 'Budgets',
      month,
      view,
      rows,
      uncategorized: summary.uncategorized,
      suggested: opts.suggest === true,
      hasErrors: Object.keys(opts.errors ?? {}).length > 0 || opts.formError !== undefined,
      formError: opts.formError ?? null,
      money: (minor: number) => formatMoney(minor, view.currency),
      conversion: conversionNotice(summary.conversion, formatMoney),
    });
  }

  router.get('/', (req, res) => render(req, res, 200));
  router.post('/suggest', (req, res) => render(req, res, 200, { suggest: true }));

  router.post('/', async (req, res) => {
    const m = req.member!;
    const month = monthOfReq(req);
    const { currency } = await viewOf(req);
    const categories = (await finance.categories.list(m.sub)).filter((c) => c.group !== 'income');
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
    try {
      await finance.budgets.setMonth(m.sub, month, currency, amounts);
    } catch (err) {
      if (err instanceof HttpError && err.status === 400) return render(req, res, 400, { typed, formError: err.publicMessage });
      throw err;
    }
    res.redirect(303, `/dashboard?${new URLSearchParams({ month, ...(currency !== m.currency ? { currency } : {}) })}`);
  });

  return router;
}
