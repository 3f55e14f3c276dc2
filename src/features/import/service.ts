import { HttpError, NotFoundError } from '../../http/errors.js';
import type { AccountsRepository } from '../accounts/repository.js';
import type { CategoriesRepository } from '../categories/repository.js';
import { addDays } from '../money/dates.js';
import { categorize, type RulesRepository } from '../rules/repository.js';
import { parseCsv } from './csv.js';
import { findDuplicates } from './dedupe.js';
import { parseOfx } from './ofx.js';
import type { ImportRepository, PendingPayload } from './repository.js';
import type { CsvOptions, CsvShape, DateFormat, Delimiter, ParseOutcome } from './types.js';

export type ImportFormat = CsvShape | 'ofx';

export interface ImportRequest {
  accountId: string;
  format: ImportFormat;
  csv: Omit<CsvOptions, 'shape' | 'currency'>;
  fileName: string;
  text: string;
}

const FORMATS: ImportFormat[] = ['signed', 'ynab', 'type-column', 'ofx'];
const DELIMITERS: Record<string, Delimiter> = { comma: ',', semicolon: ';', tab: '\t' };
const DATE_FORMATS: DateFormat[] = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'];

/** Reads the import form's options; every unknown value is named. */
export function parseImportOptions(body: Record<string, unknown>): { ok: true; value: Omit<ImportRequest, 'fileName' | 'text'> } | { ok: false; errors: string[] } {
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
  if (!str('accountId')) errors.push('Choose the account to import into.');
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: { accountId: str('accountId'), format, csv: { delimiter: delimiter!, decimal: decimal as 'dot' | 'comma', dateFormat, header: str('header') === 'yes' } },
  };
}

export function createImportService(deps: { imports: ImportRepository; accounts: AccountsRepository; categories: CategoriesRepository; rules: RulesRepository }) {
  return {
    /**
     * Parses the file, finds duplicates and categories, and keeps the result for confirmation.
     * Nothing is written to the user's transactions here.
     */
    async preview(userSub: string, req: ImportRequest, now: Date) {
      const account = await deps.accounts.find(userSub, req.accountId);
      if (!account || account.archived) throw new HttpError(400, 'Choose one of your active accounts.');
      const parsed: ParseOutcome = req.format === 'ofx' ? parseOfx(req.text, account.currency) : parseCsv(req.text, { ...req.csv, shape: req.format, currency: account.currency });
      const dates = parsed.rows.map((r) => r.date).sort();
      const existing = dates.length ? await deps.imports.existing(userSub, account.id, addDays(dates[0]!, -7), addDays(dates.at(-1)!, 7)) : [];
      const duplicates = findDuplicates(parsed.rows, existing);
      const [rules, categories] = await Promise.all([deps.rules.list(userSub), deps.categories.list(userSub)]);
      const byName = new Map(categories.map((c) => [c.name.toLowerCase(), c.id]));
      const rows = parsed.rows
        .filter((r) => !duplicates.has(r.line))
        .map((r) => ({
          date: r.date,
          description: r.description,
          amountMinor: r.amountMinor,
          importedId: r.importedId,
          categoryId: categorize(r.description, rules) ?? (r.categoryName ? byName.get(r.categoryName.toLowerCase()) ?? null : null),
        }));
      const payload: PendingPayload = { fileName: req.fileName.slice(0, 120), total: parsed.rows.length, duplicates: duplicates.size, errors: parsed.errors, rows };
      const id = await deps.imports.savePending(userSub, account.id, payload, now);
      return { id, account, payload, categories };
    },

    /** Writes a previewed import: refused while it has errors; duplicates are checked again. */
    async confirm(userSub: string, id: string, now: Date): Promise<{ imported: number; skipped: number }> {
      const pending = await deps.imports.findPending(userSub, id);
      if (!pending) throw new NotFoundError('That import is no longer waiting. Upload the file again.');
      if (pending.payload.errors.length > 0) throw new HttpError(400, 'This file has lines with errors; nothing was imported. Fix them and upload again.');
      const rows = pending.payload.rows;
      const dates = rows.map((r) => r.date).sort();
      const existing = dates.length ? await deps.imports.existing(userSub, pending.accountId, addDays(dates[0]!, -7), addDays(dates.at(-1)!, 7)) : [];
      // Something may have been imported since the preview: check again, by imported id only.
      const known = new Set(existing.map((e) => e.importedId).filter(Boolean));
      const fresh = rows.filter((r) => !known.has(r.importedId));
      await deps.imports.commit(userSub, pending, fresh, now);
      return { imported: fresh.length, skipped: rows.length - fresh.length };
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
