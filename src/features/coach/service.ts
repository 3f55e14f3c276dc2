import type { CategoryGroup } from '../../db/schema.js';
import type { BudgetsRepository } from '../budgets/repository.js';
import type { CategoriesRepository } from '../categories/repository.js';
import { addMonths, daysBetween, monthOf, monthRange } from '../../money/dates.js';
import type { MonthTotal, TransactionsRepository } from '../transactions/repository.js';
import type { DayTotalsRepository } from '../transactions/day-totals.js';
import type { RatesRepository } from '../rates/repository.js';
import { withConverted, type Unconverted } from '../rates/convert-totals.js';
import {
  budgetHealth,
  carriedInto,
  fiftyThirtyTwenty,
  isUnusual,
  leftToSpendPerDay,
  possibleDuplicates,
  savingsRate,
  suggestedBudget,
  type HealthLevel,
  type Rate,
  type Split,
} from './formulas.js';

export interface CategoryMonth {
  id: string;
  name: string;
  group: CategoryGroup;
  /** Money out less refunds, as a positive number (money in for income categories). */
  spent: number;
  budget: number;
  /** Carried in from last month: its available, surplus (+) or deficit (-). 0 before the category's first budget. */
  carried: number;
  /** budget + carried - spent. */
  available: number;
  /** The category has had a budget in this month or an earlier one: it takes part in rollover. */
  budgeted: boolean;
  percent: number | null;
  level: HealthLevel;
  suggested: number | null;
  unusual: boolean;
}

/** Money with no category in the month: spending and money in kept apart, never netted. */
export interface Uncategorized {
  /** How many transactions have no category (money in and out). */
  count: number;
  /** Money out, as a positive number; counts in expenses but in no 50/30/20 group. */
  spent: number;
  spentCount: number;
  /** Money in; counts in income until it is categorised. */
  received: number;
}

export interface MonthSummary {
  month: string;
  currency: string;
  range: { first: string; last: string };
  /** The month is under way on `today`: its figures are to date. */
  inProgress: boolean;
  income: number;
  /** Net transfers into savings and investment accounts this month (part of `saved`; never income or spending). */
  movedToSavings: number;
  /** Needs + wants + uncategorized spending. Always equals the sum of those categories' spent plus uncategorized.spent. */
  expenses: number;
  saved: number;
  net: number;
  savingsRate: Rate;
  categories: CategoryMonth[];
  uncategorized: Uncategorized;
  totals: { budget: number; spent: number; leftPerDay: number | null; daysLeft: number | null };
  split: Split[];
  history: Array<{ month: string; income: number; expenses: number }>;
  /**
   * In the main currency: the other currencies whose amounts were converted in (at each day's
   * rate), and those of this month with no rate yet (left out, listed). Null when nothing was converted.
   */
  conversion: { from: string[]; unconverted: Unconverted[]; earlierDaysWithoutRate: number } | null;
}

const SPENDING: ReadonlySet<CategoryGroup> = new Set(['need', 'want']);

/** One category's month: its budget and what was spent. */
interface MonthEntry {
  month: string;
  budget: number;
  spent: number;
}

/** Turns a category's signed total into "spent" for its group: money out is positive. */
function spentOf(group: CategoryGroup, total: number): number {
  // `+ 0` turns -0 into 0, so an empty month never shows as "-$0.00".
  return (group === 'income' ? total : -total) + 0;
}

/** Income and expenses of one month from its stored totals (uncategorized money split by sign). */
function flows(totals: MonthTotal[], groupOf: (id: string) => CategoryGroup | undefined) {
  let income = 0;
  let expenses = 0;
  for (const t of totals) {
    if (t.categoryId === null) {
      income += t.total - t.out;
      expenses -= t.out;
      continue;
    }
    const g = groupOf(t.categoryId);
    if (g === 'income') income += t.total;
    else if (g && SPENDING.has(g)) expenses -= t.total;
  }
  return { income: income + 0, expenses: expenses + 0 };
}

