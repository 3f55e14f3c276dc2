import type { CategoryGroup } from '../../db/schema.js';
import { ENCODINGS, type Encoding } from './decode.js';
import type { CategoryChoice } from './service.js';
import type { CsvOptions, CsvShape, DateFormat, Delimiter } from './types.js';

export type ImportFormat = CsvShape | 'ofx';

export interface ImportRequest {
  accountId: string;
  format: ImportFormat;
  encoding: Encoding;
  csv: Omit<CsvOptions, 'shape' | 'currency'>;
  fileName: string;
  bytes: Uint8Array;
}

const FORMATS: ImportFormat[] = ['signed', 'ynab', 'type-column', 'app', 'ofx'];
const DELIMITERS: Record<string, Delimiter> = { comma: ',', semicolon: ';', tab: '\t' };
const DATE_FORMATS: DateFormat[] = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'];
const GROUPS: CategoryGroup[] = ['need', 'want', 'saving', 'income'];

/** Reads the import form's options; every unknown value is named. */
export function parseImportOptions(body: Record<string, unknown>): { ok: true; value: Omit<ImportRequest, 'fileName' | 'bytes'> } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const format = str('format') as ImportFormat;
  if (!FORMATS.includes(format)) errors.push('Choose the file format.');
  const delimiter = DELIMITERS[str('delimiter')];
  if (!delimiter) errors.push('Choose the delimiter: comma, semicolon or tab.');
  const decimal = str('decimal');
  if (decimal !== 'dot' && decimal !== 'comma') errors.push('Choose the decimal style.');
  const dateFormat = str('dateFormat') as DateFormat;
  if (!DATE_FORMATS.includes(dateFormat)) errors.push('Choose the date format.');
  // Older forms sent no encoding: detect it.
  const encoding = (str('encoding') || 'auto') as Encoding;
  if (!ENCODINGS.includes(encoding)) errors.push('Choose the encoding: detect, UTF-8 or Windows-1252.');
  if (!str('accountId')) errors.push('Choose the account to import into.');
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: { accountId: str('accountId'), format, encoding, csv: { delimiter: delimiter!, decimal: decimal as 'dot' | 'comma', dateFormat, header: str('header') === 'yes' } },
  };
}

/** The confirmation form's choice per new category name: `category_<n>` = `create:<group>` or `map:<categoryId>`. */
export function parseCategoryChoices(body: Record<string, unknown>): Map<number, CategoryChoice> {
  const choices = new Map<number, CategoryChoice>();
  for (const [key, raw] of Object.entries(body)) {
    const m = /^category_(\d{1,3})$/.exec(key);
    if (!m || typeof raw !== 'string') continue;
    const i = Number(m[1]);
    const [kind, value] = [raw.slice(0, raw.indexOf(':')), raw.slice(raw.indexOf(':') + 1)];
    if (kind === 'create' && GROUPS.includes(value as CategoryGroup)) choices.set(i, { create: value as CategoryGroup });
    else if (kind === 'map' && value) choices.set(i, { map: value });
  }
  return choices;
}
