import crypto from 'node:crypto';
import type { CategoryGroup } from '../../db/schema.js';
import { HttpError, NotFoundError } from '../../http/errors.js';
import { createYielder } from '../../lib/cooperative.js';
import type { Account, AccountsRepository } from '../accounts/repository.js';
import { MAX_CATEGORIES, type CategoriesRepository, type Category } from '../categories/repository.js';
import { addDays, dateSpan } from '../../money/dates.js';
import { MAX_VOLUME_MINOR, VOLUME_TEXT } from '../../money/money.js';
import { firstMatch, prepareRules } from '../rules/matching.js';
import type { RulesRepository } from '../rules/repository.js';
import { MAX_TRANSACTIONS } from '../transactions/month-totals.js';
import type { TransactionsRepository } from '../transactions/repository.js';
import { parseCsv } from './csv.js';
import { decodeUpload } from './decode.js';
import { findDuplicates } from './dedupe.js';
import { parseOfx } from './ofx.js';
import type { ImportRepository, NewCategoryName, PendingImport, PendingMeta, PendingRow } from './repository.js';
import { errorCollector, type ImportedRow, type LineError, type ParseOutcome } from './types.js';
import { markTransfers, resolveTransfers, transferTargets, type TransferChoices } from './transfers.js';
import type { ImportRequest } from './options.js';
import { withFields } from '../../lib/objects.js';

/** How long a preview waits for its confirmation. */
export const PENDING_TTL_MS = 60 * 60 * 1000;
/** Category names one file may bring that the person does not have yet (each is a field of the confirmation form). */
const MAX_NEW_CATEGORIES = 50;
/** "Transfer : <name>" names matching no account that one file may bring (each is a field of the confirmation form). */
export const MAX_UNKNOWN_TRANSFERS = 20;
export const PREVIEW_ROWS = 100;

export interface Preview {
  /** Null when there is nothing to confirm (errors, or no new rows): then nothing was stored. */
  id: string | null;
  account: Account;
  meta: PendingMeta;
  errors: LineError[];
  errorCount: number;
  sample: PendingRow[];
  categories: Category[];
  /** The accounts a row can be a transfer with. */
  transferTargets: Account[];
}

/** What the person chose for each new category name: create it in a group, or use one they have. */
export type CategoryChoice = { create: CategoryGroup } | { map: string };

