import { describe, expect, it } from 'vitest';
import {
  budgetHealth,
  carriedInto,
  fiftyThirtyTwenty,
  goalPacing,
  isUnusual,
  leftToSpendPerDay,
  median,
  possibleDuplicates,
  savingsRate,
  suggestedBudget,
} from '../../src/features/coach/formulas.js';

describe('coaching formulas, against hand-computed values', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('savings rate = (income - expenses) / income', () => {
    expect(savingsRate(500000, 400000)).toEqual({ value: 0.2, reason: null });
    expect(savingsRate(500000, 600000)).toEqual({ value: -0.2, reason: null });
  });

  it('shows no savings rate, with the reason, without income or when refunds exceed spending', () => {
    expect(savingsRate(0, 100)).toEqual({ value: null, reason: 'no income this month' });
    expect(savingsRate(-5000, 100).value).toBeNull();
    expect(savingsRate(-5000, 100).reason).toContain('taken back');
    // Once shown as 16091%: refunds larger than spending made "expenses" negative.
    expect(savingsRate(1000, -160_910)).toEqual({ value: null, reason: 'refunds exceed spending this month' });
    expect(savingsRate(1000, 0)).toEqual({ value: 1, reason: null });
  });

  it('budget health: available, percent, alerts at 80%, fully used at exactly 100%, over beyond it', () => {
    expect(budgetHealth(10000, 7999)).toEqual({ available: 2001, percent: 0.7999, level: 'ok' });
    expect(budgetHealth(10000, 8000)).toEqual({ available: 2000, percent: 0.8, level: 'warning' });
    expect(budgetHealth(10000, 10000)).toEqual({ available: 0, percent: 1, level: 'full' });
    expect(budgetHealth(10000, 10001)).toEqual({ available: -1, percent: 1.0001, level: 'over' });
    expect(budgetHealth(10000, 12500)).toEqual({ available: -2500, percent: 1.25, level: 'over' });
    expect(budgetHealth(0, 500)).toEqual({ available: -500, percent: null, level: 'over' });
    expect(budgetHealth(0, 0)).toEqual({ available: 0, percent: null, level: 'none' });
    // A deficit carried in with nothing spent yet is still over; a refund is not.
    expect(budgetHealth(-300, 0).level).toBe('over');
    expect(budgetHealth(10000, -500)).toEqual({ available: 10500, percent: -0.05, level: 'ok' });
  });

  it('left to spend per day = remaining / (days left + 1), never negative', () => {
    expect(leftToSpendPerDay(30000, 9)).toBe(3000);
    expect(leftToSpendPerDay(10000, 2)).toBe(3333);
    expect(leftToSpendPerDay(-1, 9)).toBeNull();
  });

  it('rolls surplus and deficit forward: carried equals last month\'s available', () => {
    // Jan: 100 budget, 80 spent (+20); Feb: 100, 150 (-50 -> carry -30); Mar: 100, 60 (+40 -> carry 10)
    const months = [
      { month: '2026-01', budget: 100, spent: 80 },
      { month: '2026-02', budget: 100, spent: 150 },
      { month: '2026-03', budget: 100, spent: 60 },
      { month: '2026-04', budget: 100, spent: 0 },
    ];
    const chain = months.map((m) => ({ ...m, carried: carriedInto(months, m.month).carried }));
    expect(chain.map((m) => m.carried)).toEqual([0, 20, -30, 10]);
    expect(chain.map((m) => m.budget + m.carried - m.spent)).toEqual([20, -30, 10, 110]);
    // Spending before the first budget is not a debt; a month with no entry carries on unchanged.
    expect(carriedInto([{ month: '2025-12', budget: 0, spent: 999 }, ...months], '2026-02')).toEqual({ budgeted: true, carried: 20 });
    expect(carriedInto(months, '2026-07')).toEqual({ budgeted: true, carried: 110 });
    expect(carriedInto([{ month: '2025-12', budget: 0, spent: 999 }], '2026-02')).toEqual({ budgeted: false, carried: 0 });
  });

  it('suggests the median of the last 3-6 months', () => {
    expect(suggestedBudget([100, 300, 200])).toBe(200);
    expect(suggestedBudget([999, 999, 100, 200, 300, 400, 500, 600])).toBe(350); // only the last six count
    expect(suggestedBudget([100, 200])).toBeNull();
  });

  it('flags unusually high values with the Hampel rule x - median > 3 * 1.4826 * MAD', () => {
    const past = [100, 110, 90, 105, 95]; // median 100, MAD 5, threshold 22.239
    expect(isUnusual(122, past)).toBe(false);
    expect(isUnusual(123, past)).toBe(true);
    // Low is not flagged: a month under way starts at nothing.
    expect(isUnusual(77, past)).toBe(false);
    expect(isUnusual(0, past)).toBe(false);
    expect(isUnusual(500, [100, 100])).toBe(false); // too little history
    expect(isUnusual(500, [100, 100, 100])).toBe(false); // no spread: no basis to call it unusual
  });

  it('50/30/20 shares of income, with uncategorized spending in no group', () => {
    expect(fiftyThirtyTwenty(400000, 220000, 100000, 40000, 20000)).toEqual([
      { group: 'need', amount: 220000, share: 0.55, target: 0.5 },
      { group: 'want', amount: 100000, share: 0.25, target: 0.3 },
      { group: 'saving', amount: 40000, share: 0.1, target: 0.2 },
      { group: 'none', amount: 20000, share: 0.05, target: null },
    ]);
    expect(fiftyThirtyTwenty(0, 1, 1, 1)[0]!.share).toBeNull();
  });

  it('goal pacing: (target - saved) / months left, on track or at risk', () => {
    const goal = { target: 1200000, saved: 300000, targetDate: '2027-06-30' };
    // Nov 2026 .. Jun 2027 = 8 months; 900000 / 8 = 112500
    expect(goalPacing(goal, '2026-11', 120000)).toEqual({ remaining: 900000, monthsLeft: 8, monthlyNeeded: 112500, status: 'on-track' });
    expect(goalPacing(goal, '2026-11', 100000).status).toBe('at-risk');
    expect(goalPacing({ ...goal, saved: 1200000 }, '2026-11', 0).status).toBe('reached');
    expect(goalPacing(goal, '2027-07', 0)).toEqual({ remaining: 900000, monthsLeft: 0, monthlyNeeded: 900000, status: 'overdue' });
  });

  it('finds possible duplicate charges: same amount and payee within 3 days', () => {
    const t = (id: string, date: string, description: string, amountMinor: number) => ({ id, date, description, amountMinor });
    const { pairs, total } = possibleDuplicates([
      t('a', '2026-11-01', 'Coffee Shop', -450),
      t('b', '2026-11-03', 'coffee shop ', -450),
      t('c', '2026-11-10', 'Coffee Shop', -450),
      t('d', '2026-11-03', 'Coffee Shop', -500),
      t('e', '2026-11-01', 'Salary', 500000),
      t('f', '2026-11-02', 'Salary', 500000),
    ]);
    expect(pairs.map(([x, y]) => [x.id, y.id])).toEqual([['a', 'b']]);
    expect(total).toBe(1);
  });

  it('lists a bounded number of possible duplicates and counts the rest', () => {
    const many = Array.from({ length: 50_000 }, (_, i) => ({ id: `t${i}`, date: '2026-11-05', description: 'Same shop', amountMinor: -1000 }));
    const { pairs, total } = possibleDuplicates(many);
    expect(pairs).toHaveLength(10);
    expect(total).toBe(49_999);
  });
});
