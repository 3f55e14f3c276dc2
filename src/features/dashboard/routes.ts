import express, { type RequestHandler, type Router } from 'express';
import { horizontalBars, pairedColumns } from '../coach/charts.js';
import { goalPacing } from '../coach/formulas.js';
import type { Finance } from '../finance.js';
import { addMonths, isMonth, monthOf, todayUtc } from '../money/dates.js';
import { formatMoney } from '../money/money.js';
import type { UsersService } from '../users/service.js';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const monthLabel = (m: string) => `${MONTH_NAMES[Number(m.slice(5)) - 1]} ${m.slice(0, 4)}`;

/**
 * The signed-in home: coaching for the chosen month. Guarded at router level (signed in,
 * verified email, MFA when required), so routes added here later are guarded too.
 */
export function dashboardRoutes(deps: { member: RequestHandler[]; users: UsersService; finance: Finance }): Router {
  const { finance } = deps;
  const router = express.Router();
  router.use(...deps.member);

  router.get('/', async (req, res) => {
    const sub = req.user!.sub;
    const today = todayUtc();
    const month = typeof req.query.month === 'string' && isMonth(req.query.month) ? req.query.month : monthOf(today);
    await finance.categories.ensureSeeded(sub, new Date());
    const [record, summary, monthTxns, goals, recentSaving] = await Promise.all([
      deps.users.find(sub),
      finance.coach.monthSummary(sub, month, today),
      finance.transactions.repeatedCharges(sub, month),
      finance.goals.list(sub),
      finance.coach.recentMonthlySaving(sub, monthOf(today)),
    ]);
    const currency = record?.currency ?? 'USD';
    const money = (minor: number) => formatMoney(minor, currency);
    const spending = summary.categories.filter((c) => (c.group === 'need' || c.group === 'want') && c.spent > 0).sort((a, b) => b.spent - a.spent);
    const budgeted = summary.categories.filter((c) => c.group !== 'income' && (c.budget !== 0 || c.carry !== 0));
    res.render('layout', {
      page: 'pages/dashboard',
      title: 'Dashboard',
      greetingName: record?.displayName ?? req.user!.name,
      month,
      monthName: monthLabel(month),
      prev: addMonths(month, -1),
      next: addMonths(month, 1),
      s: summary,
      money,
      spending,
      budgeted,
      alerts: budgeted.filter((c) => c.level === 'warning' || c.level === 'over'),
      unusual: summary.categories.filter((c) => c.unusual),
      duplicates: finance.coach.possibleDuplicates(monthTxns),
      charts: {
        byCategory: horizontalBars(spending.map((c) => ({ label: c.name, value: c.spent, display: money(c.spent) }))),
        history: pairedColumns(summary.history.map((h) => ({ label: MONTH_NAMES[Number(h.month.slice(5)) - 1]!, a: h.income, b: h.expenses }))),
        budgetVsActual: horizontalBars(
          budgeted.flatMap((c) => [
            { label: `${c.name} budget`, value: Math.max(0, c.budget + c.carry), display: money(c.budget + c.carry), kind: 'budget' },
            { label: `${c.name} spent`, value: c.spent, display: money(c.spent), kind: c.level === 'over' ? 'over' : 'spend' },
          ]),
        ),
      },
      goals: goals.map((g) => ({ ...g, pace: goalPacing(g, monthOf(today), recentSaving) })),
      historyRows: summary.history.map((h) => ({ label: monthLabel(h.month), income: money(h.income), expenses: money(h.expenses) })),
    });
  });
  return router;
}
