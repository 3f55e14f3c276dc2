import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import { openTestDatabase, TEST_ENGINE, type TestDatabase } from '../helpers/engines.js';
import { all } from '../helpers/sql.js';

/**
 * Writers racing on one person's month. On PostgreSQL two separate connection pools stand for two
 * instances; on SQLite one process's writes queue on its one connection (several processes are
 * tested with WORKERS=2 in workers.test.ts).
 */
const SUB = 'auth0|racer';
const NOW = new Date('2026-11-18T12:00:00Z');
let dataDir: string;
let database: TestDatabase;
let second: DatabaseHandle | undefined;
let writers: Finance[];
let checking: string;
let savings: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-race-'));
  database = await openTestDatabase(dataDir);
  second = TEST_ENGINE === 'postgres' ? openPostgres(database.url, 10) : undefined;
  writers = [createFinance(database.handle.db), createFinance((second ?? database.handle).db)];
  await writers[0]!.categories.ensureSeeded(SUB, NOW);
  checking = await writers[0]!.accounts.create(SUB, { name: 'Checking', currency: 'USD' }, NOW);
  savings = await writers[0]!.accounts.create(SUB, { name: 'Savings', currency: 'USD', type: 'savings' }, NOW);
});

afterAll(async () => {
  await second?.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** What the stored totals say about November, and what the rows themselves add up to. */
async function novemberFigures() {
  const h = database.handle;
  const [rows] = await all<{ total: number | null; n: number }>(h, "SELECT sum(amount_minor) AS total, count(*) AS n FROM transactions WHERE user_sub = ? AND date LIKE '2026-11-%'", SUB);
  const [months] = await all<{ total: number | null; n: number | null }>(h, "SELECT sum(total_minor) AS total, sum(count) AS n FROM month_totals WHERE user_sub = ? AND month = '2026-11'", SUB);
  const [days] = await all<{ total: number | null }>(h, "SELECT sum(total_minor) AS total FROM day_totals WHERE user_sub = ? AND date LIKE '2026-11-%'", SUB);
  const perAccount = await all<{ account_id: string; total: number }>(h, "SELECT account_id, sum(amount_minor) AS total FROM transactions WHERE user_sub = ? AND date LIKE '2026-11-%' GROUP BY account_id ORDER BY account_id", SUB);
  const storedPerAccount = await all<{ account_id: string; total: number }>(h, "SELECT account_id, sum(total_minor) AS total FROM account_month_totals WHERE user_sub = ? AND month = '2026-11' GROUP BY account_id ORDER BY account_id", SUB);
  return { rows, months, days, perAccount, storedPerAccount };
}

describe(`the same SQL on every engine (${TEST_ENGINE})`, () => {
  it('searches and sorts payees by the same rules: every letter folds (É is é), sorting is by code point', async () => {
    const finance = writers[0]!;
    for (const description of ['ÉMILE BAKERY', 'Zoë café', 'apple store', 'Émile bakery', '100%_real'])
      await finance.transactions.create(SUB, { accountId: checking, date: '2026-10-05', description, amountMinor: -100, categoryId: null }, NOW);
    const october = { from: '2026-10-01', to: '2026-10-31' };
    const found = await finance.transactions.search(SUB, { ...october, search: 'émile' }, { sort: 'payee', dir: 'asc' }, 0, 10);
    expect(found.map((t) => t.description).sort()).toEqual(['ÉMILE BAKERY', 'Émile bakery']);
    expect(await finance.transactions.count(SUB, { ...october, search: 'ZOË' })).toBe(1);
    // LIKE's wildcards are matched as themselves.
    expect(await finance.transactions.count(SUB, { ...october, search: '%_' })).toBe(1);
    const sorted = await finance.transactions.search(SUB, october, { sort: 'payee', dir: 'asc' }, 0, 10);
    expect(sorted.map((t) => t.description.toLowerCase())).toEqual(['100%_real', 'apple store', 'zoë café', 'émile bakery', 'émile bakery']);
  });
});

describe(`concurrent writers on one month (${TEST_ENGINE})`, () => {
  it('lose nothing: 60 adds, transfers, edits and deletes at once leave every total equal to its rows', async () => {
    const category = (await writers[0]!.categories.list(SUB))[0]!.id;
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 60; i++) {
      const finance = writers[i % 2]!;
      const day = String((i % 28) + 1).padStart(2, '0');
      if (i % 10 === 9) {
        work.push(finance.transactions.create(SUB, { accountId: checking, date: `2026-11-${day}`, description: `To savings ${i}`, amountMinor: -10_000, categoryId: null, transfer: { accountId: savings, amountMinor: 10_000 } }, NOW));
      } else {
        work.push(finance.transactions.create(SUB, { accountId: checking, date: `2026-11-${day}`, description: `Shop ${i}`, amountMinor: -(100 + i), categoryId: category }, NOW));
      }
    }
    const ids = (await Promise.all(work)) as string[];
    // Then edits and deletes of those rows, racing each other and new adds.
    const second = ids.filter((_, i) => i % 10 !== 9).slice(0, 30);
    await Promise.all([
      ...second.slice(0, 15).map((id, i) => writers[i % 2]!.transactions.update(SUB, id, { accountId: checking, date: '2026-11-15', description: `Edited ${i}`, amountMinor: -5_000, categoryId: category }, NOW)),
      ...second.slice(15).map((id, i) => writers[i % 2]!.transactions.remove(SUB, id)),
      ...Array.from({ length: 10 }, (_, i) => writers[i % 2]!.transactions.insertMany(SUB, [{ accountId: checking, date: '2026-11-20', description: `Batch ${i}`, amountMinor: -250, categoryId: category }, { accountId: savings, date: '2026-11-21', description: `Batch ${i}`, amountMinor: 250, categoryId: null }], NOW)),
    ]);

    const f = await novemberFigures();
    // 60 adds (6 transfers of two rows each) - 15 deletes + 20 batch rows.
    expect(f.rows!.n).toBe(60 + 6 - 15 + 20);
    expect(f.months!.n).toBe(f.rows!.n);
    expect(f.months!.total).toBe(f.rows!.total);
    expect(f.days!.total).toBe(f.rows!.total);
    expect(f.storedPerAccount).toEqual(f.perAccount);
  });
});
