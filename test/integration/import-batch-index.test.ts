import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFinance } from '../../src/features/finance.js';
import { openTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { all, one } from '../helpers/sql.js';

/**
 * The import-batch index holds imported rows only (migration 023): rows added by hand cost it no
 * write, and the searches that name a batch (list imports, undo one) still go through it.
 */

const SUB = 'auth0|batch-index';
const NOW = new Date('2026-11-18T12:00:00Z');
const BATCH = 'batch-1';
/** The search every use of the index makes: one member's rows of one import. */
const byBatch = sql<{ id: string }>`SELECT id FROM transactions WHERE user_sub = ${SUB} AND import_batch_id = ${BATCH}`;

describe('the import-batch index', () => {
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-batch-index-'));
    database = await openTestDatabase(dir);
    const f = createFinance(database.handle.db);
    await f.categories.ensureSeeded(SUB, NOW);
    const accountId = await f.accounts.create(SUB, { name: 'Checking', currency: 'USD' }, NOW);
    const row = (n: number, importBatchId: string | null) => ({ accountId, date: '2026-11-0' + (1 + (n % 9)), description: `Row ${n}`, amountMinor: -100 * (n + 1), categoryId: null, importBatchId });
    for (let n = 0; n < 5; n++) await f.transactions.create(SUB, row(n, null), NOW);
    await f.transactions.insertMany(SUB, [row(10, BATCH), row(11, BATCH), row(12, BATCH)], NOW);
  });
  afterAll(async () => {
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the rows of one import and none added by hand', async () => {
    const { rows } = await byBatch.execute(database.handle.db);
    expect(rows).toHaveLength(3);
    expect(await one(database.handle, 'SELECT COUNT(*) AS n FROM transactions WHERE user_sub = ?', SUB)).toEqual({ n: 8 });
  });

  it('keeps entries for imported rows only, and the search by batch uses it', async () => {
    if (database.handle.engine === 'sqlite') {
      // dbstat counts the index's own entries: the three imported rows, not the five added by hand.
      const pages = await all<{ ncell: number; pagetype: string }>(database.handle, "SELECT ncell, pagetype FROM dbstat WHERE name = 'transactions_import_batch'");
      expect(pages.filter((p) => p.pagetype === 'leaf').reduce((n, p) => n + Number(p.ncell), 0)).toBe(3);
      const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${byBatch}`.execute(database.handle.db);
      expect(plan.rows.map((p) => p.detail).join('\n')).toContain('USING INDEX transactions_import_batch');
    } else {
      const def = await one<{ indexdef: string }>(database.handle, "SELECT indexdef FROM pg_indexes WHERE indexname = 'transactions_import_batch'");
      expect(def?.indexdef).toContain('WHERE (import_batch_id IS NOT NULL)');
      // A table this small is read whole unless sequential scans are ruled out; the plan must still be able to use the index.
      const plan = await database.handle.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        const r = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${byBatch}`.execute(trx);
        return r.rows.map((x) => x['QUERY PLAN']).join('\n');
      });
      expect(plan).toContain('transactions_import_batch');
    }
  });
});
