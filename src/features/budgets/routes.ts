import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { currencyView } from '../coach/currency-view.js';
import type { Finance } from '../finance.js';
import { addMonths, isMonth, monthLabel, monthOf } from '../../money/dates.js';
import { conversionNotice } from '../rates/convert-totals.js';
import { formatMoney, minorToInput, parseAmount } from '../../money/money.js';
import { withFields } from '../../lib/objects.js';

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

  type Fill = 'suggested' | 'copied';
  async function render(req: Request, res: Response, status: number, opts: { fill?: Fill; typed?: Record<string, string>; errors?: Record<string, string>; formError?: string } = {}) {
    const m = req.member!;
    const month = monthOfReq(req);
    const view = await viewOf(req);
    const [summary, categories, lastMonth] = await Promise.all([
      finance.coach.monthSummary(m.sub, month, m.today, view.currency, { main: m.currency }),
      finance.categories.list(m.sub),
      opts.fill === 'copied' ? finance.budgets.between(m.sub, view.currency, addMonths(month, -1), addMonths(month, -1)) : Promise.resolve([]),
    ]);
    const hidden = new Set(categories.filter((c) => c.hidden).map((c) => c.id));
    const copied = new Map(lastMonth.map((b) => [b.categoryId, b.amount]));
    const filled = (c: (typeof summary.categories)[number]): string => {
      const input = (minor: number) => minorToInput(minor, view.currency, m.numberStyle);
      if (opts.fill === 'suggested') return c.suggested !== null ? input(c.suggested) : '';
      if (opts.fill === 'copied') return copied.has(c.id) ? input(copied.get(c.id)!) : '';
      return c.budget ? input(c.budget) : '';
    };
    const rows = summary.categories
      // A hidden category stays while it has figures this month, so the totals still add up.
      .filter((c) => c.group !== 'income' && (!hidden.has(c.id) || c.budget !== 0 || c.spent !== 0 || c.carried !== 0))
      .map((c) => withFields(c, { input: opts.typed?.[c.id] ?? filled(c), error: opts.errors?.[c.id] ?? null }));
    const totals = budgetTotals(rows);
    const href = (mo: string) => `/budgets?${new URLSearchParams({ month: mo, ...(view.currency !== m.currency ? { currency: view.currency } : {}) })}`;
    res.status(status).render('layout', {
      page: 'budgets/index',
      title: 'Budgets',
      month,
      monthName: monthLabel(month),
      prev: { href: href(addMonths(month, -1)), label: monthLabel(addMonths(month, -1)) },
      next: { href: href(addMonths(month, 1)), label: monthLabel(addMonths(month, 1)) },
      totals,
      income: summary.income,
      toAssign: summary.income - totals.budget,
      fill: opts.fill ?? null,
      view,
      rows,
      uncategorized: summary.uncategorized,
      hasErrors: Object.keys(opts.errors ?? {}).length > 0 || opts.formError !== undefined,
      formError: opts.formError ?? null,
      money: (minor: number) => formatMoney(minor, view.currency),
      conversion: conversionNotice(summary.conversion, formatMoney),
    });
  }

  router.get('/', function budgetsGetIndex(req, res) { return render(req, res, 200); });
  router.post('/suggest', function budgetsPostSuggest(req, res) { return render(req, res, 200, { fill: 'suggested' }); });
  router.post('/copy', function budgetsPostCopy(req, res) { return render(req, res, 200, { fill: 'copied' }); });

  router.post('/', async function budgetsPostIndex(req, res) {
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
      const parsed = parseAmount(raw, currency, m.numberStyle);
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
    req.flash(`Saved the budgets for ${monthLabel(month)}.`);
    res.redirect(303, `/budgets?${new URLSearchParams({ month, ...(currency !== m.currency ? { currency } : {}) })}`);
  });

  return router;
}

/** The budget table's totals row: each column the sum of the rows above it (available only over budgeted rows, as they show it). */
export function budgetTotals(rows: ReadonlyArray<{ budget: number; carried: number; spent: number; available: number; budgeted: boolean }>) {
  const t = { budget: 0, carried: 0, spent: 0, available: 0 };
  for (const r of rows) {
    t.budget += r.budget;
    t.carried += r.carried;
    t.spent += r.spent;
    if (r.budgeted) t.available += r.available;
  }
  return t;
}
