import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { createYielder } from '../../lib/cooperative.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { ClearedState } from '../accounts/types.js';
import { monthSpan, refreshMonthTotals } from './month-totals.js';
import { EDIT } from './change-statements.js';
import { applyTotalsChange, MAX_DELTA_ROWS, totalsShareOf, type TotalsShare } from './totals-delta.js';
import { withFields } from '../../lib/objects.js';

/** One part of a split transaction, signed like the transaction. */
export interface SplitPart {
  categoryId: string | null;
  amountMinor: number;
  memo: string | null;
}

/** The other side of a transfer: its account and its amount there (opposite sign; another figure when the currencies differ). */
export interface TransferSide {
  accountId: string;
  amountMinor: number;
  /** The other row's cleared state; new rows start uncleared, an edit keeps the stored state unless given. */
  cleared?: ClearedState;
}

export interface TransactionInput {
  accountId: string;
  date: string;
  description: string;
  amountMinor: number;
  /** Null for a transfer and for a split transaction (the parts carry the categories). */
  categoryId: string | null;
  importedId?: string | null;
  memo?: string | null;
  /** Uncleared unless given; an edit keeps the stored state unless given. */
  cleared?: ClearedState;
  /** A transfer: the row in the other account is written (and kept in step) with this one. */
  transfer?: TransferSide | null;
  /** The row in another account this one is the other side of: an existing one (an import matched it), or one of the same batch naming this one back. */
  linkTo?: string | null;
  /** Two or more parts adding up to amountMinor: the transaction is split across their categories. */
  splits?: SplitPart[] | null;
  /** The import that writes this row (the other side of its transfer too): undoing it removes them. */
  importBatchId?: string | null;
}

const NOTHING: TotalsShare = { rows: [], parts: [] };

/** Rows per insert statement: 12 parameters each stays far below SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 1000;
/**
 * The insert statement per database, table and chunk size, built once by Kysely (its compile step
 * costs more than the insert itself). Per database (its transactions included), because the SQL text follows the dialect.
 */
const insertSql = new WeakMap<object, Map<string, string>>();

/** Where the SQL text is kept: per dialect adapter, which a database shares with its transactions (each transaction is a new Kysely instance); per instance when plugins could rewrite the SQL. */
function sqlOwner(db: Kysely<Database>): object {
  const executor = db.getExecutor();
  return executor.plugins.length === 0 ? executor.adapter : db;
}

/** Inserts value objects that all have the same keys in the same order, a chunk per statement. */
async function insertChunked(db: Kysely<Database>, table: 'transactions' | 'transaction_splits', values: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    const chunk = values.slice(i, i + INSERT_CHUNK);
    const owner = sqlOwner(db);
    let byKey = insertSql.get(owner);
    if (!byKey) insertSql.set(owner, (byKey = new Map()));
    const key = `${table}:${chunk.length}`;
    let text = byKey.get(key);
    if (text === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- both tables' rows are built below with their exact columns
      text = db.insertInto(table).values(chunk as any).compile().sql;
      byKey.set(key, text);
    }
    // Kysely binds the values row by row in the objects' key order, as Object.values gives them.
    const params: unknown[] = [];
    for (const r of chunk) params.push(...Object.values(r));
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
}

function rowValues(userSub: string, t: TransactionInput, id: string, transferId: string | null, createdAt: string) {
  const split = (t.splits?.length ?? 0) > 0;
  return {
    id,
    user_sub: userSub,
    account_id: t.accountId,
    date: t.date,
    description: t.description,
    amount_minor: t.amountMinor,
    category_id: split || transferId ? null : t.categoryId,
    imported_id: t.importedId ?? null,
    memo: t.memo ?? null,
    created_at: createdAt,
    cleared: t.cleared ?? 'uncleared',
    transfer_id: transferId,
    split: split ? 1 : 0,
    import_batch_id: t.importBatchId ?? null,
  };
}

