import crypto from 'node:crypto';
import { minorToInput, DEFAULT_CURRENCY } from '../../money/money.js';
import { createYielder } from '../../lib/cooperative.js';
import type { DataRepository } from './repository.js';

type Everything = Awaited<ReturnType<DataRepository['everything']>>;

/** One CSV cell: quoted when needed, and a leading = + - @ in text neutralised so a spreadsheet never runs it. */
export function csvCell(value: string | number, { text }: { text: boolean }): string {
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Each split transaction's parts, in order, by transaction id. */
function partsById(data: Everything) {
  const parts = new Map<string, Everything['splits']>();
  for (const p of data.splits) {
    const list = parts.get(p.transaction_id);
    if (list) list.push(p);
    else parts.set(p.transaction_id, [p]);
  }
  return parts;
}

/**
 * All transactions as CSV: one row each, amounts as plain decimals in the account's currency.
 * A transfer names the other account in `transfer_account` (both of its rows are listed, one per
 * account); a split transaction lists its parts in `splits` as JSON: [{"category","amount"}].
 */
export async function transactionsCsv(data: Everything): Promise<string> {
  const accounts = new Map(data.accounts.map((a) => [a.id, a]));
  const categories = new Map(data.categories.map((c) => [c.id, c]));
  const accountOfRow = new Map(data.transactions.map((t) => [t.id, t.account_id]));
  const parts = partsById(data);
  const lines = ['date,account,description,amount,currency,category,group,memo,cleared,transfer_account,splits'];
  // 50,000 rows take over 100 ms to write out: other requests get their turns meanwhile.
  const y = createYielder();
  for (const t of data.transactions) {
    await y.pause();
    const other = t.transfer_id ? accounts.get(accountOfRow.get(t.transfer_id) ?? '') : undefined;
    const split = t.split === 1 ? (parts.get(t.id) ?? []).map((p) => ({ category: p.category_id ? (categories.get(p.category_id)?.name ?? '') : '', amount: minorToInput(Number(p.amount_minor), accounts.get(t.account_id)?.currency ?? DEFAULT_CURRENCY) })) : [];
    const account = accounts.get(t.account_id);
    const category = t.category_id ? categories.get(t.category_id) : undefined;
    const currency = account?.currency ?? DEFAULT_CURRENCY;
    lines.push(
      [
        csvCell(t.date, { text: false }),
        csvCell(account?.name ?? '', { text: true }),
        csvCell(t.description, { text: true }),
        csvCell(minorToInput(Number(t.amount_minor), currency), { text: false }),
        csvCell(currency, { text: false }),
        csvCell(category?.name ?? '', { text: true }),
        csvCell(category?.grp ?? '', { text: false }),
        csvCell(t.memo ?? '', { text: true }),
        csvCell(t.cleared, { text: false }),
        csvCell(other?.name ?? '', { text: true }),
        csvCell(split.length ? JSON.stringify(split) : '', { text: false }),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Names the JSON export's shape, so a restore can tell it from any other JSON file. */
export const EXPORT_FORMAT = 'personal-finance-coach/1';

/** Everything as JSON, amounts in integer minor units as stored. */
export function everythingJson(data: Everything, user: { sub: string; email: string | null; name: string | null; currency: string; displayName: string | null }, exportedAt: Date) {
  const parts = partsById(data);
  return {
    format: EXPORT_FORMAT,
    exportedAt: exportedAt.toISOString(),
    user,
    accounts: data.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      currency: a.currency,
      type: a.type,
      openingBalanceMinor: Number(a.opening_balance_minor),
      openingDate: a.opening_date,
      archived: a.archived === 1,
      createdAt: a.created_at,
    })),
    categories: data.categories.map((c) => ({ id: c.id, name: c.name, group: c.grp })),
    transactions: data.transactions.map((t) => ({
      id: t.id,
      accountId: t.account_id,
      date: t.date,
      description: t.description,
      amountMinor: Number(t.amount_minor),
      categoryId: t.category_id,
      importedId: t.imported_id,
      memo: t.memo,
      cleared: t.cleared,
      transferId: t.transfer_id,
      splits: t.split === 1 ? (parts.get(t.id) ?? []).map((p) => ({ categoryId: p.category_id, amountMinor: Number(p.amount_minor), memo: p.memo })) : [],
    })),
    budgets: data.budgets.map((b) => ({ month: b.month, currency: b.currency, categoryId: b.category_id, amountMinor: Number(b.amount_minor) })),
    rules: data.rules.map((r) => ({
      id: r.id,
      field: r.match_field,
      op: r.match_op,
      matchText: r.match_text,
      minAmountMinor: r.min_amount_minor === null ? null : Number(r.min_amount_minor),
      maxAmountMinor: r.max_amount_minor === null ? null : Number(r.max_amount_minor),
      accountId: r.account_id,
      categoryId: r.category_id,
      renameTo: r.rename_to,
    })),
    exchangeRates: data.rates.map((r) => ({ base: r.base, currency: r.currency, date: r.date, rateE8: Number(r.rate_e8) })),
    schedules: data.schedules.map((x) => ({
      id: x.id,
      accountId: x.account_id,
      description: x.description,
      amountMinor: Number(x.amount_minor),
      categoryId: x.category_id,
      transferAccountId: x.transfer_account_id,
      frequency: x.frequency,
      every: Number(x.every),
      anchorDay: Number(x.anchor_day),
      nextDate: x.next_date,
    })),
    goals: data.goals.map((g) => ({ id: g.id, name: g.name, targetMinor: Number(g.target_minor), savedMinor: Number(g.saved_minor), targetDate: g.target_date, currency: g.currency })),
  };
}

/**
 * Stands for the transactions while the rest of the export is written out. Names and other text
 * come before them in the text, so the mark carries a random nonce no stored value can hold.
 */
const TRANSACTIONS_MARK = `\u0000transactions-${crypto.randomBytes(12).toString('hex')}\u0000`;

/**
 * The JSON export's text, exactly `JSON.stringify(value)`, with its transactions written out a
 * slice at a time: in one go, 50,000 of them held the process for 60-80 ms.
 */
export async function exportJsonText(value: ReturnType<typeof everythingJson>): Promise<string> {
  const y = createYielder();
  const rows: string[] = [];
  for (const t of value.transactions) {
    await y.pause();
    rows.push(JSON.stringify(t));
  }
  // Replacing the key keeps its place among the others.
  const rest = JSON.stringify({ ...value, transactions: TRANSACTIONS_MARK });
  return rest.replace(JSON.stringify(TRANSACTIONS_MARK), () => `[${rows.join(',')}]`);
}
