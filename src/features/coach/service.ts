import type { CategoryGroup } from '../../db/schema.js';
import type { BudgetsRepository } from '../budgets/repository.js';
import type { CategoriesRepository } from '../categories/repository.js';
import { addMonths, daysBetween, monthOf, monthRange } from '../money/dates.js';
import type { MonthTotal, TransactionsRepository } from '../transactions/repository.js';
import {
  budgetHealth,
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
}

const SPENDING: ReadonlySet<CategoryGroup> = new Set(['need', 'want']);

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

export function createCoachService(deps: { transactions: TransactionsRepository; budgets: BudgetsRepository; categories: CategoriesRepository }) {
  return {
    /**
     * Everything the dashboard, the budgets page and the summary API show for one month in one
     * currency, from the stored monthly totals and budgets of the whole history (rollover has no
     * look-back window). Work is linear in the number of stored month rows.
     */
    async monthSummary(userSub: string, month: string, today: string, currency: string): Promise<MonthSummary> {
      const range = monthRange(month);
      const [categories, totals, budgets] = await Promise.all([
        deps.categories.list(userSub),
        deps.transactions.monthlyTotals(userSub, currency, null, month),
        deps.budgets.between(userSub, currency, null, month),
      ]);
      const groupById = new Map(categories.map((c) => [c.id, c.group]));
      const spentByKey = new Map<string, number>();
      for (const t of totals) if (t.categoryId !== null) spentByKey.set(`${t.month}|${t.categoryId}`, spentOf(groupById.get(t.categoryId) ?? 'need', t.total));
      const budgetByKey = new Map(budgets.map((b) => [`${b.month}|${b.categoryId}`, b.amount]));

      // Rollover in closed form: carried into `month` = the sum of (budget - spent) over every
      // month from the category's first budget up to the one before, which is exactly the chain
      // available(m) = budget + carried - spent, carried(m + 1) = available(m).
      const firstBudget = new Map<string, string>();
      for (const b of budgets) if (!firstBudget.has(b.categoryId) || b.month < firstBudget.get(b.categoryId)!) firstBudget.set(b.categoryId, b.month);
      const carried = new Map<string, number>();
      const addCarry = (id: string, m: string, v: number) => {
        const first = firstBudget.get(id);
        if (first !== undefined && m >= first && m < month) carried.set(id, (carried.get(id) ?? 0) + v);
      };
      for (const b of budgets) addCarry(b.categoryId, b.month, b.amount);
      for (const [key, spent] of spentByKey) {
        const [m, id] = key.split('|') as [string, string];
        if (groupById.get(id) !== 'income') addCarry(id, m, -spent);
      }

      // Past months for suggestions and unusual spending: completed ones only.
      const currentMonth = monthOf(today);
      const pastEnd = month < currentMonth ? month : currentMonth;
      const pastMonths = Array.from({ length: 6 }, (_, i) => addMonths(pastEnd, i - 6));

      const rows: CategoryMonth[] = categories.map((c) => {
        const spent = spentByKey.get(`${month}|${c.id}`) ?? 0;
        const budget = budgetByKey.get(`${month}|${c.id}`) ?? 0;
        const income = c.group === 'income';
        const budgeted = !income && firstBudget.has(c.id) && firstBudget.get(c.id)! <= month;
        const carry = budgeted ? (carried.get(c.id) ?? 0) + 0 : 0;
        const health = budgetHealth(budget + carry, spent);
        const past = dropLeadingZeros(pastMonths.map((m) => spentByKey.get(`${m}|${c.id}`) ?? 0));
        return {
          id: c.id,
          name: c.name,
          group: c.group,
          spent,
          budget,
          carried: carry,
          available: income ? 0 : budget + carry - spent,
          budgeted,
          percent: health.percent,
          level: budgeted ? health.level : 'none',
          suggested: income ? null : suggestedBudget(past),
          unusual: !income && month <= currentMonth && isUnusual(spent, past),
        };
      });

      const monthTotals = totals.filter((t) => t.month === month);
      const loose = monthTotals.find((t) => t.categoryId === null);
      const uncategorized: Uncategorized = {
        count: loose?.count ?? 0,
        spent: -(loose?.out ?? 0) + 0,
        spentCount: loose?.outCount ?? 0,
        received: (loose ? loose.total - loose.out : 0) + 0,
      };
      const sumGroup = (g: CategoryGroup) => rows.filter((r) => r.group === g).reduce((s, r) => s + r.spent, 0);
      const need = sumGroup('need');
      const want = sumGroup('want');
      const saved = sumGroup('saving');
      const income = sumGroup('income') + uncategorized.received;
      const expenses = need + want + uncategorized.spent;
      const budgetTotal = rows.filter((r) => SPENDING.has(r.group) && r.budgeted).reduce((s, r) => s + r.budget + r.carried, 0);
      const inProgress = today >= range.first && today <= range.last;
      const daysLeft = inProgress ? daysBetween(today, range.last) : null;

      const byMonth = new Map<string, MonthTotal[]>();
      for (const t of totals) {
        const list = byMonth.get(t.month);
        if (list) list.push(t);
        else byMonth.set(t.month, [t]);
      }
      const history = Array.from({ length: 12 }, (_, i) => addMonths(month, i - 11)).map((m) => ({ month: m, ...flows(byMonth.get(m) ?? [], (id) => groupById.get(id)) }));

      return {
        month,
        currency,
        range,
        inProgress,
        income,
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
      };
    },

    /** Average moved to savings per month, in one currency, over the three months before `month`. */
    async recentMonthlySaving(userSub: string, month: string, currency: string): Promise<number> {
      const [categories, totals] = await Promise.all([
        deps.categories.list(userSub),
        deps.transactions.monthlyTotals(userSub, currency, addMonths(month, -3), addMonths(month, -1)),
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