function splitValues(userSub: string, transactionId: string, parts: SplitPart[]) {
  return parts.map((p, seq) => ({ transaction_id: transactionId, seq, user_sub: userSub, category_id: p.categoryId, amount_minor: p.amountMinor, memo: p.memo }));
}

/** The row of another account that is the other side of `t`, as it is inserted. */
function peerInput(t: TransactionInput, side: TransferSide): TransactionInput {
  return { accountId: side.accountId, date: t.date, description: t.description, memo: t.memo ?? null, amountMinor: side.amountMinor, categoryId: null, cleared: side.cleared ?? 'uncleared', importBatchId: t.importBatchId ?? null };
}

/**
 * Inserts rows for one owner (with the other sides of their transfers and their split parts),
 * links imported rows to the existing rows they were matched with, then brings the monthly
 * totals of the months touched up to date. Pass a database transaction: the batch and the totals
 * are then all-or-nothing together. `importBatchId`, when given, is every row's import.
 */
export async function insertTransactionRows(db: Kysely<Database>, userSub: string, rows: Array<TransactionInput & { id?: string }>, createdAt: string, importBatchId?: string): Promise<string[]> {
  const values: Array<ReturnType<typeof rowValues>> = [];
  const parts: Array<ReturnType<typeof splitValues>[number]> = [];
  const links: Array<{ id: string; peer: string }> = [];
  const dates: string[] = [];
  const ids: string[] = [];
  // Two rows of this batch may name each other by the ids they come with (a restored transfer): linked as they are written.
  const inBatch = new Set<string>();
  for (const t of rows) if (t.id) inBatch.add(t.id);
  // An import's 50,000 rows take a while to build: other requests get their turns meanwhile.
  const y = createYielder();
  for (const row of rows) {
    await y.pause();
    const t = importBatchId ? withFields(row, { importBatchId }) : row;
    const id = t.id ?? timeOrderedId();
    ids.push(id);
    dates.push(t.date);
    if (t.transfer) {
      const peerId = timeOrderedId();
      values.push(rowValues(userSub, t, id, peerId, createdAt), rowValues(userSub, peerInput(t, t.transfer), peerId, id, createdAt));
    } else {
      values.push(rowValues(userSub, t, id, t.linkTo ?? null, createdAt));
      if (t.linkTo && !inBatch.has(t.linkTo)) links.push({ id, peer: t.linkTo });
    }
    if (t.splits?.length) parts.push(...splitValues(userSub, id, t.splits));
  }
  await insertChunked(db, 'transactions', values);
  if (parts.length) await insertChunked(db, 'transaction_splits', parts);
  for (const l of links) {
    const peer = await db.updateTable('transactions').set({ transfer_id: l.id, category_id: null, split: 0 }).where('user_sub', '=', userSub).where('id', '=', l.peer).where('transfer_id', 'is', null).returning('date').executeTakeFirst();
    if (!peer) throw new Error('a matched transfer row is gone or already linked');
    await db.deleteFrom('transaction_splits').where('user_sub', '=', userSub).where('transaction_id', '=', l.peer).execute();
    dates.push(peer.date);
  }
  if (links.length === 0 && values.length <= MAX_DELTA_ROWS) {
    await applyTotalsChange(db, userSub, NOTHING, values.map((v) => v.id));
  } else {
    const span = monthSpan(dates);
    if (span) await refreshMonthTotals(db, userSub, ...span);
  }
  return ids;
}

/**
 * Changes one transaction, inside the caller's database transaction, with everything that hangs
 * on it: its split parts are replaced; as a transfer, the other account's row follows (written
 * when it becomes a transfer, deleted when it stops being one). False when there is no such row.
 */
