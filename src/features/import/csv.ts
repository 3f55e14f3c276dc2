import crypto from 'node:crypto';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import type { CategoryGroup } from '../../db/schema.js';
import { createYielder, giveWay } from '../../lib/cooperative.js';
import { DATE_RANGE_TEXT, isCalendarDate } from '../../money/dates.js';
import { parseAmount } from '../../money/money.js';
import { echo, errorCollector, MAX_ROWS, type CsvOptions, type DateFormat, type ImportedRow, type ParseOutcome } from './types.js';

/** Each date format: its pattern and which groups hold year, month and day. */
const DATE_FORMATS: Record<DateFormat, [RegExp, [number, number, number]]> = {
  'YYYY-MM-DD': [/^(\d{4})-(\d{1,2})-(\d{1,2})$/, [1, 2, 3]],
  'MM/DD/YYYY': [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, [3, 1, 2]],
  'DD/MM/YYYY': [/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, [3, 2, 1]],
  'DD.MM.YYYY': [/^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, [3, 2, 1]],
};

/** Reads a date in the chosen format into YYYY-MM-DD (within the accepted range), or undefined. */
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
  // This app's own export: date,account,description,amount,currency,category,group,memo.
  app: ['date', 'account', 'description', 'amount', 'currency', 'category', 'group', 'memo'],
} as const;
/** Columns a shape can do without (older exports of this app had no memo). */
const OPTIONAL = new Set(['memo', 'account', 'group']);
const ALIASES: Record<string, string[]> = { description: ['description', 'payee', 'name'], type: ['type', 'transaction type', 'debit/credit'], category: ['category'] };
const GROUPS: ReadonlySet<string> = new Set<CategoryGroup>(['need', 'want', 'saving', 'income']);
/** Slices of the file handed to the parser between pauses. */
const SLICE = 64 * 1024;

/** Reads the CSV records in slices, pausing between them so other requests are answered. */
async function readRecords(text: string, delimiter: string): Promise<{ records: string[][]; tooMany: boolean } | { error: { line: number; message: string } }> {
  const parser = parse({ delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 100_000 });
  const records: string[][] = [];
  let failure: { line: number; message: string } | undefined;
  parser.on('readable', () => {
    let r: string[] | null;
    while ((r = parser.read() as string[] | null) !== null) if (records.length <= MAX_ROWS) records.push(r);
  });
  parser.on('error', (err: Error & { lines?: number }) => {
    failure ??= { line: err.lines ?? 0, message: 'The file is not valid CSV here (check the delimiter and quotes).' };
  });
  for (let i = 0; i < text.length && !failure && records.length <= MAX_ROWS; i += SLICE) {
    parser.write(text.slice(i, i + SLICE));
    await giveWay();
  }
  if (!failure) {
    // once() rejects when the parser fails at the very end (an unclosed quote); `failure` says so.
    const ended = once(parser, 'end').catch(() => undefined);
    parser.end();
    await ended;
  }
  if (failure) return { error: failure };
  return { records: records.slice(0, MAX_ROWS + 1), tooMany: records.length > MAX_ROWS };
}

/**
 * Parses the CSV shapes: a signed amount; YNAB's Payee/Category/Memo/Outflow/Inflow; an unsigned
 * amount with a debit/credit column; this app's own export. Every bad line is reported with its
 * number (the first 50, and how many in all); nothing is guessed. Works in slices, pausing for
 * other requests, so a 5 MB file never holds up the server.
 */
