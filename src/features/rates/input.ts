import { parse } from 'csv-parse/sync';
import { DATE_RANGE_TEXT, isCalendarDate } from '../../money/dates.js';
import { parseCurrency } from '../profile/preferences.js';
import { parseRate } from './rates.js';
import type { RateRow } from './repository.js';

/** Lines one rates file may hold. */
export const MAX_RATE_LINES = 10_000;

/** One rate from the form or a file line: a date, a currency other than the base, a rate. */
export function parseRateFields(f: { date: string; currency: string; rate: string }, base: string): { ok: true; row: RateRow } | { ok: false; errors: Partial<Record<'date' | 'currency' | 'rate', string>> } {
  const errors: Partial<Record<'date' | 'currency' | 'rate', string>> = {};
  const date = f.date.trim();
  if (!isCalendarDate(date)) errors.date = `Enter a real date as YYYY-MM-DD, ${DATE_RANGE_TEXT}.`;
  const currency = parseCurrency(f.currency);
  if (!currency.ok) errors.currency = currency.error;
  else if (currency.currency === base) errors.currency = `${base} is your main currency: its rate is always 1.`;
  const rate = parseRate(f.rate);
  if (!rate.ok) errors.rate = rate.error;
  if (!currency.ok || !rate.ok || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, row: { date, currency: currency.currency, rateE8: rate.rateE8 } };
}

/**
 * A rates CSV: `date,currency,rate` per line (a header line naming them is skipped). Every bad
 * line is reported (the first 20, and how many), and then nothing is taken.
 */
export function parseRatesCsv(text: string, base: string): { rows: RateRow[]; errors: string[]; errorCount: number } {
  let records: string[][];
  try {
    records = parse(text, { relaxColumnCount: true, skipEmptyLines: true, trim: true, bom: true, toLine: MAX_RATE_LINES + 1 }) as string[][];
  } catch (err) {
    return { rows: [], errors: [`The file is not CSV: ${(err as Error).message.slice(0, 120)}`], errorCount: 1 };
  }
  const errors: string[] = [];
  let errorCount = 0;
  const rows: RateRow[] = [];
  records.forEach((r, i) => {
    if (i === 0 && r[0]?.toLowerCase() === 'date') return;
    const parsed = r.length === 3 ? parseRateFields({ date: r[0]!, currency: r[1]!, rate: r[2]! }, base) : { ok: false as const, errors: { date: 'Each line needs three values: date,currency,rate.' } };
    if (parsed.ok) rows.push(parsed.row);
    else {
      errorCount++;
      if (errors.length < 20) errors.push(`Line ${i + 1}: ${Object.values(parsed.errors).join(' ')}`);
    }
  });
  if (records.length > MAX_RATE_LINES) {
    errorCount++;
    errors.push(`The file has more than ${MAX_RATE_LINES.toLocaleString('en-US')} lines; split it.`);
  }
  return { rows, errors, errorCount };
}