export async function updateTransactionRow(trx: Kysely<Database>, userSub: string, id: string, t: TransactionInput, createdAt: string): Promise<boolean> {
  const [before] = await EDIT.before(trx, userSub, id);
  if (!before) return false;
  const share = await totalsShareOf(trx, userSub, before.transfer_id ? [id, before.transfer_id] : [id]);
  let transferId: string | null = null;
  if (before.transfer_id) {
    if (t.transfer) {
      transferId = before.transfer_id;
      const side = t.transfer;
      const values = [side.accountId, t.date, t.description, t.memo ?? null, side.amountMinor] as const;
      if (side.cleared) await EDIT.peerCleared(trx, ...values, side.cleared, userSub, transferId);
      else await EDIT.peer(trx, ...values, userSub, transferId);
    } else {
      await EDIT.removeRow(trx, userSub, before.transfer_id);
    }
  } else if (t.transfer) {
    transferId = timeOrderedId();
    await insertChunked(trx, 'transactions', [rowValues(userSub, peerInput(t, t.transfer), transferId, id, createdAt)]);
  }
  const r = rowValues(userSub, t, id, transferId, '');
  const values = [r.account_id, r.date, r.description, r.amount_minor, r.category_id, r.memo, r.transfer_id, r.split] as const;
  if (t.cleared) await EDIT.rowCleared(trx, ...values, r.cleared, userSub, id);
  else await EDIT.row(trx, ...values, userSub, id);
  await EDIT.removeSplits(trx, userSub, id);
  if (t.splits?.length) await insertChunked(trx, 'transaction_splits', splitValues(userSub, id, t.splits));
  await applyTotalsChange(trx, userSub, share, transferId ? [id, transferId] : [id]);
  return true;
}

/** Ids per bound-parameter list: far below SQLite's and PostgreSQL's limits. */
const ID_CHUNK = 500;

/** Runs `each` over `ids` a bounded chunk at a time. */
export async function inChunks<T>(ids: readonly string[], each: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) out.push(...(await each(ids.slice(i, i + ID_CHUNK))));
  return out;
}

/**
 * Deletes transactions (their parts with them) and, for transfers, the other account's rows,
 * then brings the totals of every month they were in up to date: one statement per chunk of ids,
 * so deleting 50,000 rows is as direct as deleting one. Returns how many of `ids` were found.
 */
export async function removeTransactionRows(trx: Kysely<Database>, userSub: string, ids: readonly string[]): Promise<number> {
  const found = await inChunks(ids, (chunk) =>
    trx
      .selectFrom('transactions as t')
      .leftJoin('transactions as p', (j) => j.onRef('p.id', '=', 't.transfer_id').on('p.user_sub', '=', userSub))
      .select(['t.id', 't.date', 'p.id as peer_id', 'p.date as peer_date'])
      .where('t.user_sub', '=', userSub)
      .where('t.id', 'in', chunk)
      .execute(),
  );
  if (found.length === 0) return 0;
  const all = [...new Set(found.flatMap((r) => (r.peer_id ? [r.id, r.peer_id] : [r.id])))];
  const share = all.length <= MAX_DELTA_ROWS ? await totalsShareOf(trx, userSub, all) : null;
  await inChunks(all, async (chunk) => {
    await trx.deleteFrom('transaction_splits').where('user_sub', '=', userSub).where('transaction_id', 'in', chunk).execute();
    await trx.deleteFrom('transactions').where('user_sub', '=', userSub).where('id', 'in', chunk).execute();
    return [];
  });
  if (share) await applyTotalsChange(trx, userSub, share, []);
  else await refreshMonthTotals(trx, userSub, ...monthSpan(found.flatMap((r) => (r.peer_date ? [r.date, r.peer_date] : [r.date])))!);
  return found.length;
}

/** Deletes one transaction (its parts with it) and, for a transfer, the other account's row. */
export async function removeTransactionRow(trx: Kysely<Database>, userSub: string, id: string): Promise<boolean> {
  return (await removeTransactionRows(trx, userSub, [id])) === 1;
}
