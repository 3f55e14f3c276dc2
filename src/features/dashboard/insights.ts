import type { MonthSummary } from '../coach/service.js';

/** One "worth a look" line: its kind picks the sentence in views/dashboard/_insights.ejs. */
export type Insight =
  | { kind: 'budget'; level: 'warning' | 'over'; name: string; spent: string; budgeted: string; percent: number | null }
  | { kind: 'unusual'; name: string; spent: string }
  | { kind: 'duplicate'; description: string; amount: string; first: string; second: string }
  | { kind: 'more-duplicates'; count: number }
  | { kind: 'uncategorized'; count: number; spent: string; received: string | null; href: string };

/**
 * What the coach points out for a month: budgets at 80% or over (a budget used exactly is shown as
 * "fully used" in the table, not raised here: a paid rent is no news); unusual spending;
 * possible duplicate charges (a bounded list, the rest counted); money with no category.
 */
export function insightsFor<T extends { date: string; description: string; amountMinor: number }>(
  s: MonthSummary,
  duplicates: { pairs: Array<[T, T]>; total: number },
  money: (minor: number) => string,
): Insight[] {
  const out: Insight[] = [];
  for (const c of s.categories) {
    if (!c.budgeted || (c.level !== 'warning' && c.level !== 'over')) continue;
    out.push({ kind: 'budget', level: c.level, name: c.name, spent: money(c.spent), budgeted: money(c.budget + c.carried), percent: c.percent });
  }
  for (const c of s.categories) if (c.unusual) out.push({ kind: 'unusual', name: c.name, spent: money(c.spent) });
  for (const [a, b] of duplicates.pairs) out.push({ kind: 'duplicate', description: b.description, amount: money(-b.amountMinor), first: a.date, second: b.date });
  if (duplicates.total > duplicates.pairs.length) out.push({ kind: 'more-duplicates', count: duplicates.total - duplicates.pairs.length });
  const u = s.uncategorized;
  if (u.count > 0) {
    const params = new URLSearchParams({ month: s.month, category: 'none' });
    out.push({ kind: 'uncategorized', count: u.count, spent: money(u.spent), received: u.received ? money(u.received) : null, href: `/transactions?${params}` });
  }
  return out;
}
