import express, { type RequestHandler, type Router } from 'express';
import { atBothWidths, horizontalBars, pairedColumns } from '../coach/charts.js';
import { currencyView } from '../coach/currency-view.js';
import { paceGoals } from '../coach/formulas.js';
import type { Finance } from '../finance.js';
import { addMonths, isMonth, monthLabel, monthOf, shortMonthName } from '../money/dates.js';
import { conversionNotice } from '../rates/convert-totals.js';
import { formatMoney } from '../money/money.js';
import { insightsFor } from './insights.js';
import { forecastView, upcomingView } from '../schedules/view.js';

export { monthLabel };

/**
 * The signed-in home: coaching for the chosen month in one currency. Guarded at router level
 * (signed in, verified email, MFA when required), so routes added here later are guarded too.
 */
export function dashboardRoutes(deps: { member: RequestHandler[]; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  router.get('/', async (req, res) => {
    const m = req.member!;
    const month = typeof req.query.month === 'string' && isMonth(req.query.month) ? req.query.month : monthOf(m.today);
    const accounts = await finance.accounts.list(m.sub, { includeArchived: true });
    const view = currencyView(req.query.currency, m.currency, accounts);
    const [summary, repeated, goals, upcoming] = await Promise.all([
      finance.coach.monthSummary(m.sub, month, m.today, view.currency, { main: m.currency }),
      finance.transactions.repeatedCharges(m.sub, month, view.currency),
      finance.goals.list(m.sub),
      finance.planning.upcoming(m.sub, m.today, 14, 8),
    ]);
    // Schedules make a forecast worth reading: its warnings show here too.
    const warnings = upcoming.length ? (await finance.planning.forecast(m.sub, m.today)).filter((f) => f.warning) : [];
    const savingByCurrency = await finance.coach.recentMonthlySaving(m.sub, monthOf(m.today), goals.map((g) => g.currency));
    const money = (minor: number) => formatMoney(minor, view.currency);
    const spending = summary.categories.filter((c) => (c.group === 'need' || c.group === 'want') && c.spent !== 0).sort((a, b) => b.spent - a.spent);
    const budgeted = summary.categories.filter((c) => c.budgeted);
    const u = summary.uncategorized;
    const bars = [...spending.map((c) => ({ label: c.name, value: c.spent, display: money(c.spent) })), ...(u.spent ? [{ label: 'Uncategorized', value: u.spent, display: money(u.spent), kind: 'uncategorized' }] : [])];
    const query = (params: Record<string, string>) => new URLSearchParams({ ...params, ...(view.currency !== m.currency ? { currency: view.currency } : {}) }).toString();
    res.render('layout', {
      page: 'pages/dashboard',
      title: 'Dashboard',
      greetingName: m.displayName ?? req.user!.name,
      month,
      monthName: monthLabel(month),
      prevHref: `/dashboard?${query({ month: addMonths(month, -1) })}`,
      nextHref: `/dashboard?${query({ month: addMonths(month, 1) })}`,
      view,
      s: summary,
      money,
      spending,
      budgeted,
      insights: insightsFor(summary, finance.coach.possibleDuplicates(repeated), money),
      charts: {
        byCategory: atBothWidths((width) => horizontalBars(bars, width)),
        history: atBothWidths((width) => pairedColumns(summary.history.map((h) => ({ label: shortMonthName(h.month), a: h.income, b: h.expenses })), width)),
        budgetVsActual: atBothWidths((width) => horizontalBars(
          budgeted.flatMap((c) => [
            { label: `${c.name} budget`, value: Math.max(0, c.budget + c.carried), display: money(c.budget + c.carried), kind: 'budget' },
            { label: `${c.name} spent`, value: c.spent, display: money(c.spent), kind: c.level === 'over' ? 'over' : 'spend' },
          ]),
          width,
        )),
      },
      goals: paceGoals(goals, monthOf(m.today), savingByCurrency).map((g) => ({ ...g, money: (minor: number) => formatMoney(minor, g.currency) })),
      conversion: conversionNotice(summary.conversion, formatMoney),
      upcoming: upcomingView(upcoming, accounts),
      forecastWarnings: forecastView(warnings),
      historyRows: summary.history.map((h) => ({ label: monthLabel(h.month), income: money(h.income), expenses: money(h.expenses) })),
    });
  });
  return router;
}
