import { LRUCache } from 'lru-cache';
import type { Member } from '../../http/load-member.js';
import { atBothWidths, horizontalBars, pairedColumns } from '../coach/charts.js';
import { currencyView } from '../coach/currency-view.js';
import { paceGoals } from '../coach/formulas.js';
import type { Finance } from '../finance.js';
import { addMonths, monthLabel, monthOf, shortMonthName } from '../../money/dates.js';
import { formatMoney, rememberingFormatter } from '../../money/money.js';
import { conversionNotice } from '../rates/convert-totals.js';
import { forecastView, upcomingView } from '../schedules/view.js';
import { insightsFor } from './insights.js';
import type { DashboardRepository } from './repository.js';
import { keepable } from '../../lib/freeze.js';
import { withFields } from '../../lib/objects.js';

export interface DashboardCacheLimits {
  /**
   * Pages (one person's month in one currency) kept in all, the least recently seen person's
   * dropped first; 0 turns the cache off. A page of the demo's year is about 105 KB: its figures
   * 42 KB, their markup (views/dashboard/_summary.ejs, _details.ejs) 64 KB.
   */
  pages: number;
  /** Pages kept per person, the oldest dropped first. */
  pagesPerPerson: number;
}

/** At most about 21 MB of kept pages per process. */
export const DASHBOARD_CACHE: DashboardCacheLimits = { pages: 200, pagesPerPerson: 6 };

type Figures = Awaited<ReturnType<typeof computeFigures>>;

/**
 * The dashboard's figures for one month in one currency: everything the page shows but the
 * greeting. They are kept per person and page, and used again only while the person's ledger
 * version is unchanged: the database moves it on every ledger change (migration-021), whatever
 * the write path, the process or the instance. Today and the main currency are part of the key.
 * The version is read before the figures, so figures read during a change are kept under the
 * version they began with, which that change has already left behind.
 */
export function createDashboardService(deps: { finance: Finance; versions: DashboardRepository; limits?: DashboardCacheLimits }) {
  const limits = deps.limits ?? DASHBOARD_CACHE;
  const cache = limits.pages > 0 ? new LRUCache<string, { version: string; pages: Map<string, Figures> }>({ maxSize: limits.pages, sizeCalculation: (p) => Math.max(1, p.pages.size) }) : null;

  return {
    async figures(m: Member, month: string, requestedCurrency: unknown): Promise<Figures> {
      // Only a currency code can name a view; anything else means the main currency.
      const requested = typeof requestedCurrency === 'string' && /^[A-Z]{3}$/.test(requestedCurrency) ? requestedCurrency : m.currency;
      if (!cache) return computeFigures(deps.finance, m, month, requested);
      const version = await deps.versions.ledgerVersion(m.sub);
      let person = cache.get(m.sub);
      if (person?.version !== version) {
        person = { version, pages: new Map() };
        cache.set(m.sub, person);
      }
      const key = `${m.today} ${m.currency} ${month} ${requested}`;
      const kept = person.pages.get(key);
      if (kept) return kept;
      // Kept figures are shared by every later view of the page: nothing may change them.
      const figures = keepable(await computeFigures(deps.finance, m, month, requested));
      if (person.pages.size >= limits.pagesPerPerson) person.pages.delete(person.pages.keys().next().value!);
      person.pages.set(key, figures);
      // Set anew (a new entry object: lru-cache counts sizes only on a changed value), so the
      // person's pages are counted again and others dropped past the bound.
      if (cache.get(m.sub)?.pages === person.pages) cache.set(m.sub, { version, pages: person.pages });
      return figures;
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;

async function computeFigures(finance: Finance, m: Member, month: string, requested: string) {
  const accounts = await finance.accounts.list(m.sub, { includeArchived: true });
  const view = currencyView(requested, m.currency, accounts);
  const [summary, repeated, goals, upcoming] = await Promise.all([
    finance.coach.monthSummary(m.sub, month, m.today, view.currency, { main: m.currency }),
    finance.transactions.repeatedCharges(m.sub, month, view.currency),
    finance.goals.list(m.sub),
    finance.planning.upcoming(m.sub, m.today, 14, 8),
  ]);
  // Schedules make a forecast worth reading: its warnings show here too.
  const warnings = upcoming.length ? (await finance.planning.forecast(m.sub, m.today)).filter((f) => f.warning) : [];
  const savingByCurrency = await finance.coach.recentMonthlySaving(m.sub, monthOf(m.today), goals.map((g) => g.currency));
  // Kept with the figures, so a kept page's amounts are formatted once.
  const money = rememberingFormatter(view.currency);
  const spending = summary.categories.filter((c) => (c.group === 'need' || c.group === 'want') && c.spent !== 0).sort((a, b) => b.spent - a.spent);
  const budgeted = summary.categories.filter((c) => c.budgeted);
  const u = summary.uncategorized;
  const bars = [...spending.map((c) => ({ label: c.name, value: c.spent, display: money(c.spent) })), ...(u.spent ? [{ label: 'Uncategorized', value: u.spent, display: money(u.spent), kind: 'uncategorized' }] : [])];
  const query = (params: Record<string, string>) => new URLSearchParams({ ...params, ...(view.currency !== m.currency ? { currency: view.currency } : {}) }).toString();
  return {
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
    goals: paceGoals(goals, monthOf(m.today), savingByCurrency).map((g) => withFields(g, { money: rememberingFormatter(g.currency) })),
    conversion: conversionNotice(summary.conversion, formatMoney),
    upcoming: upcomingView(upcoming, accounts),
    forecastWarnings: forecastView(warnings),
    historyRows: summary.history.map((h) => ({ label: monthLabel(h.month), income: money(h.income), expenses: money(h.expenses) })),
  };
}
