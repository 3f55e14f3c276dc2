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

/** Monarch: (income - expenses) / income; null without income. */
export function savingsRate(income: number, expenses: number): number | null {
  return income > 0 ? (income - expenses) / income : null;
}

export type HealthLevel = 'ok' | 'warning' | 'over' | 'none';

/** Maybe: available = budgeted - actual; alerts at 80% and 100% of the budget. */
export function budgetHealth(budgeted: number, spent: number): { available: number; percent: number | null; level: HealthLevel } {
  if (budgeted <= 0) return { available: budgeted - spent, percent: null, level: spent > 0 ? 'over' : 'none' };
  const percent = spent / budgeted;
  return { available: budgeted - spent, percent, level: percent >= 1 ? 'over' : percent >= 0.8 ? 'warning' : 'ok' };
}

/** Firefly: (budgeted - spent) / (days left in the month + 1), only when not negative. */
export function leftToSpendPerDay(remaining: number, daysLeft: number): number | null {
  if (remaining < 0 || daysLeft < 0) return null;
  return Math.floor(remaining / (daysLeft + 1));
}

/**
 * Rollover: what was not spent last month is added to this month, and what was overspent is
 * taken from it (surplus *and* deficit carry). Months are in order; returns the carry into each.
 */
export function rolloverCarries(months: Array<{ budget: number; spent: number }>): number[] {
  const carries: number[] = [];
  let carry = 0;
  for (const m of months) {
    carries.push(carry);
    carry = carry + m.budget - m.spent;
  }
  return carries;
}

/** Maybe/Monarch: the median monthly spend of the last 3-6 months; null with fewer than 3 months of data. */
export function suggestedBudget(monthlySpends: number[]): number | null {
  const recent = monthlySpends.slice(-6);
  if (recent.length < 3) return null;
  return Math.round(median(recent)!);
}

/** Hampel filter: |x - median| > 3 · 1.4826 · MAD over past values; needs 3+ past values and some spread. */
export function isUnusual(x: number, past: number[]): boolean {
  if (past.length < 3) return false;
  const m = median(past)!;
  const mad = median(past.map((v) => Math.abs(v - m)))!;
  if (mad === 0) return false;
  return Math.abs(x - m) > 3 * 1.4826 * mad;
}

export interface Split {
  group: 'need' | 'want' | 'saving';
  amount: number;
  share: number | null;
  target: number;
}

/** 50/30/20: each group's share of income against its target. */
export function fiftyThirtyTwenty(income: number, need: number, want: number, saving: number): Split[] {
  const share = (v: number) => (income > 0 ? v / income : null);
  return [
    { group: 'need', amount: need, share: share(need), target: 0.5 },
    { group: 'want', amount: want, share: share(want), target: 0.3 },
    { group: 'saving', amount: saving, share: share(saving), target: 0.2 },
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

/** Possible duplicate charges: same amount and same description within `days` days. */
export function possibleDuplicates<T extends { id: string; date: string; description: string; amountMinor: number }>(txns: T[], days = 3): Array<[T, T]> {
  const key = (t: T) => `${t.amountMinor}|${t.description.trim().toLowerCase()}`;
  const groups = new Map<string, T[]>();
  for (const t of txns) if (t.amountMinor < 0) groups.set(key(t), [...(groups.get(key(t)) ?? []), t]);
  const pairs: Array<[T, T]> = [];
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => a.date.localeCompare(b.date));
    for (let i = 1; i < sorted.length; i++) {
      const gap = (Date.parse(sorted[i]!.date) - Date.parse(sorted[i - 1]!.date)) / 86_400_000;
      if (gap <= days) pairs.push([sorted[i - 1]!, sorted[i]!]);
    }
  }
  return pairs;
}
