import type { DayTotal } from '../transactions/day-totals.js';
import type { MonthTotal } from '../transactions/repository.js';
import { convertMinor, rateOn, type RateSeries } from './rates.js';

/** Money in another currency that has no rate on its date: listed, never counted as the main currency. */
export interface Unconverted {
  currency: string;
  /** Money out and money in of those days, each as a positive amount in that currency. */
  out: number;
  in: number;
  days: number;
}

/**
 * Adds other currencies' day totals, each converted at the rate in force on its own day, to the
 * main currency's monthly totals (per month and category). A day with no rate yet is left out
 * and reported: for `month` itself, and as a count of earlier days.
 */
export function withConverted(main: MonthTotal[], days: DayTotal[], series: Map<string, RateSeries>, mainCurrency: string, month: string): { totals: MonthTotal[]; unconverted: Unconverted[]; earlierDaysWithoutRate: number; convertedFrom: string[] } {
  const byKey = new Map(main.map((t) => [`${t.month}|${t.categoryId ?? ''}`, { ...t }]));
  const missing = new Map<string, Unconverted & { dates: Set<string> }>();
  const earlier = new Set<string>();
  const from = new Set<string>();
  for (const d of days) {
    const rate = rateOn(series.get(d.currency), d.date);
    const m = d.date.slice(0, 7);
    if (rate === undefined) {
      if (m === month) {
        let u = missing.get(d.currency);
        if (!u) missing.set(d.currency, (u = { currency: d.currency, out: 0, in: 0, days: 0, dates: new Set() }));
        u.out -= d.out;
        u.in += d.total - d.out;
        u.dates.add(d.date);
      } else earlier.add(`${d.currency}|${d.date}`);
      continue;
    }
    from.add(d.currency);
    const out = convertMinor(d.out, d.currency, mainCurrency, rate);
    const inflow = convertMinor(d.total - d.out, d.currency, mainCurrency, rate);
    const key = `${m}|${d.categoryId ?? ''}`;
    const t = byKey.get(key) ?? { month: m, categoryId: d.categoryId, total: 0, count: 0, out: 0, outCount: 0 };
    t.total += out + inflow;
    t.out += out;
    t.count += d.count;
    t.outCount += d.outCount;
    byKey.set(key, t);
  }
  return {
    totals: [...byKey.values()],
    unconverted: [...missing.values()].map(({ dates, ...u }) => ({ ...u, days: dates.size })),
    earlierDaysWithoutRate: earlier.size,
    convertedFrom: [...from].sort(),
  };
}

/** What the pages say about a converted summary: which currencies came in, and what had no rate (formatted in its own currency). */
export function conversionNotice(c: { from: string[]; unconverted: Unconverted[]; earlierDaysWithoutRate: number } | null, format: (minor: number, currency: string) => string) {
  return (
    c && {
      from: c.from,
      unconverted: c.unconverted.map((u) => ({ currency: u.currency, out: u.out ? format(u.out, u.currency) : null, in: u.in ? format(u.in, u.currency) : null, days: u.days })),
      earlierDays: c.earlierDaysWithoutRate,
    }
  );
}
