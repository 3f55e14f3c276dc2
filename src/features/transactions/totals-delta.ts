import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { monthRange } from '../../money/dates.js';
import { refuseIfOverLimits, sizeOf, TRANSFER_KEY } from './month-totals.js';
import { dropEmptyAccountMonth, REPEAT, shareOfOne, shareRows, SUMS, upsertAccountMonth } from './change-statements.js';

/**
 * The stored totals kept by difference, for writes of a few rows (adding, editing or deleting one
 * transaction): what the changed rows gave the totals before the change is taken off, what they
 * give after it is added, key by key, in one upsert per key. refreshMonthTotals recomputes whole
 * months instead, which costs as many rows as the month holds; bulk writes still use it.
 *
 * Both give the same tables (no key with a count of 0 is left behind): a test makes random
 * changes each way and compares them with a recompute of everything. Like refreshMonthTotals,
 * it runs inside ledgerTransaction, which serialises one person's writes on both engines.
 */

/** The most rows one change may touch and still be kept by difference; a larger one recomputes its months. */
export const MAX_DELTA_ROWS = 50;

/** What some transaction rows give the stored totals, read before or after a change. */
export interface TotalsShare {
  rows: ShareRow[];
  parts: Array<{ transactionId: string; categoryKey: string; amount: number }>;
}

interface ShareRow {
  id: string;
  date: string;
  currency: string;
  accountId: string;
  amount: number;
  cleared: number;
  categoryKey: string;
  split: boolean;
  repeatable: boolean;
  descriptionKey: string;
}

/** What rows `ids` (at most MAX_DELTA_ROWS) give the totals now: call before a change and after it. */
export async function totalsShareOf(trx: Kysely<Database>, userSub: string, ids: readonly string[]): Promise<TotalsShare> {
  if (ids.length === 0) return { rows: [], parts: [] };
  if (ids.length > MAX_DELTA_ROWS) throw new Error(`totalsShareOf: ${ids.length} rows, more than ${MAX_DELTA_ROWS}`);
  const found = ids.length === 1 ? await shareOfOne(trx, userSub, ids[0]!) : await shareRows(trx).where('t.user_sub', '=', userSub).where('t.id', 'in', ids).execute();
  const splitIds = found.filter((r) => r.split === 1).map((r) => r.id);
  const parts = splitIds.length
    ? await trx.selectFrom('transaction_splits').select(['transaction_id', 'category_id', 'amount_minor']).where('user_sub', '=', userSub).where('transaction_id', 'in', splitIds).execute()
    : [];
  return {
    rows: found.map((r) => ({
      id: r.id,
      date: r.date,
      currency: r.currency,
      accountId: r.account_id,
      amount: Number(r.amount_minor),
      cleared: Number(r.cleared_amount),
      categoryKey: r.transfer_id !== null ? TRANSFER_KEY : (r.category_id ?? ''),
      split: r.split === 1,
      repeatable: r.transfer_id === null && Number(r.amount_minor) < 0,
      descriptionKey: r.description_key,
    })),
    parts: parts.map((p) => ({ transactionId: p.transaction_id, categoryKey: p.category_id ?? '', amount: Number(p.amount_minor) })),
  };
}

interface Sums {
  total: number;
  count: number;
  out: number;
  outCount: number;
}

function addTo(map: Map<string, Sums>, key: string, amount: number, sign: 1 | -1) {
  const s = map.get(key) ?? { total: 0, count: 0, out: 0, outCount: 0 };
  s.total += sign * amount;
  s.count += sign;
  if (amount < 0) {
    s.out += sign * amount;
    s.outCount += sign;
  }
  map.set(key, s);
}

/** Keys are joined with a separator no key part holds (dates, currency codes, ids, amounts). */
const SEP = '\u0000';

/**
 * Brings the stored totals from `before` to what rows `afterIds` give now, then checks the
 * person's size limits as refreshMonthTotals does (a change that grows past one is refused).
 */