export async function parseCsv(text: string, o: CsvOptions): Promise<ParseOutcome> {
  const errors = errorCollector();
  const read = await readRecords(text.replace(/^\uFEFF/, ''), o.delimiter);
  if ('error' in read) return { rows: [], errors: [read.error], errorCount: 1 };
  const { records } = read;
  const wanted = SHAPES[o.shape];
  const index: Record<string, number> = {};
  let start = 0;
  if (o.header) {
    const header = (records[0] ?? []).map((h) => h.toLowerCase());
    for (const col of wanted) {
      const i = header.findIndex((h) => h === col || (ALIASES[col] ?? []).includes(h));
      if (i === -1 && OPTIONAL.has(col)) continue;
      if (i === -1) {
        const found = header.slice(0, 20).map((h) => `"${echo(h)}"`).join(', ') + (header.length > 20 ? `, and ${header.length - 20} more` : '');
        return { rows: [], errors: [{ line: 1, message: `The header has no "${col}" column. Columns found: ${found || 'none'}.` }], errorCount: 1 };
      }
      index[col] = i;
    }
    start = 1;
  } else {
    wanted.forEach((c, i) => (index[c] = i));
  }
  if (read.tooMany) errors.add(MAX_ROWS + start + 1, `The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows. Split it into smaller files.`);

  const rows: ImportedRow[] = [];
  const seen = new Map<string, number>();
  const y = createYielder();
  const last = Math.min(records.length, MAX_ROWS + start);
  let rec: string[] = [];
  const cell = (c: string) => (index[c] === undefined ? '' : (rec[index[c]!] ?? ''));
  const clean = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);
  for (let r = start; r < last; r++) {
    await y.pause();
    rec = records[r]!;
    const line = r + 1;
    const date = readDate(cell('date'), o.dateFormat);
    if (!date) {
      errors.add(line, `"${echo(cell('date'))}" is not a date in the ${o.dateFormat} format ${DATE_RANGE_TEXT}.`);
      continue;
    }
    const amount = amountOf(o, cell);
    if (typeof amount === 'string') {
      errors.add(line, amount);
      continue;
    }
    const problem = rowProblem(o, cell);
    if (problem) {
      errors.add(line, problem);
      continue;
    }
    const rawPayee = o.shape === 'ynab' ? cell('payee') : cell('description');
    const description = clean(o.shape === 'app' ? unneutralise(rawPayee) : rawPayee) || '(no description)';
    const memo = clean(o.shape === 'app' ? unneutralise(cell('memo')) : cell('memo'));
    // A content-derived id, so importing the same file twice matches exactly; the counter keeps
    // two identical rows in one file apart.
    const base = `${date}|${amount}|${description.toLowerCase()}${memo ? ` — ${memo.toLowerCase()}` : ''}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const categoryName = o.shape === 'ynab' ? cell('category').split(':').pop()!.trim() : o.shape === 'app' ? unneutralise(cell('category')).trim() : '';
    const group = cell('group').toLowerCase();
    rows.push({
      line,
      date,
      description,
      ...(memo ? { memo } : {}),
      amountMinor: amount,
      importedId: `csv:${crypto.createHash('sha256').update(`${base}|${n}`).digest('base64url').slice(0, 22)}`,
      ...(categoryName ? { categoryName: categoryName.replace(/\s+/g, ' ') } : {}),
      ...(GROUPS.has(group) ? { categoryGroup: group as CategoryGroup } : {}),
    });
  }
  return { rows, errors: errors.errors, errorCount: errors.count() };
}

/** This app's export puts a ' before text starting with = + - @ so spreadsheets never run it; reading it back takes that off. */
function unneutralise(s: string): string {
  return /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;
}

function rowProblem(o: CsvOptions, cell: (c: string) => string): string | undefined {
  if (o.shape !== 'ynab' && o.shape !== 'app') return undefined;
  const category = cell('category').split(':').pop()!.trim();
  if (category.length > 60) return `The category "${echo(category)}" is longer than 60 characters.`;
  if (o.shape === 'app') {
    const currency = cell('currency').toUpperCase();
    if (currency && currency !== o.currency) return `This row is in ${echo(currency)}, but the account is in ${o.currency}. Import it into an account in ${echo(currency)}.`;
  }
  return undefined;
}

function amountOf(o: CsvOptions, cell: (c: string) => string): number | string {
  const read = (raw: string, label: string) => {
    const p = parseAmount(raw, o.currency, o.decimal, 'import');
    return p.ok ? p.minor : `${label}: ${p.error.replace(raw.trim(), echo(raw.trim()))}`;
  };
  if (o.shape === 'signed' || o.shape === 'app') return read(cell('amount'), 'Amount');
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
  return `"${echo(cell('type'))}" is neither debit nor credit.`;
}
