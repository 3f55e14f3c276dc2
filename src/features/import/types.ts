import type { CategoryGroup } from '../../db/schema.js';

/** One row read from a file, before it becomes a transaction. */
export interface ImportedRow {
  /** 1-based line (CSV) or transaction number (OFX), for error messages. */
  line: number;
  date: string;
  /** The payee. */
  description: string;
  /** A note beside the payee (YNAB's Memo, OFX MEMO), kept apart from it. */
  memo?: string;
  amountMinor: number;
  /** A stable id from the file (OFX FITID) or derived from the row's content (CSV). */
  importedId: string;
  /** A category name the file itself carries (YNAB's Category column, this app's export). */
  categoryName?: string;
  /** The group the file gives that category (this app's export). */
  categoryGroup?: CategoryGroup;
}

export interface LineError {
  line: number;
  message: string;
}

/** The first errors (at most MAX_ERRORS) and how many there were in all. */
export interface ParseOutcome {
  rows: ImportedRow[];
  errors: LineError[];
  errorCount: number;
}

/** A preview collects at most this many error messages; the rest are counted. */
export const MAX_ERRORS = 50;
/** At most this much of any cell or header is echoed back in a message. */
export const MAX_ECHO = 200;
/** Rows one file may hold (a 5 MB file holds about this many short rows). */
export const MAX_ROWS = 100_000;

/** Collects errors up to MAX_ERRORS and counts them all. */
export function errorCollector() {
  const errors: LineError[] = [];
  let count = 0;
  return {
    errors,
    add(line: number, message: string) {
      count++;
      if (errors.length < MAX_ERRORS) errors.push({ line, message });
    },
    count: () => count,
  };
}

/** A cell or header as it may appear in a message: at most MAX_ECHO characters, on one line. */
export function echo(value: string): string {
  // eslint-disable-next-line no-control-regex
  const one = value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return one.length > MAX_ECHO ? `${one.slice(0, MAX_ECHO)}…` : one;
}

export type CsvShape = 'signed' | 'ynab' | 'type-column' | 'app';
export type DateFormat = 'YYYY-MM-DD' | 'MM/DD/YYYY' | 'DD/MM/YYYY' | 'DD.MM.YYYY';
export type Delimiter = ',' | ';' | '\t';

export interface CsvOptions {
  shape: CsvShape;
  delimiter: Delimiter;
  decimal: 'dot' | 'comma';
  dateFormat: DateFormat;
  header: boolean;
  currency: string;
}
