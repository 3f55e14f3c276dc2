import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely, type KyselyPlugin, type OperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, todayOf } from '../../src/clock/clock.js';
import { openPostgres, openSqlite, type DatabaseHandle } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import { seedDemoData } from '../../src/features/demo/seed.js';
import { createDashboardRepository } from '../../src/features/dashboard/repository.js';
import { createDashboardService, type DashboardCacheLimits } from '../../src/features/dashboard/service.js';
import { createFinance, type Finance } from '../../src/features/finance.js';
import type { Member } from '../../src/http/load-member.js';
import { openTestDatabase, TEST_ENGINE, type TestDatabase } from '../helpers/engines.js';

/**
 * The dashboard keeps each person's figures while their ledger version is unchanged, and the
 * database moves that version on every ledger change (migration-021). These tests check the
 * version's reach (every table the figures read is versioned, whatever writes it) and the cache's
 * rules (a change is seen at once, also from another connection; people never share; bounded).
 */

const A = 'auth0|figures-a';
const B = 'auth0|figures-b';
const clock = fixedClock('2026-11-18T12:00:00Z');
const member = (sub: string, today = todayOf(clock)): Member => ({ sub, currency: 'USD', displayName: null, numberStyle: 'dot', now: clock.now(), today });

/** Records the tables each query names (from Kysely's query tree, raw SQL included), and counts the queries. */
function recorder() {
  const tables = new Set<string>();
  let queries = 0;
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as OperationNode & Record<string, unknown>;
    if (n.kind === 'TableNode') tables.add(((n.table as { identifier: { name: string } }).identifier.name));
    if (n.kind === 'RawNode') for (const f of n.sqlFragments as string[]) for (const m of f.matchAll(/\b(?:from|join|into|update)\s+"?([a-z_]+)/gi)) tables.add(m[1]!);
    // A column's table is an alias or a table already named where it is read from.
    for (const [k, v] of Object.entries(n)) if (!(n.kind === 'ReferenceNode' && k === 'table')) (Array.isArray(v) ? v.forEach(walk) : walk(v));
  };
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      queries++;
      walk(node);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { plugin, tables, queries: () => queries };
}

/** Tables holding a person's rows (a user_sub column), by the database's own catalogue. */
async function personTables(db: Kysely<Database>): Promise<string[]> {
  if (TEST_ENGINE === 'postgres') {
    const { rows } = await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.columns WHERE column_name = 'user_sub' AND table_schema = current_schema()`.execute(db);
    return rows.map((r) => r.t).sort();
  }
  const { rows } = await sql<{ t: string }>`SELECT m.name AS t FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'user_sub'`.execute(db);
  return rows.map((r) => r.t).sort();
}

/** Table and event of every version trigger. */
async function versionTriggers(db: Kysely<Database>): Promise<string[]> {
  if (TEST_ENGINE === 'postgres') {
    const { rows } = await sql<{ t: string; e: string }>`SELECT event_object_table AS t, lower(event_manipulation) AS e FROM information_schema.triggers WHERE trigger_name LIKE 'ledger_version_%'`.execute(db);
    return rows.map((r) => `${r.t} ${r.e}`).sort();
  }
  const { rows } = await sql<{ t: string; n: string }>`SELECT tbl_name AS t, name AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_version_%'`.execute(db);
  return rows.map((r) => `${r.t} ${r.n.slice(r.n.lastIndexOf('_') + 1)}`).sort();
}

/** A second handle on the same data: what another instance or worker would write through. */
function secondConnection(database: TestDatabase): DatabaseHandle {
  return database.url.startsWith('sqlite:') ? openSqlite(database.url.slice('sqlite:'.length)) : openPostgres(database.url, 2);
}

describe('dashboard figures kept by ledger version', () => {
  let database: TestDatabase;
  let dir: string;
  let db: Kysely<Database>;
  let finance: Finance;
  const rec = recorder();
  const service = (limits?: DashboardCacheLimits) => createDashboardService({ finance: createFinance(db.withPlugin(rec.plugin)), versions: createDashboardRepository(db), limits });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-figures-'));
    database = await openTestDatabase(dir);
    db = database.handle.db;
    finance = createFinance(db);
    await seedDemoData(finance, A, clock, { months: 3 });
    await seedDemoData(finance, B, clock, { months: 3 });
  });

  afterAll(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every table of a person but their sessions, audit trail, pending uploads and deletion has version triggers for inserts, updates and deletes', async () => {
    const outside = new Set(['sessions', 'audit_events', 'pending_imports', 'pending_import_chunks', 'account_deletions', 'ledger_versions', 'ledger_sizes']);
    const ledger = (await personTables(db)).filter((t) => !outside.has(t));
    expect(ledger.length).toBeGreaterThan(10);
    expect(await versionTriggers(db)).toEqual(ledger.flatMap((t) => [`${t} delete`, `${t} insert`, `${t} update`]).sort());
  });

  it('every table the figures read moves the version when written', async () => {
    rec.tables.clear();
    await service({ pages: 0, pagesPerPerson: 0 }).figures(member(A), '2026-11', 'USD');
    const versioned = new Set((await versionTriggers(db)).map((t) => t.split(' ')[0]));
    expect(rec.tables.size).toBeGreaterThan(5);
    expect([...rec.tables].filter((t) => !versioned.has(t))).toEqual([]);
  });

  it('keeps a page while nothing changes: shown again without reading the ledger, and frozen', async () => {
    const s = service();
    const first = await s.figures(member(A), '2026-11', undefined);
    const before = rec.queries();
    const again = await s.figures(member(A), '2026-11', 'USD');
    expect(rec.queries()).toBe(before);
    expect(again).toBe(first);
    expect(Object.isFrozen(first.s.categories[0])).toBe(true);
    expect(() => (first.spending as unknown as unknown[]).sort()).toThrow(TypeError);
  });

  it('shows every kind of change at once, and the added spending in its figures', async () => {
    const s = service();
    const account = (await finance.accounts.list(A, { includeArchived: false })).find((a) => a.currency === 'USD');
    const category = (await finance.categories.list(A)).find((c) => c.group === 'need');
    const spent = async () => (await s.figures(member(A), '2026-11', undefined)).s.expenses;
    let last = await s.figures(member(A), '2026-11', undefined);
    const changes: Array<[string, () => Promise<unknown>]> = [];
    let id = '';
    changes.push(['add a transaction', async () => (id = await finance.transactions.create(A, { accountId: account!.id, date: '2026-11-10', description: 'Figures test', amountMinor: -12_345, categoryId: category!.id }, clock.now()))]);
    changes.push(['clear it', () => finance.transactions.setCleared(A, id, 'cleared')]);
    changes.push(['edit it', () => finance.transactions.update(A, id, { accountId: account!.id, date: '2026-11-11', description: 'Figures test', amountMinor: -12_000, categoryId: category!.id }, clock.now())]);
    changes.push(['delete it', () => finance.transactions.remove(A, id)]);
    changes.push(['set a budget', () => finance.budgets.setMonth(A, '2026-11', 'USD', [{ categoryId: category!.id, amount: 99_900 }])]);
    changes.push(['rename a category', () => finance.categories.update(A, category!.id, 'Renamed', category!.group)]);
    changes.push(['add a goal', () => finance.goals.create(A, { name: 'Bike', target: 100_000, saved: 0, targetDate: '2027-06-30', currency: 'USD' }, clock.now())]);
    changes.push(['add a rate', () => finance.rates.upsert(A, 'USD', [{ currency: 'EUR', date: '2026-11-01', rateE8: 110_000_000 }])]);
    changes.push(['open an account', () => finance.accounts.create(A, { name: 'Cash', currency: 'USD' }, clock.now())]);
    for (const [what, change] of changes) {
      const before = await spent();
      await change();
      const now = await s.figures(member(A), '2026-11', undefined);
      expect(now, what).not.toBe(last);
      if (what === 'add a transaction') expect(now.s.expenses - before, what).toBe(12_345);
      last = now;
    }
    expect(last.s.categories.some((c) => c.name === 'Renamed')).toBe(true);
  });

  it('sees a change written through another connection, as another instance would make it', async () => {
    const s = service();
    const first = await s.figures(member(A), '2026-11', undefined);
    const other = secondConnection(database);
    try {
      const account = (await createFinance(other.db).accounts.list(A, { includeArchived: false })).find((a) => a.currency === 'USD');
      await createFinance(other.db).transactions.create(A, { accountId: account!.id, date: '2026-11-09', description: 'From elsewhere', amountMinor: -5_000, categoryId: null }, clock.now());
    } finally {
      await other.close();
    }
    const after = await s.figures(member(A), '2026-11', undefined);
    expect(after.s.expenses - first.s.expenses).toBe(5_000);
    expect(after.s.uncategorized.spent - first.s.uncategorized.spent).toBe(5_000);
  });

  it("keeps each person's own figures: another's change leaves them, and neither sees the other's", async () => {
    const s = service();
    const forA = await s.figures(member(A), '2026-11', undefined);
    const forB = await s.figures(member(B), '2026-11', undefined);
    expect(forB).not.toBe(forA);
    const [accountB] = await finance.accounts.list(B, { includeArchived: false });
    await finance.accounts.update(B, accountB!.id, { name: 'Only B has this', archived: false });
    expect(await s.figures(member(A), '2026-11', undefined)).toBe(forA);
    const newB = await s.figures(member(B), '2026-11', undefined);
    expect(newB).not.toBe(forB);
    expect(JSON.stringify(newB.upcoming) + JSON.stringify(newB.view)).not.toContain('Cash');
    expect(JSON.stringify(forA)).not.toContain('Only B has this');
  });

  it('keys pages by day, month and currency, and keeps a bounded number of them', async () => {
    const s = service({ pages: 2, pagesPerPerson: 2 });
    const nov = await s.figures(member(A), '2026-11', undefined);
    expect(await s.figures(member(A, '2026-11-19'), '2026-11', undefined)).not.toBe(nov);
    expect((await s.figures(member(A), '2026-11', 'EUR')).view.currency).toBe('EUR');
    // Two pages kept per person: the first is gone.
    expect(await s.figures(member(A), '2026-11', undefined)).not.toBe(nov);
    // One person kept: B's page pushes A's out.
    const kept = await s.figures(member(A), '2026-10', undefined);
    await s.figures(member(B), '2026-10', undefined);
    expect(await s.figures(member(A), '2026-10', undefined)).not.toBe(kept);
  });

  it('gives a person whose version row was removed a new epoch, so their old versions never match again', async () => {
    const versions = createDashboardRepository(db);
    const before = await versions.ledgerVersion(A);
    await db.deleteFrom('ledger_versions').where('user_sub', '=', A).execute();
    expect(await versions.ledgerVersion(A)).toBe('none');
    const [account] = await finance.accounts.list(A, { includeArchived: false });
    await finance.accounts.update(A, account!.id, { name: account!.name, archived: false });
    const after = await versions.ledgerVersion(A);
    expect(after).toMatch(/^[0-9a-f]+:1$/);
    expect(after.split(':')[0]).not.toBe(before.split(':')[0]);
  });

  it('gives every committed change a version of its own, however many statements it made and whichever connection it ran on', async () => {
    const versions = createDashboardRepository(db);
    const account = (await finance.accounts.list(A, { includeArchived: false })).find((a) => a.currency === 'USD')!;
    const seen = new Set([await versions.ledgerVersion(A)]);
    for (let i = 0; i < 12; i++) {
      // A transfer-free add writes the row and four totals tables: several statements, one transaction.
      await (i % 2 ? finance.transactions.create(A, { accountId: account.id, date: '2026-11-03', description: `Step ${i}`, amountMinor: -100 - i, categoryId: null }, clock.now()) : finance.accounts.update(A, account.id, { name: account.name, archived: false }));
      seen.add(await versions.ledgerVersion(A));
    }
    expect(seen.size).toBe(13);
  });

  it('moves the version of every person a statement touched', async () => {
    const versions = createDashboardRepository(db);
    const [a, b] = [await versions.ledgerVersion(A), await versions.ledgerVersion(B)];
    await db.updateTable('categories').set({ hidden: 0 }).where('user_sub', 'in', [A, B]).execute();
    const [a2, b2] = [await versions.ledgerVersion(A), await versions.ledgerVersion(B)];
    expect(a2).not.toBe(a);
    expect(b2).not.toBe(b);
  });
});
