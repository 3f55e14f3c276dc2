import { addDays, addMonths, daysInMonth, LAST_DATE } from '../../money/dates.js';

export const FREQUENCIES = [
  { id: 'days', label: 'days', one: 'day' },
  { id: 'weeks', label: 'weeks', one: 'week' },
  { id: 'months', label: 'months', one: 'month' },
  { id: 'years', label: 'years', one: 'year' },
] as const;
export type Frequency = (typeof FREQUENCIES)[number]['id'];
export const isFrequency = (v: string): v is Frequency => FREQUENCIES.some((f) => f.id === v);

/** Most a schedule can skip between two dates: every 366 days, 52 weeks, 24 months or 10 years. */
export const MAX_EVERY: Record<Frequency, number> = { days: 366, weeks: 52, months: 24, years: 10 };

export interface Recurrence {
  frequency: Frequency;
  every: number;
  /** The day of the month it was set for (1-31): a monthly or yearly date comes back to it after a short month. */
  anchorDay: number;
}

/** A day of a month, or the month's last day when it is shorter (the 31st in April is the 30th). */
function dayIn(month: string, day: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(Math.min(day, daysInMonth(y, m))).padStart(2, '0')}`;
}

/**
 * The date after `date` in a recurrence. Months keep their anchor day where the month has it
 * (Jan 31, Feb 28 or 29, Mar 31); years keep the month and the anchor day (Feb 29 falls on Feb 28
 * in the years without one, and on Feb 29 again in leap years). Null past the last date the app keeps.
 */
export function following(r: Recurrence, date: string): string | null {
  let next: string;
  if (r.frequency === 'days') next = addDays(date, r.every);
  else if (r.frequency === 'weeks') next = addDays(date, 7 * r.every);
  else next = dayIn(addMonths(date.slice(0, 7), r.frequency === 'months' ? r.every : 12 * r.every), r.anchorDay);
  return next > LAST_DATE ? null : next;
}

/** The dates of a recurrence from `first` up to and including `to`, at most `max` of them. */
export function occurrences(r: Recurrence, first: string, to: string, max = 400): string[] {
  const out: string[] = [];
  for (let d: string | null = first; d !== null && d <= to && out.length < max; d = following(r, d)) out.push(d);
  return out;
}

/** "every month", "every 2 weeks". */
export function describeRecurrence(r: Pick<Recurrence, 'frequency' | 'every'>): string {
  const f = FREQUENCIES.find((x) => x.id === r.frequency)!;
  return r.every === 1 ? `every ${f.one}` : `every ${r.every} ${f.label}`;
}
