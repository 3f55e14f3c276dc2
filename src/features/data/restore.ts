import crypto from 'node:crypto';
import type { CategoryGroup } from '../../db/schema.js';
import { HttpError } from '../../http/errors.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { AccountInput } from '../accounts/repository.js';
import { MAX_CATEGORIES, type Category } from '../categories/repository.js';
import type { RuleInput } from '../rules/repository.js';
import type { ScheduleInput } from '../schedules/repository.js';
import type { TransactionInput } from '../transactions/repository.js';
import { createYielder } from '../../lib/cooperative.js';
import { exportSchema, schemaProblems, transactionSchema, type ExportFile } from './restore-schema.js';

/** What a restore writes, every id new (ids in a file are never trusted: they could be anyone's). */
export interface RestorePlan {
  categories: Array<{ id: string; name: string; group: CategoryGroup }>;
  accounts: Array<AccountInput & { id: string; archived: boolean }>;
  transactions: Array<TransactionInput & { id: string }>;
  budgets: Array<{ month: string; currency: string; categoryId: string; amountMinor: number }>;
  rules: Array<RuleInput & { id: string; position: number }>;
  schedules: Array<ScheduleInput & { id: string }>;
  rates: Array<{ base: string; currency: string; date: string; rateE8: number }>;
  goals: Array<{ id: string; name: string; targetMinor: number; savedMinor: number; targetDate: string; currency: string }>;
  counts: { accounts: number; categories: number; transactions: number };
}

/** A file that cannot be restored: every problem found (the first ten), nothing written. */
export class RestoreError extends HttpError {
  constructor(readonly problems: string[]) {
    super(400, `The file cannot be restored: ${problems.join(' ')}`);
  }
}

/**
 * Reads a JSON export's text and checks its shape; the problems say where. The transactions are
 * checked one by one, giving way to other requests as it goes.
 */
export async function readExport(text: string): Promise<ExportFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RestoreError(['It is not JSON. Choose the .json file the Export button made.']);
  }
  const parsed = exportSchema.safeParse(raw);
  if (!parsed.success) throw new RestoreError(schemaProblems(parsed.error));
  const problems: string[] = [];
  const transactions: ExportFile['transactions'] = [];
  const y = createYielder();
  for (const [i, row] of parsed.data.transactions.entries()) {
    await y.pause();
    const t = transactionSchema.safeParse(row);
    if (t.success) transactions.push(t.data);
    else problems.push(...schemaProblems(t.error, 10 - problems.length, ['transactions', i]));
    if (problems.length >= 10) break;
  }
  if (problems.length) throw new RestoreError(problems);
  return { ...parsed.data, transactions };
}

/**
 * Checks that the file holds together (every reference points inside it, transfers name each
 * other back, split parts add up) and maps it onto new ids. Categories the person already has
 * (same name, ignoring case) are reused.
 */