export function createImportService(deps: {
  imports: ImportRepository;
  accounts: AccountsRepository;
  categories: CategoriesRepository;
  rules: RulesRepository;
  transactions: TransactionsRepository;
}) {
  async function activeAccount(userSub: string, id: string): Promise<Account> {
    const account = await deps.accounts.find(userSub, id);
    if (!account || account.archived) throw new HttpError(400, 'Choose one of your active accounts. That one is archived or no longer exists; nothing was imported.');
    return account;
  }

  return {
    /**
     * Decodes and parses the file, finds duplicates, categories and new category names, and
     * keeps the result for confirmation when it can be confirmed. Nothing is written to the
     * user's transactions here. Every step pauses for other requests as it goes.
     */
    async preview(userSub: string, req: ImportRequest, now: Date): Promise<Preview> {
      const account = await activeAccount(userSub, req.accountId);
      const decoded = decodeUpload(req.bytes, req.encoding);
      if (!decoded.ok) throw new HttpError(400, decoded.error);
      const parsed: ParseOutcome = req.format === 'ofx' ? await parseOfx(decoded.text, account.currency) : await parseCsv(decoded.text, { ...req.csv, shape: req.format, currency: account.currency });
      const categories = await deps.categories.list(userSub);
      const meta: PendingMeta = { fileName: req.fileName.slice(0, 120), encoding: decoded.encoding, total: parsed.rows.length + parsed.errorCount, duplicates: 0, newRows: 0, newCategories: [] };
      const refuse = async (errors: LineError[], errorCount: number): Promise<Preview> => {
        await deps.imports.clearPending(userSub);
        return { id: null, account, meta, errors, errorCount, sample: [], categories, transferTargets: [] };
      };
      if (parsed.errorCount > 0) return refuse(parsed.errors, parsed.errorCount);

      const existing = await existingAround(userSub, account.id, parsed.rows);
      const duplicates = await findDuplicates(parsed.rows, existing);
      const fresh = parsed.rows.filter((r) => !duplicates.has(r.line));
      meta.duplicates = duplicates.size;
      meta.newRows = fresh.length;

      const tooMuch = sizeProblem(fresh, await deps.transactions.size(userSub));
      if (tooMuch) return refuse([tooMuch], 1);
      const named = await assignCategories(fresh, await deps.rules.list(userSub), categories, account.id);
      meta.newCategories = named.newCategories;
      if (named.newCategories.length > MAX_NEW_CATEGORIES) {
        return refuse([{ line: 1, message: `The file names ${named.newCategories.length} categories you do not have; at most ${MAX_NEW_CATEGORIES} can be added in one import.` }], 1);
      }
      if (fresh.length === 0) return refuse([], 0);
      const accounts = await deps.accounts.list(userSub, { includeArchived: false });
      const marked = markTransfers(named.rows, account, accounts);
      meta.transfers = marked.transfers;
      meta.unknownTransfers = marked.unknown;
      if (marked.unknown.length > MAX_UNKNOWN_TRANSFERS) {
        return refuse([{ line: 1, message: `The file has transfers to ${marked.unknown.length} accounts you do not have; at most ${MAX_UNKNOWN_TRANSFERS} can be matched in one import. Add those accounts first, or split the file.` }], 1);
      }
      const id = await deps.imports.savePending(userSub, account.id, meta, named.rows, now);
      return { id, account, meta, errors: [], errorCount: 0, sample: named.rows.slice(0, PREVIEW_ROWS), categories, transferTargets: transferTargets(account, accounts) };
    },

    /** A pending import as its preview showed it, for showing it again (e.g. with a choice missing). */
    async pending(userSub: string, id: string, now: Date): Promise<Preview> {
      const pending = await findPending(userSub, id, now);
      const [account, categories, rows, accounts] = await Promise.all([
        activeAccount(userSub, pending.accountId),
        deps.categories.list(userSub),
        deps.imports.pendingRows(userSub, id),
        deps.accounts.list(userSub, { includeArchived: false }),
      ]);
      return { id, account, meta: pending.meta, errors: [], errorCount: 0, sample: rows.slice(0, PREVIEW_ROWS), categories, transferTargets: transferTargets(account, accounts) };
    },

    /**
     * Writes a previewed import: the account must still be active, every new category name must
     * have a choice, and duplicates are checked again (something may have been imported since).
     */
    async confirm(
      userSub: string,
      id: string,
      choices: { categories: Map<number, CategoryChoice>; transfers: TransferChoices },
      now: Date,
    ): Promise<{ imported: number; skipped: number; categoriesCreated: number; transfers: number; matched: number }> {
      const pending = await findPending(userSub, id, now);
      let account: Account;
      try {
        account = await activeAccount(userSub, pending.accountId);
      } catch (err) {
        await deps.imports.clearPending(userSub);
        throw err;
      }
      const categories = await deps.categories.list(userSub);
      const resolved = resolveChoices(pending.meta.newCategories, choices.categories, categories);
      const rows = await deps.imports.pendingRows(userSub, id);
      const existing = await existingAround(userSub, account.id, rows);
      const known = new Set(existing.map((e) => e.importedId).filter(Boolean));
      const y = createYielder();
      const entries = [];
      for (const [index, p] of rows.entries()) {
        await y.pause();
        if (known.has(p.importedId)) continue;
        const { newCategory, transferAccountId: _t, unknownTransfer: _u, ...r } = p;
        entries.push({ index, pending: p, input: withFields(r, { accountId: account.id, categoryId: newCategory === undefined ? r.categoryId : resolved.ids[newCategory]! }) });
      }
      const accounts = await deps.accounts.list(userSub, { includeArchived: false });
      const linked = await resolveTransfers(entries, choices.transfers, { into: account, accounts, existingIn: (accountId, around) => existingAround(userSub, accountId, around) });
      if (linked.problems.length) throw new ChoicesError(linked.problems);
      await deps.imports.commit(userSub, pending, linked.rows, resolved.created, now);
      return { imported: linked.rows.length, skipped: rows.length - linked.rows.length, categoriesCreated: resolved.created.length, transfers: linked.transfers, matched: linked.matched };
    },

    /** Deletes previews nobody confirmed within the hour. */
    deleteExpired: (now: Date) => deps.imports.deleteExpired(new Date(now.getTime() - PENDING_TTL_MS)),
  };

  /** The account's rows within the duplicate window (±7 days) of the rows' dates. */
  async function existingAround(userSub: string, accountId: string, rows: Array<{ date: string }>) {
    const span = dateSpan(rows.map((r) => r.date));
    return span ? deps.imports.existing(userSub, accountId, addDays(span[0], -7), addDays(span[1], 7)) : [];
  }

  async function findPending(userSub: string, id: string, now: Date): Promise<PendingImport> {
    const pending = await deps.imports.findPending(userSub, id, new Date(now.getTime() - PENDING_TTL_MS));
    if (!pending) throw new NotFoundError('That import is no longer waiting (a preview waits an hour). Upload the file again.');
    return pending;
  }
}

