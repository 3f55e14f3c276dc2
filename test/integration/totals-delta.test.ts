import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { migrateTo, migrateToLatest } from '../../src/db/migrations.js';
import { refreshMonthTotals } from '../../src/features/transactions/month-totals.js';
import type { TransactionInput } from '../../src/features/transactions/writes.js';
import { openTestDatabase, type TestDatabase } from '../helpers/engines.js';

/**
 * Single-row writes keep the stored totals by difference (totals-delta.ts), bulk writes recompute
 * whole months. Both must give the same tables: random adds, edits, clears and deletes are made,
 * then the tables are compared with a recompute of everything, on the suite's engine.
 */

const SUB = 'auth0|totals-delta';
const OTHER = 'auth0|totals-delta-other';
const NOW = new Date('2026-11-18T12:00:00Z');
const TABLES = ['month_totals', 'day_totals', 'account_month_totals', 'month_repeats', 'ledger_sizes'] as const;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The person's size as the database keeps it, and as the sum of their month_totals rows it must equal. */
async function sizes(db: Kysely<Database>, sub: string) {
  const kept = await db.selectFrom('ledger_sizes').select(['row_count', 'volume_minor']).where('user_sub', '=', sub).executeTakeFirst();
  const summed = await db
    .selectFrom('month_totals')
    .select([sql<number>`coalesce(sum(count), 0)`.as('row_count'), sql<number>`coalesce(sum(total_minor - 2 * out_minor), 0)`.as('volume_minor')])
    .where('user_sub', '=', sub)
    .executeTakeFirstOrThrow();
  return { kept: { rows: Number(kept?.row_count ?? 0), volume: Number(kept?.volume_minor ?? 0) }, summed: { rows: Number(summed.row_count), volume: Number(summed.volume_minor) } };
}

async function tables(db: Kysely<Database>, sub: string) {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) {
    const rows = await db.selectFrom(table).selectAll().where('user_sub', '=', sub).execute();
    out[table] = rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)]))).sort();
  }
  return out;
}

