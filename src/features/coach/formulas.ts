/**
 * The coaching formulas, pure and small, each from the finance apps people use (see the README's
 * coaching section). Amounts are integer minor units; ratios are plain numbers (0.25 = 25%).
 */

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A ratio, or why there is none: a figure that would mislead is not shown at all. */
export interface Rate {
  value: number | null;
  /** Why value is null, in words for the page ("no income this month"). */
  reason: string | null;
}

/**
 * Monarch: (income - expenses) / income. Only meaningful with income above zero and spending not
 * below zero: with no income, income taken back, or refunds exceeding spending the ratio says
 * nothing (it once showed 16091%), so it is null with the reason instead.
 */
export function savingsRate(income: number, expenses: number): Rate {
  if (income === 0) return { value: null, reason: 'no income this month' };
  if (income < 0) return { value: null, reason: 'more income was taken back than received this month' };
  if (expenses < 0) return { value: null, reason: 'refunds exceed spending this month' };
  return { value: (income - expenses) / income, reason: null };
}

/** ok below 80%; warning from 80%; full when exactly all is used; over when spent beyond it; none when nothing is budgeted or spent. */
export type HealthLevel = 'ok' | 'warning' | 'full' | 'over' | 'none';

/**
 * Maybe: available = budgeted - actual, where budgeted is this month's budget plus what was
 * carried in. Spending exactly what was there is "full", not "over"; "over" means beyond it
 * (or a deficit carried in that nothing has covered yet).
 */
export function budgetHealth(budgeted: number, spent: number): { available: number; percent: number | null; level: HealthLevel } {
  const available = budgeted - spent;
  const percent = budgeted > 0 ? spent / budgeted : null;
  if (available < 0) return { available, percent, level: 'over' };
  if (budgeted === 0 && spent === 0) return { available, percent, level: 'none' };
  if (available === 0) return { available, percent, level: 'full' };
  return { available, percent, level: percent !== null && percent >= 0.8 ? 'warning' : 'ok' };
}

/** Firefly: (budgeted - spent) / (days left in the month + 1), only when not negative. */
export function leftToSpendPerDay(remaining: number, daysLeft: number): number | null {
  if (remaining < 0 || daysLeft < 0) return null;
  return Math.floor(remaining / (daysLeft + 1));
}

/**
 * Rollover: what was not spent is added to the next month, and what was overspent is taken from
 * it (surplus *and* deficit carry), with no look-back window. The chain starts at the category's
 * first budgeted month; from then on available(m) = budget + carried(m) - spent and
 * carried(m + 1) = available(m), which adds up to: carried into `month` is the sum of
 * (budget - spent) over the months from the first budget up to the one before. Entries are one
 * category's months with a budget or spending, in any order, gaps allowed; linear in their number.
 */
export function carriedInto(entries: Array<{ month: string; budget: number; spent: number }>, month: string): { budgeted: boolean; carried: number } {
  let first: string | undefined;
  for (const e of entries) if (e.budget !== 0 && (first === undefined || e.month < first)) first = e.month;
  if (first === undefined || first > month) return { budgeted: false, carried: 0 };
  let carried = 0;
  for (const e of entries) if (e.month >= first && e.month < month) carried += e.budget - e.spent;
  return { budgeted: true, carried: carried + 0 };
}

/** Maybe/Monarch: the median monthly spend of the last 3-6 months; null with fewer than 3 months of data. */
export function suggestedBudget(monthlySpends: number[]): number | null {
  const recent = monthlySpends.slice(-6);
  if (recent.length < 3) return null;
  return Math.round(median(recent)!);
}

/**
 * Hampel filter, upper side: x - median > 3 · 1.4826 · MAD over past *completed* months; needs 3+
 * past values and some spread. Only unusually high spending is flagged: a month still under way
 * can only grow, so a low figure early in it says nothing, while one already past the upper
 * bound is unusual whatever day it is.
 */
export function isUnusual(x: number, past: number[]): boolean {
  if (past.length < 3) return false;
  const m = median(past)!;
  const mad = median(past.map((v) => Math.abs(v - m)))!;
  if (mad === 0) return false;
  return x - m > 3 * 1.4826 * mad;
}

export interface Split {
  group: 'need' | 'want' | 'saving' | 'none';
  amount: number;
  share: number | null;
  target: number | null;
}

