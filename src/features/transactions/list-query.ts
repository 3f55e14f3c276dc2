import type { ClearedState } from '../accounts/types.js';
import { addMonths, FIRST_DATE, isCalendarDate, isMonth, LAST_DATE, monthLabel, monthOf, monthRange } from '../../money/dates.js';

/** Rows per page of the transactions list. */
export const PAGE_SIZE = 100;
export const SORTS = ['date', 'amount', 'payee'] as const;
export type Sort = (typeof SORTS)[number];
export type Direction = 'asc' | 'desc';
const CLEARED: readonly ClearedState[] = ['uncleared', 'cleared', 'reconciled'];

/** What the list shows: a period, filters, an order and a page. Parsed once from the query string or a bulk form. */
export interface ListQuery {
  /** 'month' (one month), 'all' (every date) or 'range' (from..to). */
  period: 'month' | 'all' | 'range';
  month: string;
  from: string;
  to: string;
  search: string;
  accountId: string;
  /** '' any, 'none' uncategorised, or a category id. */
  category: string;
  cleared: ClearedState | '';
  sort: Sort;
  dir: Direction;
  page: number;
  /** Problems with what was asked (a date that is not one): shown above the list, the rest still applies. */
  problems: string[];
}

const text = (v: unknown, max = 100) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * Reads the list's query. Anything unusable falls back to the default (this month, newest
 * first, page 1) with a problem to show, never an error page: a bookmarked link keeps working.
 */
export function parseListQuery(raw: Record<string, unknown>, today: string): ListQuery {
  const problems: string[] = [];
  const monthText = text(raw.month, 7);
  const month = isMonth(monthText) ? monthText : monthOf(today);
  let from = text(raw.from, 10);
  let to = text(raw.to, 10);
  if (from && !isCalendarDate(from)) (problems.push(`"${from}" is not a date: use YYYY-MM-DD.`), (from = ''));
  if (to && !isCalendarDate(to)) (problems.push(`"${to}" is not a date: use YYYY-MM-DD.`), (to = ''));
  if (from && to && from > to) (problems.push('The start date is after the end date; they were swapped.'), ([from, to] = [to, from]));
  const period: ListQuery['period'] = from || to ? 'range' : monthText === 'all' ? 'all' : 'month';
  const sort = (SORTS as readonly string[]).includes(text(raw.sort)) ? (text(raw.sort) as Sort) : 'date';
  const dirText = text(raw.dir);
  const dir: Direction = dirText === 'asc' || dirText === 'desc' ? dirText : sort === 'payee' ? 'asc' : 'desc';
  const cleared = (CLEARED as readonly string[]).includes(text(raw.cleared)) ? (text(raw.cleared) as ClearedState) : '';
  const page = Math.min(Math.max(1, Math.floor(Number(text(raw.page, 6))) || 1), 100_000);
  return { period, month, from, to, search: text(raw.q), accountId: text(raw.account, 36), category: text(raw.category, 36), cleared, sort, dir, page, problems };
}

/** The dates the query covers. */
export function dateBounds(q: ListQuery): { from: string; to: string } {
  if (q.period === 'all') return { from: FIRST_DATE, to: LAST_DATE };
  if (q.period === 'range') return { from: q.from || FIRST_DATE, to: q.to || LAST_DATE };
  const r = monthRange(q.month);
  return { from: r.first, to: r.last };
}

/** "Dec 2026", "all dates", "2026-01-01 to 2026-03-31". */
export function periodLabel(q: ListQuery): string {
  if (q.period === 'all') return 'all dates';
  if (q.period === 'range') return q.from && q.to ? `${q.from} to ${q.to}` : q.from ? `from ${q.from}` : `up to ${q.to}`;
  return monthLabel(q.month);
}

/** True when something narrows the list beyond its period. */
export const isFiltered = (q: ListQuery) => q.search !== '' || q.accountId !== '' || q.category !== '' || q.cleared !== '';

/** The query's parameters (defaults left out), for links and for the bulk form's hidden fields. */
export function queryParams(q: ListQuery, changes: Partial<Record<'sort' | 'dir' | 'page', string>> = {}): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (q.period === 'all') out.push(['month', 'all']);
  else if (q.period === 'month') out.push(['month', q.month]);
  if (q.from) out.push(['from', q.from]);
  if (q.to) out.push(['to', q.to]);
  for (const [k, v] of [['q', q.search], ['account', q.accountId], ['category', q.category], ['cleared', q.cleared]] as const) if (v) out.push([k, v]);
  const sort = changes.sort ?? q.sort;
  const dir = changes.dir ?? q.dir;
  if (sort !== 'date' || dir !== 'desc') out.push(['sort', sort], ['dir', dir]);
  const page = changes.page ?? String(q.page);
  if (page !== '1') out.push(['page', page]);
  return out;
}

export const listHref = (q: ListQuery, changes: Parameters<typeof queryParams>[1] = {}) => `/transactions?${new URLSearchParams(queryParams(q, changes))}`;

/** The Dates picker's months: next month back three years, and the chosen one if it is older. */
export function monthChoices(today: string, chosen: string): Array<{ value: string; label: string }> {
  const months = Array.from({ length: 38 }, (_, i) => addMonths(monthOf(today), 1 - i));
  if (!months.includes(chosen)) months.push(chosen);
  return months.map((m) => ({ value: m, label: monthLabel(m) }));
}