describe('totals kept by difference', () => {
  let database: TestDatabase;
  let dir: string;
  let db: Kysely<Database>;
  let f: Finance;
  let accounts: string[];
  let categories: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-delta-'));
    database = await openTestDatabase(dir);
    db = database.handle.db;
    f = createFinance(db);
    for (const sub of [SUB, OTHER]) await f.categories.ensureSeeded(sub, NOW);
    categories = (await f.categories.list(SUB)).slice(0, 4).map((c) => c.id);
    accounts = [
      await f.accounts.create(SUB, { name: 'Checking', currency: 'USD' }, NOW),
      await f.accounts.create(SUB, { name: 'Savings', currency: 'USD', type: 'savings' }, NOW),
      await f.accounts.create(SUB, { name: 'Euro', currency: 'EUR' }, NOW),
    ];
    // Another person's rows, which no change of SUB's may touch.
    const theirs = await f.accounts.create(OTHER, { name: 'Theirs', currency: 'USD' }, NOW);
    await f.transactions.create(OTHER, { accountId: theirs, date: '2026-10-03', description: 'Coffee', amountMinor: -450, categoryId: null }, NOW);
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same totals as recomputing every month, after 400 random adds, multi-row adds, edits, clears, deletes and bulk deletes', async () => {
    const next = random(20261203);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const ids: string[] = [];
    const input = (): TransactionInput => {
      const accountId = pick(accounts);
      // Few amounts and descriptions (in several spellings), so repeated charges come and go.
      const amountMinor = pick([-450, -450, -1299, -20_000, 0, 2500, 150_000]);
      const base: TransactionInput = {
        accountId,
        date: pick(['2026-09-30', '2026-10-01', '2026-10-01', '2026-10-17', '2026-11-02']),
        description: pick(['Coffee', ' coffee', 'COFFEE ', 'Rent', 'Émile']),
        amountMinor,
        categoryId: pick([null, ...categories]),
        ...(next() < 0.3 ? { cleared: pick(['cleared', 'reconciled'] as const) } : {}),
      };
      const kind = next();
      if (kind < 0.2) {
        const other = pick(accounts.filter((a) => a !== accountId));
        return { ...base, categoryId: null, transfer: { accountId: other, amountMinor: -amountMinor * (other === accounts[2] || accountId === accounts[2] ? 2 : 1) } };
      }
      if (kind < 0.4 && amountMinor !== 0) {
        const first = Math.trunc(amountMinor / 3);
        return { ...base, categoryId: null, splits: [{ categoryId: pick(categories), amountMinor: first, memo: null }, { categoryId: pick([null, ...categories]), amountMinor: amountMinor - first, memo: null }] };
      }
      return base;
    };
    let largestRepeat = 0;
    /** Compares the stored totals with a recompute of all of SUB's months, which must change nothing. */
    const expectSameAsRecomputed = async (step: number) => {
      const kept = await tables(db, SUB);
      const theirs = await tables(db, OTHER);
      expect(kept.month_totals!.length).toBeGreaterThan(3);
      // The size the limits are checked against is the sum of the totals, for both people.
      for (const sub of [SUB, OTHER]) {
        const { kept: size, summed } = await sizes(db, sub);
        expect(size, `size after step ${step}`).toEqual(summed);
        expect(size.rows).toBeGreaterThan(0);
      }
      for (const r of kept.month_repeats!) largestRepeat = Math.max(largestRepeat, Number(/"count",(\d+)/.exec(r)![1]));
      await db.transaction().execute((trx) => refreshMonthTotals(trx, SUB, '2026-01', '2026-12'));
      expect(await tables(db, SUB), `after step ${step}`).toEqual(kept);
      // A large recompute writes a span of months a statement: every month on its own gives the same.
      await db.transaction().execute((trx) => refreshMonthTotals(trx, SUB, '2026-01', '2026-12', 1));
      expect(await tables(db, SUB), `month by month after step ${step}`).toEqual(kept);
      expect(await tables(db, OTHER)).toEqual(theirs);
    };
    const idsOf = async () => (await db.selectFrom('transactions').select('id').where('user_sub', '=', SUB).where('transfer_id', 'is', null).execute()).map((r) => r.id);
    for (let step = 0; step < 400; step++) {
      const action = ids.length < 5 ? 0 : next();
      if (action < 0.4) ids.push(await f.transactions.create(SUB, input(), NOW));
      else if (action < 0.47) {
        // Several rows at once, often alike: a repeated charge's count moves by more than one.
        const one = input();
        const many = Array.from({ length: 2 + Math.floor(next() * 5) }, () => (next() < 0.7 ? { ...one, transfer: null } : input()));
        await f.transactions.insertMany(SUB, many, NOW);
        ids.splice(0, ids.length, ...(await idsOf()));
      } else if (action < 0.72) await f.transactions.update(SUB, pick(ids), input(), NOW);
      else if (action < 0.82) await f.transactions.setCleared(SUB, pick(ids), pick(['cleared', 'uncleared', 'reconciled'] as const));
      else if (action < 0.92) {
        const id = ids.splice(Math.floor(next() * ids.length), 1)[0]!;
        await f.transactions.remove(SUB, id);
      } else {
        const some = ids.filter(() => next() < 0.15);
        await f.bulk.apply(SUB, { kind: 'delete' }, some);
        ids.splice(0, ids.length, ...(await idsOf()));
      }
      if (step % 40 === 39) await expectSameAsRecomputed(step);
    }
    // Repeated charges seen more than twice, so their counts were moved, not only created and dropped.
    expect(largestRepeat).toBeGreaterThan(2);
  });

  it('refuses an add past the volume limit and leaves the totals as they were', async () => {
    const before = await tables(db, SUB);
    await expect(f.transactions.create(SUB, { accountId: accounts[0]!, date: '2026-10-05', description: 'Too much', amountMinor: -Number.MAX_SAFE_INTEGER + 1, categoryId: null }, NOW)).rejects.toThrow(/sum of all your amounts/);
    expect(await tables(db, SUB)).toEqual(before);
  });
});

describe('the stored size of each person (migration 024)', () => {
  it('starts as the sum of the totals already stored, and moves with every totals row inserted, changed or deleted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-sizes-'));
    const database = await openTestDatabase(dir, { migrate: false });
    const db = database.handle.db;
    try {
      await migrateTo(db, '2026-12-06-023-imported-rows-index');
      const row = (sub: string, month: string, category: string, total: number, count: number, out: number) => ({ user_sub: sub, month, currency: 'USD', category_key: category, total_minor: total, count, out_minor: out, out_count: out < 0 ? 1 : 0 });
      await db.insertInto('month_totals').values([row(SUB, '2026-01', 'a', -500, 2, -700), row(SUB, '2026-02', 'b', 9000, 1, 0), row(OTHER, '2026-01', 'a', -100, 1, -100)]).execute();
      await migrateToLatest(db);
      // Money in plus money out without its sign: SUB 200 + 700 and 9,000; OTHER 100.
      expect(await sizes(db, SUB)).toEqual({ kept: { rows: 3, volume: 9900 }, summed: { rows: 3, volume: 9900 } });
      expect((await sizes(db, OTHER)).kept).toEqual({ rows: 1, volume: 100 });

      await db.insertInto('month_totals').values(row(SUB, '2026-03', 'a', -50, 1, -50)).execute();
      await db.updateTable('month_totals').set({ total_minor: 8000, count: 3 }).where('user_sub', '=', SUB).where('month', '=', '2026-02').execute();
      await db.deleteFrom('month_totals').where('user_sub', '=', SUB).where('month', '=', '2026-01').execute();
      const after = await sizes(db, SUB);
      expect(after.kept).toEqual({ rows: 4, volume: 8050 });
      expect(after.kept).toEqual(after.summed);
      expect((await sizes(db, OTHER)).kept).toEqual({ rows: 1, volume: 100 });
    } finally {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
