import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataRepository } from '../../src/features/data/repository.js';
import { everythingJson, exportJsonText, transactionsCsv } from '../../src/features/data/export.js';
import { createFinance } from '../../src/features/finance.js';
import type { TransactionInput } from '../../src/features/transactions/writes.js';
import { openTestDatabase, type TestDatabase } from '../helpers/engines.js';

/**
 * The export reads a large ledger a page of 5,000 rows at a time (data/repository.ts), inside one
 * snapshot: every row must come out once, in order, across the pages' edges, on the suite's engine.
 */

const SUB = 'auth0|export-pages';
const NOW = new Date('2026-11-18T12:00:00Z');

describe('exporting a ledger larger than a page', () => {
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-export-pages-'));
    database = await openTestDatabase(dir);
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives every transaction and split part once, in date order, across the edges of the pages', async () => {
    const db = database.handle.db;
    const f = createFinance(db);
    await f.categories.ensureSeeded(SUB, NOW);
    const [food, rent] = (await f.categories.list(SUB)).map((c) => c.id);
    const account = await f.accounts.create(SUB, { name: 'Checking', currency: 'USD' }, NOW);
    // Few dates, so many rows share one and the pages' edges fall inside a date (ordered by id there).
    const rows: TransactionInput[] = Array.from({ length: 8_500 }, (_, i) => ({ accountId: account, date: `2026-0${1 + (i % 3)}-15`, description: `Row ${i}`, amountMinor: -(100 + i), categoryId: null }));
    // 2,700 split transactions of two parts: 5,400 parts, more than a page of them too.
    for (let i = 0; i < 2_700; i++) {
      rows.push({ accountId: account, date: '2026-02-15', description: `Split ${i}`, amountMinor: -1000, categoryId: null, splits: [{ categoryId: food!, amountMinor: -400, memo: null }, { categoryId: rent!, amountMinor: -600, memo: `part ${i}` }] });
    }
    await f.transactions.insertMany(SUB, rows, NOW);

    const data = await createDataRepository(db).everything(SUB);
    const expectedIds = (await db.selectFrom('transactions').select('id').where('user_sub', '=', SUB).orderBy('date').orderBy('id').execute()).map((r) => r.id);
    expect(expectedIds).toHaveLength(11_200);
    expect(data.transactions.map((t) => t.id)).toEqual(expectedIds);
    const expectedParts = (await db.selectFrom('transaction_splits').select(['transaction_id', 'seq']).where('user_sub', '=', SUB).orderBy('transaction_id').orderBy('seq').execute()).map((p) => `${p.transaction_id}/${p.seq}`);
    expect(expectedParts).toHaveLength(5_400);
    expect(data.splits.map((p) => `${p.transaction_id}/${p.seq}`)).toEqual(expectedParts);

    // The CSV has a line for each row, and each split row its two parts.
    const lines = (await transactionsCsv(data)).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 11_200);
    expect(lines.filter((l) => l.includes('[{""category""')).every((l) => l.includes('-4.00') && l.includes('-6.00'))).toBe(true);
    expect(lines.filter((l) => l.includes('[{""category""'))).toHaveLength(2_700);

    // The JSON, written a slice at a time, is the very text JSON.stringify gives.
    const value = everythingJson(data, { sub: SUB, email: null, name: 'Émile "E" Zola', currency: 'USD', displayName: null }, NOW);
    const text = await exportJsonText(value);
    expect(text).toBe(JSON.stringify(value));
    expect((JSON.parse(text) as { transactions: unknown[] }).transactions).toHaveLength(11_200);
  }, 60_000);
});
