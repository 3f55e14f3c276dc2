/** One row read from a file, before it becomes a transaction. */
export interface ImportedRow {
  /** 1-based line (CSV) or transaction number (OFX), for error messages. */
  line: number;
  date: string;
  description: string;
  amountMinor: number;
  /** A stable id from the file (OFX FITID) or derived from the row's content (CSV). */
  importedId: string;
  /** A category name the file itself carries (YNAB's Category column). */
  categoryName?: string;
}

export interface LineError {
  line: number;
  message: string;
}

export interface ParseOutcome {
  rows: ImportedRow[];
  errors: LineError[];
}

export type CsvShape = 'signed' | 'ynab' | 'type-column';
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
