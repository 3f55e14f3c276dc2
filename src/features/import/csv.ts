import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { isCalendarDate } from '../money/dates.js';
import { parseAmount } from '../money/money.js';
import type { CsvOptions, DateFormat, ImportedRow, LineError, ParseOutcome } from './types.js';

/** Each date format: its pattern and which groups hold year, month and day. */
const DATE_FORMATS: Record<DateFormat, [RegExp, [number, number, number]]> = {
  'YYYY-MM-DD': [/^(\d{4})-(\d{1,2})-(\d{1,2})$/, [1, 2, 3]],
  'MM/DD/YYYY': [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, [3, 1, 2]],
  'DD/MM/YYYY': [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, [3, 2, 1]],
  'DD.MM.YYYY': [/^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, [3, 2, 1]],
};

/** Reads a date in the chosen format into YYYY-MM-DD, or undefined. */
export function readDate(raw: string, format: DateFormat): string | undefined {
  const [pattern, [y, m, d]] = DATE_FORMATS[format];
  const match = pattern.exec(raw.trim());
  if (!match) return undefined;
  const date = `${match[y]}-${match[m]!.padStart(2, '0')}-${match[d]!.padStart(2, '0')}`;
  return isCalendarDate(date) ? date : undefined;
}

/** The columns each shape needs, by header name (case-insensitive), or by position without a header. */
const SHAPES = {
  signed: ['date', 'description', 'amount'],
  ynab: ['date', 'payee', 'category', 'memo', 'outflow', 'inflow'],
  'type-column': ['date', 'description', 'amount', 'type'],
} as const;

/**
 * Parses the three CSV shapes: a signed amount; YNAB's Outflow/Inflow; an unsigned amount with a
 * debit/credit column. Every bad line is reported with its number; nothing is guessed.
 */
export function parseCsv(text: string, o: CsvOptions): ParseOutcome {
  const errors: LineError[] = [];
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { delimiter: o.delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 0;
    return { rows: [], errors: [{ line, message: 'The file is not valid CSV here (check the delimiter and quotes).' }] };
  }
  const wanted = SHAPES[o.shape];
  let index: Record<string, number>;
  let start = 0;
  if (o.header) {
    const header = (records[0] ?? []).map((h) => h.toLowerCase());
    const aliases: Record<string, string[]> = { description: ['description', 'payee', 'name', 'memo'], type: ['type', 'transaction type', 'debit/credit'] };
    index = {};
    for (const col of wanted) {
      const i = header.findIndex((h) => h === col || (aliases[col] ?? []).includes(h));
      if (i === -1) return { rows: [], errors: [{ line: 1, message: `The header has no "${col}" column. Columns found: ${header.join(', ') || 'none'}.` }] };
      index[col] = i;
    }
    start = 1;
  } else {
    index = Object.fromEntries(wanted.map((c, i) => [c, i]));
  }

  const rows: ImportedRow[] = [];
  const seen = new Map<string, number>();
  for (let r = start; r < records.length; r++) {
    const rec = records[r]!;
    const line = r + 1;
    const cell = (c: string) => rec[index[c]!] ?? '';
    const date = readDate(cell('date'), o.dateFormat);
    if (!date) {
      errors.push({ line, message: `"${cell('date')}" is not a date in the ${o.dateFormat} format.` });
      continue;
    }
    const amount = amountOf(o, cell);
    if (typeof amount === 'string') {
      errors.push({ line, message: amount });
      continue;
    }
    const description = (o.shape === 'ynab' ? [cell('payee'), cell('memo')].filter(Boolean).join(' — ') : cell('description')).replace(/\s+/g, ' ').slice(0, 200) || '(no description)';
    // A content-derived id, so importing the same file twice matches exactly; the counter keeps
    // two identical rows in one file apart.
    const base = `${date}|${amount}|${description.toLowerCase()}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    rows.push({
      line,
      date,
      description,
      amountMinor: amount,
      importedId: `csv:${crypto.createHash('sha256').update(`${base}|${n}`).digest('base64url').slice(0, 22)}`,
      ...(o.shape === 'ynab' && cell('category') ? { categoryName: cell('category').split(':').pop()!.trim() } : {}),
    });
  }
  return { rows, errors };
}

function amountOf(o: CsvOptions, cell: (c: string) => string): number | string {
  const read = (raw: string, label: string) => {
    const p = parseAmount(raw, o.currency, o.decimal);
    return p.ok ? p.minor : `${label}: ${p.error}`;
  };
  if (o.shape === 'signed') return read(cell('amount'), 'Amount');
  if (o.shape === 'ynab') {
    const out = cell('outflow') ? read(cell('outflow'), 'Outflow') : 0;
    const inn = cell('inflow') ? read(cell('inflow'), 'Inflow') : 0;
    if (typeof out === 'string') return out;
    if (typeof inn === 'string') return inn;
    if (out < 0 || inn < 0) return 'Outflow and Inflow must not be negative.';
    return inn - out;
  }
  const amount = read(cell('amount'), 'Amount');
  if (typeof amount === 'string') return amount;
  const type = cell('type').toLowerCase();
  if (type === 'debit' || type === 'dr') return -Math.abs(amount);
  if (type === 'credit' || type === 'cr') return Math.abs(amount);
  return `"${cell('type')}" is neither debit nor credit.`;
}