export async function applyTotalsChange(trx: Kysely<Database>, userSub: string, before: TotalsShare, afterIds: readonly string[]): Promise<void> {
  const after = await totalsShareOf(trx, userSub, afterIds);
  const months = new Map<string, Sums>();
  const days = new Map<string, Sums>();
  const accounts = new Map<string, { total: number; cleared: number; count: number }>();
  const repeats = new Map<string, number>();
  for (const [share, sign] of [[before, -1], [after, 1]] as const) {
    const byId = new Map(share.rows.map((r) => [r.id, r]));
    const categoryParts = [
      ...share.rows.filter((r) => !r.split).map((r) => ({ row: r, categoryKey: r.categoryKey, amount: r.amount })),
      ...share.parts.map((p) => ({ row: byId.get(p.transactionId)!, categoryKey: p.categoryKey, amount: p.amount })),
    ];
    for (const p of categoryParts) {
      addTo(months, [p.row.date.slice(0, 7), p.row.currency, p.categoryKey].join(SEP), p.amount, sign);
      addTo(days, [p.row.date, p.row.currency, p.categoryKey].join(SEP), p.amount, sign);
    }
    for (const r of share.rows) {
      const key = [r.accountId, r.date.slice(0, 7)].join(SEP);
      const a = accounts.get(key) ?? { total: 0, cleared: 0, count: 0 };
      a.total += sign * r.amount;
      a.cleared += sign * r.cleared;
      a.count += sign;
      accounts.set(key, a);
      if (r.repeatable) {
        const key = [r.date.slice(0, 7), r.currency, r.amount, r.descriptionKey].join(SEP);
        repeats.set(key, (repeats.get(key) ?? 0) + sign);
      }
    }
  }
  let volume = 0;
  let rows = 0;
  for (const s of months.values()) {
    volume += s.total - 2 * s.out;
    rows += s.count;
  }
  if (volume > 0 || rows > 0) {
    // Only a change that grows can be refused; the stored sizes still describe `before`.
    const size = await sizeOf(trx, userSub);
    refuseIfOverLimits(size, { rows: size.rows + rows, volume: size.volume + volume });
  }

  for (const [table, map] of [['month_totals', months], ['day_totals', days]] as const) {
    for (const [key, s] of map) {
      if (s.total === 0 && s.count === 0 && s.out === 0 && s.outCount === 0) continue;
      const [period, currency, categoryKey] = key.split(SEP) as [string, string, string];
      await SUMS[table].upsert(trx, userSub, period, currency, categoryKey, s.total, s.count, s.out, s.outCount);
      // A key no row gives anything to any more is gone, as after a recompute.
      if (s.count < 0) await SUMS[table].dropEmpty(trx, userSub, period, currency, categoryKey);
    }
  }
  for (const [key, a] of accounts) {
    const [accountId, month] = key.split(SEP) as [string, string];
    if (a.total !== 0 || a.cleared !== 0 || a.count > 0) await upsertAccountMonth(trx, userSub, accountId, month, a.total, a.cleared);
    if (a.count < 0) {
      // A recompute keeps no month an account has no rows in.
      const { first, last } = monthRange(month);
      await dropEmptyAccountMonth(trx, userSub, accountId, month, first, last);
    }
  }
  for (const [key, change] of repeats) {
    if (change === 0) continue;
    const [month, currency, amount, descriptionKey] = key.split(SEP) as [string, string, string, string];
    await changeRepeat(trx, userSub, { month, currency, amount_minor: Number(amount), description_key: descriptionKey }, change);
  }
}

/**
 * Moves one "same amount, same description" key of a month by `change` rows. It is stored only
 * while it occurs more than once, with its exact count; a key not stored occurred once or not at
 * all, so only a growing one is counted in the rows, and no further than it needs to.
 */
async function changeRepeat(trx: Kysely<Database>, userSub: string, k: { month: string; currency: string; amount_minor: number; description_key: string }, change: number) {
  const key = [userSub, k.month, k.currency, k.amount_minor, k.description_key] as const;
  const [stored] = await REPEAT.count(trx, ...key);
  let count: number;
  if (stored) {
    count = Number(stored.count) + change;
  } else {
    if (change < 0) return;
    // Once or never before: the rows now hold `change` or `change + 1` of it; counting stops there.
    const { first, last } = monthRange(k.month);
    const [found] = await REPEAT.inRows(trx, userSub, first, last, k.amount_minor, k.currency, k.description_key, change + 1);
    count = Number(found!.count);
  }
  if (stored && count > 1) await REPEAT.update(trx, count, ...key);
  else if (stored) await REPEAT.remove(trx, ...key);
  else if (count > 1) await REPEAT.insert(trx, ...key, count);
}