export function createCoachService(deps: { transactions: TransactionsRepository; budgets: BudgetsRepository; categories: CategoriesRepository; dayTotals: DayTotalsRepository; rates: RatesRepository }) {
  return {
    /**
     * Everything the dashboard, the budgets page and the summary API show for one month in one
     * currency, from the stored monthly totals and budgets of the whole history (rollover has no
     * look-back window). Work is linear in the number of stored month rows.
     */
    async monthSummary(userSub: string, month: string, today: string, currency: string, opts: { main?: string } = {}): Promise<MonthSummary> {
      const range = monthRange(month);
      // The main currency's view takes the other currencies in, converted at each day's rate.
      const converting = opts.main !== undefined && currency === opts.main;
      const [categories, mainTotals, budgets, moved, days, series] = await Promise.all([
        deps.categories.list(userSub),
        deps.transactions.monthlyTotals(userSub, currency, null, month),
        deps.budgets.between(userSub, currency, null, month),
        deps.transactions.movedToSavings(userSub, currency, month, month),
        converting ? deps.dayTotals.otherCurrencies(userSub, currency, month) : Promise.resolve([]),
        converting ? deps.rates.series(userSub, currency) : Promise.resolve(new Map()),
      ]);
      const merged = days.length ? withConverted(mainTotals, days, series, currency, month) : null;
      const totals = merged?.totals ?? mainTotals;
      const groupById = new Map(categories.map((c) => [c.id, c.group]));
      // Per category, its months with a budget or spending: what rollover and the past months read.
      const entries = new Map<string, Map<string, MonthEntry>>();
      const entry = (id: string, m: string) => {
        let months = entries.get(id);
        if (!months) entries.set(id, (months = new Map()));
        let e = months.get(m);
        if (!e) months.set(m, (e = { month: m, budget: 0, spent: 0 }));
        return e;
      };
      for (const t of totals) if (t.categoryId !== null) entry(t.categoryId, t.month).spent = spentOf(groupById.get(t.categoryId) ?? 'need', t.total);
      for (const b of budgets) entry(b.categoryId, b.month).budget = b.amount;

      // Past months for suggestions and unusual spending: completed ones only.
      const currentMonth = monthOf(today);
      const pastEnd = month < currentMonth ? month : currentMonth;
      const pastMonths = Array.from({ length: 6 }, (_, i) => addMonths(pastEnd, i - 6));

      const rows: CategoryMonth[] = categories.map((c) => {
        const months = entries.get(c.id) ?? new Map<string, MonthEntry>();
        const { spent = 0, budget = 0 } = months.get(month) ?? {};
        const income = c.group === 'income';
        const { budgeted, carried } = income ? { budgeted: false, carried: 0 } : carriedInto([...months.values()], month);
        const health = budgetHealth(budget + carried, spent);
        const past = dropLeadingZeros(pastMonths.map((m) => months.get(m)?.spent ?? 0));
        return {
          id: c.id,
          name: c.name,
          group: c.group,
          spent,
          budget,
          carried,
          available: income ? 0 : budget + carried - spent,
          budgeted,
          percent: health.percent,
          level: budgeted ? health.level : 'none',
          suggested: income ? null : suggestedBudget(past),
          unusual: !income && month <= currentMonth && isUnusual(spent, past),
        };
      });

      const byMonth = new Map<string, MonthTotal[]>();
      for (const t of totals) {
        const list = byMonth.get(t.month);
        if (list) list.push(t);
        else byMonth.set(t.month, [t]);
      }
      const loose = byMonth.get(month)?.find((t) => t.categoryId === null);
      const uncategorized: Uncategorized = {
        count: loose?.count ?? 0,
        spent: -(loose?.out ?? 0) + 0,
        spentCount: loose?.outCount ?? 0,
        received: (loose ? loose.total - loose.out : 0) + 0,
      };
      const sumGroup = (g: CategoryGroup) => rows.filter((r) => r.group === g).reduce((s, r) => s + r.spent, 0);
      const need = sumGroup('need');
      const want = sumGroup('want');
      const movedToSavings = moved.get(month) ?? 0;
      const saved = sumGroup('saving') + movedToSavings;
      const income = sumGroup('income') + uncategorized.received;
      const expenses = need + want + uncategorized.spent;
      const budgetTotal = rows.filter((r) => SPENDING.has(r.group) && r.budgeted).reduce((s, r) => s + r.budget + r.carried, 0);
      const inProgress = today >= range.first && today <= range.last;
      const daysLeft = inProgress ? daysBetween(today, range.last) : null;

      const history = Array.from({ length: 12 }, (_, i) => addMonths(month, i - 11)).map((m) => ({ month: m, ...flows(byMonth.get(m) ?? [], (id) => groupById.get(id)) }));

      return {
        month,
        currency,
        range,
        inProgress,
        income,
        movedToSavings,
        expenses,
        saved,
        net: income - expenses,
        savingsRate: savingsRate(income, expenses),
        categories: rows,
        uncategorized,
        totals: {
          budget: budgetTotal,
          spent: expenses,
          leftPerDay: daysLeft === null || budgetTotal === 0 ? null : leftToSpendPerDay(budgetTotal - expenses, daysLeft),
          daysLeft,
        },
        split: fiftyThirtyTwenty(income, need, want, saved, uncategorized.spent),
        history,
        conversion: merged && { from: merged.convertedFrom, unconverted: merged.unconverted, earlierDaysWithoutRate: merged.earlierDaysWithoutRate },
      };
    },

    /**
     * Average saved per month (saving categories plus transfers into savings accounts) over the three months before `month`, per currency
     * (goals are paced in their own currency), for each currency asked for.
     */
    async recentMonthlySaving(userSub: string, month: string, currencies: Iterable<string>): Promise<Map<string, number>> {
      const saving = new Set((await deps.categories.list(userSub)).filter((c) => c.group === 'saving').map((c) => c.id));
      const out = new Map<string, number>();
      for (const currency of new Set(currencies)) {
        const [totals, moved] = await Promise.all([
          deps.transactions.monthlyTotals(userSub, currency, addMonths(month, -3), addMonths(month, -1)),
          deps.transactions.movedToSavings(userSub, currency, addMonths(month, -3), addMonths(month, -1)),
        ]);
        const byCategory = totals.filter((t) => t.categoryId && saving.has(t.categoryId)).reduce((s, t) => s - t.total, 0);
        out.set(currency, Math.round((byCategory + [...moved.values()].reduce((s, v) => s + v, 0)) / 3));
      }
      return out;
    },

    possibleDuplicates,
  };
}

export type CoachService = ReturnType<typeof createCoachService>;

function dropLeadingZeros(values: number[]): number[] {
  const first = values.findIndex((v) => v !== 0);
  return first === -1 ? [] : values.slice(first);
}