/** 50/30/20: each group's share of income against its target. */
export function fiftyThirtyTwenty(income: number, need: number, want: number, saving: number, notAssigned = 0): Split[] {
  const share = (v: number) => (income > 0 ? v / income : null);
  return [
    { group: 'need', amount: need, share: share(need), target: 0.5 },
    { group: 'want', amount: want, share: share(want), target: 0.3 },
    { group: 'saving', amount: saving, share: share(saving), target: 0.2 },
    // Uncategorized spending belongs to no group until it is categorised: shown, never guessed.
    { group: 'none', amount: notAssigned, share: share(notAssigned), target: null },
  ];
}

/** Whole months from `fromMonth` (YYYY-MM) up to and including `toMonth`. */
export function monthsInclusive(fromMonth: string, toMonth: string): number {
  const [fy, fm] = fromMonth.split('-').map(Number) as [number, number];
  const [ty, tm] = toMonth.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

/**
 * Goal pacing (Actual, Firefly): the monthly amount needed is (target - saved) / months left;
 * on track when recent saving for the goal covers it.
 */
export function goalPacing(
  g: { target: number; saved: number; targetDate: string },
  currentMonth: string,
  recentMonthlySaving: number,
): { remaining: number; monthsLeft: number; monthlyNeeded: number; status: 'reached' | 'on-track' | 'at-risk' | 'overdue' } {
  const remaining = Math.max(0, g.target - g.saved);
  const monthsLeft = monthsInclusive(currentMonth, g.targetDate.slice(0, 7));
  if (remaining === 0) return { remaining, monthsLeft: Math.max(monthsLeft, 0), monthlyNeeded: 0, status: 'reached' };
  if (monthsLeft <= 0) return { remaining, monthsLeft: 0, monthlyNeeded: remaining, status: 'overdue' };
  const monthlyNeeded = Math.ceil(remaining / monthsLeft);
  return { remaining, monthsLeft, monthlyNeeded, status: recentMonthlySaving >= monthlyNeeded ? 'on-track' : 'at-risk' };
}

export type GoalPace = ReturnType<typeof goalPacing> & { allocated: number };

/**
 * Paces several goals without counting the same saving twice: each currency's recent monthly
 * saving is shared out over its goals, the earliest target date first, each taking at most what
 * it needs a month; a goal is on track when its share covers its need. The shares of one
 * currency never add up to more than its saving. Returns the goals in the order given.
 */
export function paceGoals<G extends { target: number; saved: number; targetDate: string; currency: string }>(
  goals: readonly G[],
  currentMonth: string,
  recentBy: ReadonlyMap<string, number>,
): Array<G & { pace: GoalPace }> {
  const left = new Map([...recentBy].map(([c, v]) => [c, Math.max(0, v)]));
  const paced = new Map<G, GoalPace>();
  const byDate = [...goals].sort((a, b) => (a.targetDate < b.targetDate ? -1 : a.targetDate > b.targetDate ? 1 : 0));
  for (const g of byDate) {
    const base = goalPacing(g, currentMonth, 0);
    const share = base.status === 'reached' ? 0 : Math.min(left.get(g.currency) ?? 0, base.monthlyNeeded);
    left.set(g.currency, (left.get(g.currency) ?? 0) - share);
    const status = base.status === 'at-risk' && share >= base.monthlyNeeded ? 'on-track' : base.status;
    paced.set(g, { ...base, status, allocated: share });
  }
  return goals.map((g) => ({ ...g, pace: paced.get(g)! }));
}

/** The most possible duplicates the dashboard lists; the rest are counted. */
export const MAX_LISTED_DUPLICATES = 10;

/**
 * Possible duplicate charges: same amount and same description within `days` days. O(n log n):
 * rows are grouped by key in one pass and each group sorted once. Returns at most `limit` pairs
 * (earliest first) and how many there are in all.
 */
export function possibleDuplicates<T extends { id: string; date: string; description: string; amountMinor: number }>(
  txns: T[],
  days = 3,
  limit = MAX_LISTED_DUPLICATES,
): { pairs: Array<[T, T]>; total: number } {
  const groups = new Map<string, T[]>();
  for (const t of txns) {
    if (t.amountMinor >= 0) continue;
    const key = `${t.amountMinor}|${t.description.trim().toLowerCase()}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const pairs: Array<[T, T]> = [];
  for (const list of groups.values()) {
    list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    for (let i = 1; i < list.length; i++) {
      const gap = (Date.parse(list[i]!.date) - Date.parse(list[i - 1]!.date)) / 86_400_000;
      if (gap <= days) pairs.push([list[i - 1]!, list[i]!]);
    }
  }
  pairs.sort((a, b) => (a[0].date < b[0].date ? -1 : a[0].date > b[0].date ? 1 : 0));
  return { pairs: pairs.slice(0, limit), total: pairs.length };
}