/** The first line that would take the user past the transaction count or the volume limit, as an error. */
function sizeProblem(rows: ImportedRow[], current: { rows: number; volume: number }): LineError | undefined {
  if (current.rows + rows.length > MAX_TRANSACTIONS) {
    const line = rows[Math.max(0, MAX_TRANSACTIONS - current.rows)]!.line;
    return { line, message: `From this line on, the import would make more than ${MAX_TRANSACTIONS.toLocaleString('en-US')} transactions, the most the app keeps for one person. Nothing will be imported.` };
  }
  let volume = current.volume;
  for (const r of rows) {
    volume += Math.abs(r.amountMinor);
    if (volume > MAX_VOLUME_MINOR) {
      return { line: r.line, message: `This amount takes the sum of all your amounts (in and out) past ${VOLUME_TEXT}, the most the app keeps for one person. Nothing will be imported.` };
    }
  }
  return undefined;
}

/**
 * Categories for each row: a rule first (in order; it may also rename the payee), else the file's own category name matched to the
 * person's categories ignoring case, else a new name to decide on at confirmation.
 */
async function assignCategories(rows: ImportedRow[], rules: Awaited<ReturnType<RulesRepository['list']>>, categories: Category[], accountId: string) {
  const ordered = prepareRules(rules);
  const byName = new Map(categories.map((c) => [c.name.toLowerCase(), c.id]));
  const fresh = new Map<string, { index: number; name: NewCategoryName; inflowOnly: boolean; group?: CategoryGroup }>();
  const y = createYielder();
  const out: PendingRow[] = [];
  for (const r of rows) {
    await y.pause();
    // The first rule that matches sets the category, and may give the payee its usual name.
    const rule = firstMatch(ordered, { description: r.description, memo: r.memo ?? null, amountMinor: r.amountMinor, accountId });
    const base: PendingRow = { date: r.date, description: rule?.renameTo ?? r.description, memo: r.memo ?? null, amountMinor: r.amountMinor, importedId: r.importedId, categoryId: rule?.categoryId ?? null };
    if (base.categoryId === null && r.categoryName) {
      const key = r.categoryName.toLowerCase();
      const known = byName.get(key);
      if (known) base.categoryId = known;
      else {
        let entry = fresh.get(key);
        if (!entry) {
          entry = { index: fresh.size, name: { name: r.categoryName, suggestedGroup: 'need', rows: 0 }, inflowOnly: true, ...(r.categoryGroup ? { group: r.categoryGroup } : {}) };
          fresh.set(key, entry);
        }
        entry.name.rows++;
        if (r.amountMinor < 0) entry.inflowOnly = false;
        base.newCategory = entry.index;
      }
    }
    out.push(base);
  }
  // A sensible default group: the file's own, else income for names only money came in under.
  const newCategories = [...fresh.values()].map((e) => ({ ...e.name, suggestedGroup: e.group ?? (e.inflowOnly ? 'income' : 'need') }));
  return { rows: out, newCategories };
}

/** Checks a choice for every new name; the created ones get ids, a name that exists by now is reused. */
function resolveChoices(names: NewCategoryName[], choices: Map<number, CategoryChoice>, categories: Category[]) {
  const problems = errorCollector();
  const byName = new Map(categories.map((c) => [c.name.toLowerCase(), c.id]));
  const owned = new Set(categories.map((c) => c.id));
  const ids: string[] = [];
  const created: Array<{ id: string; name: string; group: CategoryGroup }> = [];
  names.forEach((n, i) => {
    const choice = choices.get(i);
    if (!choice) return problems.add(i + 1, `Choose what to do with the category "${n.name}".`);
    if ('map' in choice) {
      if (!owned.has(choice.map)) return problems.add(i + 1, `Choose one of your categories for "${n.name}".`);
      return void ids.push(choice.map);
    }
    const existing = byName.get(n.name.toLowerCase());
    if (existing) return void ids.push(existing);
    const id = crypto.randomUUID();
    created.push({ id, name: n.name, group: choice.create });
    byName.set(n.name.toLowerCase(), id);
    ids.push(id);
  });
  if (categories.length + created.length > MAX_CATEGORIES) {
    problems.add(0, `That would make ${categories.length + created.length} categories; there can be at most ${MAX_CATEGORIES}. Put some of the new names into categories you have.`);
  }
  if (problems.count() > 0) throw new ChoicesError(problems.errors.map((e) => e.message));
  return { ids, created };
}

/** A new category name without a usable choice: the preview is shown again with the problems. */
export class ChoicesError extends HttpError {
  constructor(readonly problems: string[]) {
    super(400, problems.join(' '));
  }
}

export type ImportService = ReturnType<typeof createImportService>;