export async function planRestore(file: ExportFile, existing: Category[]): Promise<RestorePlan> {
  const y = createYielder();
  const problems: string[] = [];
  const problem = (m: string) => void (problems.length < 10 && problems.push(m));
  const byName = new Map(existing.map((c) => [c.name.toLowerCase(), c.id]));
  const categoryIds = new Map<string, string>();
  const created: RestorePlan['categories'] = [];
  for (const c of file.categories) {
    const known = byName.get(c.name.toLowerCase());
    const newId = known ?? crypto.randomUUID();
    if (!known) {
      created.push({ id: newId, name: c.name, group: c.group });
      byName.set(c.name.toLowerCase(), newId);
    }
    categoryIds.set(c.id, newId);
  }
  if (existing.length + created.length > MAX_CATEGORIES) problem(`It would make ${existing.length + created.length} categories; there can be at most ${MAX_CATEGORIES}.`);
  const category = (id: string | null, where: string) => {
    if (id === null) return null;
    const mapped = categoryIds.get(id);
    if (!mapped) problem(`${where}: its category is not among the file's categories.`);
    return mapped ?? null;
  };

  const accountIds = new Map(file.accounts.map((a) => [a.id, crypto.randomUUID()]));
  if (accountIds.size < file.accounts.length) problem('Two accounts of the file have the same id.');
  if (new Set(file.categories.map((c) => c.id)).size < file.categories.length) problem('Two categories of the file have the same id.');
  const accounts = file.accounts.map((a) => ({ id: accountIds.get(a.id)!, name: a.name.trim().replace(/\s+/g, ' '), currency: a.currency, type: a.type, openingBalance: a.openingBalanceMinor, openingDate: a.openingDate, archived: a.archived }));

  // New ids in the file's order (so rows of one day keep their order), giving way as it goes.
  const rowIds = new Map<string, string>();
  for (const [i, t] of file.transactions.entries()) {
    await y.pause();
    if (rowIds.has(t.id)) problem(`transactions[${i}]: its id is used by another transaction of the file.`);
    rowIds.set(t.id, timeOrderedId());
  }
  const newRowId = (old: string) => rowIds.get(old)!;
  const rowsById = new Map(file.transactions.map((t) => [t.id, t]));
  const transactions: RestorePlan['transactions'] = [];
  for (const [i, t] of file.transactions.entries()) {
    await y.pause();
    const where = `transactions[${i}]`;
    const accountId = accountIds.get(t.accountId);
    if (!accountId) problem(`${where}: its account is not among the file's accounts.`);
    let linkTo: string | null = null;
    if (t.transferId !== null) {
      const other = rowsById.get(t.transferId);
      if (!other || other.transferId !== t.id || other.accountId === t.accountId) problem(`${where}: the other side of its transfer is not in the file (or does not name it back).`);
      else linkTo = newRowId(other.id);
    }
    const splits = t.splits.map((p, k) => ({ categoryId: category(p.categoryId, `${where}.splits[${k}]`), amountMinor: p.amountMinor, memo: p.memo }));
    if (splits.length === 1) problem(`${where}: a split needs at least two parts.`);
    if (splits.length > 1 && splits.reduce((s, p) => s + p.amountMinor, 0) !== t.amountMinor) problem(`${where}: its split parts do not add up to its amount.`);
    if (splits.length > 0 && linkTo) problem(`${where}: a transfer cannot be split.`);
    transactions.push({
      id: newRowId(t.id),
      accountId: accountId ?? '',
      date: t.date,
      description: t.description.trim().replace(/\s+/g, ' '),
      amountMinor: t.amountMinor,
      categoryId: linkTo || splits.length ? null : category(t.categoryId, where),
      importedId: t.importedId,
      memo: t.memo,
      cleared: t.cleared,
      linkTo,
      splits: splits.length > 1 ? splits : null,
    });
  }

  const seenBudget = new Set<string>();
  const budgets = file.budgets.flatMap((b, i) => {
    const key = `${b.month}|${b.currency}|${b.categoryId}`;
    if (seenBudget.has(key)) {
      problem(`budgets[${i}]: the same category and month appears twice.`);
      return [];
    }
    seenBudget.add(key);
    const categoryId = category(b.categoryId, `budgets[${i}]`);
    return categoryId ? [{ month: b.month, currency: b.currency, categoryId, amountMinor: b.amountMinor }] : [];
  });
  const accountRef = (ref: string | null, where: string) => {
    if (ref === null) return null;
    const mapped = accountIds.get(ref);
    if (!mapped) problem(`${where}: its account is not among the file's accounts.`);
    return mapped ?? null;
  };
  const rules = file.rules.flatMap((r, i) => {
    const categoryId = category(r.categoryId, `rules[${i}]`);
    const accountId = accountRef(r.accountId, `rules[${i}]`);
    if (r.minAmountMinor !== null && r.maxAmountMinor !== null && r.minAmountMinor > r.maxAmountMinor) problem(`rules[${i}]: its smallest amount is above its largest.`);
    return categoryId ? [{ id: crypto.randomUUID(), field: r.field, op: r.op, matchText: r.matchText.trim(), minAmount: r.minAmountMinor, maxAmount: r.maxAmountMinor, accountId, categoryId, renameTo: r.renameTo, position: i + 1 }] : [];
  });
  const schedules = file.schedules.map((x, i) => ({
    id: crypto.randomUUID(),
    accountId: accountRef(x.accountId, `schedules[${i}]`) ?? '',
    description: x.description.trim().replace(/\s+/g, ' '),
    amountMinor: x.amountMinor,
    categoryId: x.transferAccountId ? null : category(x.categoryId, `schedules[${i}]`),
    transferAccountId: accountRef(x.transferAccountId, `schedules[${i}]`),
    frequency: x.frequency,
    every: x.every,
    anchorDay: x.anchorDay,
    nextDate: x.nextDate,
  }));
  const goals = file.goals.map((g) => ({ id: crypto.randomUUID(), name: g.name.trim().replace(/\s+/g, ' '), targetMinor: g.targetMinor, savedMinor: g.savedMinor, targetDate: g.targetDate, currency: g.currency }));

  const seenRate = new Set<string>();
  const rates = file.exchangeRates.filter((r, i) => {
    const key = `${r.base}|${r.currency}|${r.date}`;
    if (r.base === r.currency) problem(`exchangeRates[${i}]: a currency has no rate into itself.`);
    else if (seenRate.has(key)) problem(`exchangeRates[${i}]: the same currency and date appears twice.`);
    seenRate.add(key);
    return true;
  });
  if (problems.length) throw new RestoreError(problems);
  return { categories: created, accounts, transactions, budgets, rules, schedules, rates, goals, counts: { accounts: accounts.length, categories: created.length, transactions: transactions.length } };
}
