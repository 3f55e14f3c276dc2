import type { CategoryGroup } from '../../db/schema.js';
import type { BudgetsRepository } from '../budgets/repository.js';
import type { CategoriesRepository, Category } from '../categories/repository.js';
import { addMonths, daysBetween, monthRange } from '../money/dates.js';
import type { TransactionsRepository } from '../transactions/repository.js';
import {
  budgetHealth,
  fiftyThirtyTwenty,
  isUnusual,
  leftToSpendPerDay,
  possibleDuplicates,
  rolloverCarries,
  savingsRate,
  suggestedBudget,
  type HealthLevel,
  type Split,
} from './formulas.js';

/** How far back rollover looks: a carry older than a year is not worth the query. */
const ROLLOVER_MONTHS = 12;

export interface CategoryMonth {
  id: string;
  name: string;
  group: CategoryGroup;
  /** Money out, as a positive number (money in for income categories). */
  spent: number;
  budget: number;
  /** Carried from earlier months: surplus (+) or deficit (-). */
  carry: number;
  available: number;
  percent: number | null;
  level: HealthLevel;
  suggested: number | null;
  unusual: boolean;
}

export interface MonthSummary {
  month: string;
  range: { first: string; last: string };
  income: number;
  expenses: number;
  saved: number;
  net: number;
  savingsRate: number | null;
  categories: CategoryMonth[];
  totals: { budget: number; spent: number; leftPerDay: number | null; daysLeft: number | null };
  split: Split[];
  history: Array<{ month: string; income: number; expenses: number }>;
}

/** Turns a category's signed total into "spent" for its group: money out is positive. */
function spentOf(group: CategoryGroup, total: number): number {
  // `+ 0` turns -0 into 0, so an empty month never shows as "-$0.00".
  return (group === 'income' ? total : -total) + 0;
}

export function createCoachService(deps: { transactions: TransactionsRepository; budgets: BudgetsRepository; categories: CategoriesRepository }) {
  return {
    /** Everything the dashboard and the summary API show for one month, computed from the stored monthly totals and budgets. */
    async monthSummary(userSub: string, month: string, today: string): Promise<MonthSummary> {
      const from = addMonths(month, -ROLLOVER_MONTHS);
      const range = monthRange(month);
      const [categories, totals, budgets] = await Promise.all([
        deps.categories.list(userSub),
        deps.transactions.monthlyTotals(userSub, from, month),
        deps.budgets.between(userSub, from, month),
      ]);
      const months = Array.from({ length: ROLLOVER_MONTHS + 1 }, (_, i) => addMonths(from, i));
      const byKey = new Map(totals.map((t) => [`${t.month}|${t.categoryId ?? ''}`, t.total]));
      const budgetByKey = new Map(budgets.map((b) => [`${b.month}|${b.categoryId}`, b.amount]));
      const byId = new Map<string, Category>(categories.map((c) => [c.id, c]));

      const rows: CategoryMonth[] = categories.map((c) => {
        const series = months.map((m) => ({ budget: budgetByKey.get(`${m}|${c.id}`) ?? 0, spent: spentOf(c.group, byKey.get(`${m}|${c.id}`) ?? 0) }));
        const current = series[series.length - 1]!;
        // A carry exists only once the category has been budgeted; spending before that is not a debt.
        const firstBudgeted = series.findIndex((s) => s.budget !== 0);
        const carry = c.group === 'income' || firstBudgeted === -1 ? 0 : rolloverCarries(series.slice(firstBudgeted)).at(-1)!;
        // Past months since the category was first used: months before that say nothing about its normal level.
        const past = dropLeadingZeros(series.slice(0, -1).map((s) => s.spent));
        const health = budgetHealth(current.budget + carry, current.spent);
        return {
          id: c.id,
          name: c.name,
          group: c.group,
          spent: current.spent,
          budget: current.budget,
          carry,
          available: health.available,
          percent: health.percent,
          level: c.group === 'income' ? 'none' : health.level,
          suggested: c.group === 'income' ? null : suggestedBudget(past.slice(-6)),
          unusual: c.group !== 'income' && isUnusual(current.spent, past.slice(-6)),
        };
      });

      const uncategorized = byKey.get(`${month}|`) ?? 0;
      const sumGroup = (g: CategoryGroup) => rows.filter((r) => r.group === g).reduce((s, r) => s + r.spent, 0);
      const income = sumGroup('income');
      const need = sumGroup('need') + Math.max(0, -uncategorized);
      const want = sumGroup('want');
      const saved = sumGroup('saving');
      const expenses = need + want;
      const spending = rows.filter((r) => r.group === 'need' || r.group === 'want');
      const budgetTotal = spending.reduce((s, r) => s + r.budget + r.carry, 0);
      const inMonth = today >= range.first && today <= range.last;
      const daysLeft = inMonth ? daysBetween(today, range.last) : null;

      const history = months.slice(-12).map((m) => {
        let inc = 0;
        let exp = 0;
        for (const t of totals.filter((x) => x.month === m)) {
          const g = t.categoryId ? byId.get(t.categoryId)?.group : undefined;
          if (g === 'income') inc += t.total;
          else if (g === 'need' || g === 'want' || g === undefined) exp -= t.total;
        }
        return { month: m, income: inc, expenses: exp };
      });

      return {
        month,
        range,
        income,
        expenses,
        saved,
        net: income - expenses,
        savingsRate: savingsRate(income, expenses),
        categories: rows,
        totals: {
          budget: budgetTotal,
          spent: expenses,
          leftPerDay: daysLeft === null || budgetTotal === 0 ? null : leftToSpendPerDay(budgetTotal - expenses, daysLeft),
          daysLeft,
        },
        split: fiftyThirtyTwenty(income, need, want, saved),
        history,
      };
    },

    /** Average moved to savings per month over the three months before `month`. */
    async recentMonthlySaving(userSub: string, month: string): Promise<number> {
      const from = addMonths(month, -3);
      const [categories, totals] = await Promise.all([
        deps.categories.list(userSub),
        deps.transactions.monthlyTotals(userSub, from, addMonths(month, -1)),
      ]);
      const saving = new Set(categories.filter((c) => c.group === 'saving').map((c) => c.id));
      const total = totals.filter((t) => t.categoryId && saving.has(t.categoryId)).reduce((s, t) => s - t.total, 0);
      return Math.round(total / 3);
    },

    possibleDuplicates,
  };
}

export type CoachService = ReturnType<typeof createCoachService>;

function dropLeadingZeros(values: number[]): number[] {
  const first = values.findIndex((v) => v !== 0);
  return first === -1 ? [] : values.slice(first);
}
