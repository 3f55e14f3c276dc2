/** Calendar dates as YYYY-MM-DD strings and months as YYYY-MM: no time zones involved. */

/** The dates the app accepts anywhere (forms, imports, goals): every month in it can be shown. */
export const FIRST_DATE = '1900-01-01';
export const LAST_DATE = '2199-12-31';
export const DATE_RANGE_TEXT = `between ${FIRST_DATE} and ${LAST_DATE}`;

/** A real calendar date written YYYY-MM-DD, within FIRST_DATE..LAST_DATE. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= 1900 && y <= 2199 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** A month written YYYY-MM within the accepted date range. */
export function isMonth(value: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(value);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[1]) >= 1900 && Number(m[1]) <= 2199;
}

/** Whole months from a to b (b - a), both YYYY-MM. */
export function monthsBetween(a: string, b: string): number {
  const [ay, am] = a.split('-').map(Number) as [number, number];
  const [by, bm] = b.split('-').map(Number) as [number, number];
  return (by - ay) * 12 + (bm - am);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function monthRange(month: string): { first: string; last: string; days: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const days = daysInMonth(y, m);
  return { first: `${month}-01`, last: `${month}-${String(days).padStart(2, '0')}`, days };
}


/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The earliest and latest of some dates (YYYY-MM-DD), in one pass; null for none. */
export function dateSpan(dates: Iterable<string>): [string, string] | null {
  let first: string | undefined;
  let last = '';
  for (const d of dates) {
    if (first === undefined || d < first) first = d;
    if (d > last) last = d;
  }
  return first === undefined ? null : [first, last];
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov" for 2026-11: a chart's month label. */
export const shortMonthName = (month: string) => MONTH_NAMES[Number(month.slice(5, 7)) - 1]!;

/** "Nov 2026" for 2026-11. */
export const monthLabel = (month: string) => `${shortMonthName(month)} ${month.slice(0, 4)}`;
