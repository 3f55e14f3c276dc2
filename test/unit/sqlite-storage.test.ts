import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type DatabaseHandle } from '../../src/db/database.js';
import { migrateTo, migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import { DatabaseSessionStore } from '../../src/sessions/database-store.js';
import { compiledQuery } from '../../src/db/compiled-query.js';

const CLUSTERED = ['month_totals', 'day_totals', 'account_month_totals', 'month_repeats', 'ledger_versions'];
const SUB = 'auth0|storage';

const dirs: string[] = [];
const handles: DatabaseHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-storage-'));
  dirs.push(dir);
  return path.join(dir, 'app.sqlite');
}

function open(file: string, options?: Parameters<typeof openSqlite>[1]): DatabaseHandle {
  const handle = openSqlite(file, options);
  handles.push(handle);
  return handle;
}

const withoutRowid = async (db: Kysely<Database>, table: string) =>
  (await sql<{ wr: number }>`SELECT wr FROM pragma_table_list WHERE name = ${table}`.execute(db)).rows[0]?.wr;
const indexNames = async (db: Kysely<Database>) =>
  (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions'`.execute(db)).rows.map((r) => r.name);
const everyRow = async (db: Kysely<Database>) => {
  const out: Record<string, unknown[]> = {};
  for (const table of CLUSTERED) out[table] = (await sql.raw(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).execute(db)).rows;
  return out;
};
const version = async (db: Kysely<Database>) =>
  (await sql<{ version: number }>`SELECT version FROM ledger_versions WHERE user_sub = ${SUB}`.execute(db)).rows[0]?.version;

describe('the clustered totals migration (SQLite)', () => {
  it('keeps every total and version row, stores them without rowid, keeps their triggers, and goes back down', async () => {
    const { db } = open(tempFile());
    await migrateTo(db, '2026-12-03-021-ledger-versions');
    await sql`INSERT INTO month_totals (user_sub, month, currency, category_key, total_minor, count, out_minor, out_count) VALUES (${SUB}, '2026-01', 'USD', '', -500, 2, -500, 2), (${SUB}, '2026-02', 'EUR', 'food', 900, 1, 0, 0)`.execute(db);
    await sql`INSERT INTO day_totals (user_sub, date, currency, category_key, total_minor, count, out_minor, out_count) VALUES (${SUB}, '2026-01-05', 'USD', '', -500, 2, -500, 2)`.execute(db);
    await sql`INSERT INTO account_month_totals (user_sub, account_id, month, total_minor, cleared_minor) VALUES (${SUB}, 'acc', '2026-01', -500, -200)`.execute(db);
    await sql`INSERT INTO month_repeats (user_sub, month, currency, amount_minor, description_key, count) VALUES (${SUB}, '2026-01', 'USD', -250, 'shop', 2)`.execute(db);
    const before = await everyRow(db);
    expect(before.ledger_versions).toHaveLength(1);
    expect(await indexNames(db)).toContain('transactions_account_date');

    await migrateToLatest(db);
    expect(await everyRow(db)).toEqual(before);
    for (const table of CLUSTERED) expect(await withoutRowid(db, table), table).toBe(1);
    expect(await indexNames(db)).not.toContain('transactions_account_date');
    expect(await indexNames(db)).toContain('transactions_user_account_date');
    // The version triggers came back with the tables: a change to a total moves the person's version.
    const v = await version(db);
    await sql`UPDATE month_totals SET total_minor = total_minor - 1 WHERE user_sub = ${SUB} AND month = '2026-01'`.execute(db);
    expect(await version(db)).toBe(v! + 1);
    // A second row with the same key is refused: the primary key is the table's key now.
    await expect(sql`INSERT INTO day_totals (user_sub, date, currency, category_key, total_minor, count, out_minor, out_count) VALUES (${SUB}, '2026-01-05', 'USD', '', 1, 1, 0, 0)`.execute(db)).rejects.toThrow(/UNIQUE/);

    await migrateTo(db, '2026-12-03-021-ledger-versions');
    for (const table of CLUSTERED) expect(await withoutRowid(db, table), table).toBe(0);
    expect(await indexNames(db)).toContain('transactions_account_date');
    expect((await everyRow(db)).month_totals).toHaveLength(2);
    await sql`DELETE FROM month_repeats WHERE user_sub = ${SUB}`.execute(db);
    expect(await version(db)).toBe(v! + 2);
  });
});

describe('the write-ahead log checkpoint thread', () => {
  let next = 0;
  /** Writes rows in key order (so each batch takes about as many pages) in one transaction. */
  const fill = (handle: DatabaseHandle, rows: number) =>
    handle.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows; i++) await sql`INSERT INTO rate_limits (key, hits, reset_at) VALUES (${`${next++}`.padStart(12, '0').padEnd(300, '.')}, ${i}, 0)`.execute(trx);
    });
  const autocheckpoint = async (db: Kysely<Database>) => (await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(db)).rows[0]!.wal_autocheckpoint;

  it('copies committed pages into the database file on its own, leaving commits only a far-off safety net', async () => {
    const file = tempFile();
    const handle = open(file);
    await migrateToLatest(handle.db);
    expect(await autocheckpoint(handle.db)).toBe(40_000);
    await fill(handle, 3000);
    // Not asked: the thread's timer copies the commit's pages.
    const stats = handle.checkpointer!.stats;
    const seen = stats.checkpoints;
    for (let i = 0; i < 250 && !(stats.checkpoints > seen && stats.copiedPages === stats.logPages); i++) await new Promise((r) => setTimeout(r, 20));
    expect(stats.checkpoints).toBeGreaterThan(seen);
    expect(stats.errors).toBe(0);
    const now = await handle.checkpointer!.checkpointNow();
    expect(now.checkpointed).toBe(now.log);
    // Everything is in the database file itself: a copy of the file alone (no log) has the rows.
    const copy = `${file}.copy`;
    fs.copyFileSync(file, copy);
    const alone = open(copy, { checkpointIntervalMs: 0 });
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM rate_limits`.execute(alone.db)).rows[0]!.n).toBe(3000);
  });

  it('lets the next writer start the log again once the thread has copied all of it, so the log stays bounded', async () => {
    const handle = open(tempFile());
    await migrateToLatest(handle.db);
    const lengths: number[] = [];
    for (let round = 0; round < 5; round++) {
      await fill(handle, 2000);
      const { log, checkpointed } = await handle.checkpointer!.checkpointNow();
      expect(checkpointed).toBe(log);
      lengths.push(log);
    }
    // Five alike batches: each starts the log from its beginning, so none is much longer than the
    // second (appended, the fifth would be about four times as long).
    expect(lengths[1]).toBeGreaterThan(100);
    expect(Math.max(...lengths.slice(1))).toBeLessThan(lengths[1]! * 1.5);
  });

  it('stops with the handle: the last connection to close removes the log, and the thread answers no more', async () => {
    const file = tempFile();
    const handle = openSqlite(file);
    await migrateToLatest(handle.db);
    await fill(handle, 500);
    await handle.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    await expect(handle.checkpointer!.checkpointNow()).rejects.toThrow(/stopped/);
  });

  it('is not started for a database in memory, nor when switched off; commits then checkpoint as SQLite does by default', async () => {
    expect(open(':memory:').checkpointer).toBeUndefined();
    const off = open(tempFile(), { checkpointIntervalMs: 0 });
    expect(off.checkpointer).toBeUndefined();
    expect(await autocheckpoint(off.db)).toBe(1000);
  });
});

describe("waiting for another process's write lock (WORKERS > 1 on one file)", () => {
  /**
   * A second connection to the file, as another worker has, holding the write lock. Given a time,
   * it then runs `last`, commits and closes: in a timer, which a process asleep in SQLite's busy
   * handler could not run.
   */
  function holdWriteLock(file: string, releaseAfterMs?: number, last = ''): BetterSqlite3.Database {
    const other = new BetterSqlite3(file);
    other.exec('BEGIN IMMEDIATE');
    if (releaseAfterMs !== undefined)
      setTimeout(() => {
        other.exec(`${last} COMMIT`);
        other.close();
      }, releaseAfterMs);
    return other;
  }
  /** Counts a 5 ms timer's ticks: how often the process got to do other work meanwhile. */
  function ticking() {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    return () => (clearInterval(timer), ticks);
  }
  const rows = async (db: Kysely<Database>) => (await sql<{ x: number }>`SELECT x FROM t ORDER BY rowid`.execute(db)).rows.map((r) => r.x);
  const busyTimeout = async (db: Kysely<Database>) => (await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(db)).rows[0]!.timeout;

  it('keeps the process answering while a write waits, then writes (on its own and in a transaction) once the lock is free', async () => {
    const file = tempFile();
    const handle = open(file, { checkpointIntervalMs: 0 });
    await sql`CREATE TABLE t (x INTEGER)`.execute(handle.db);
    const writes = [() => sql`INSERT INTO t VALUES (1)`.execute(handle.db), () => handle.db.transaction().execute((trx) => sql`INSERT INTO t VALUES (2)`.execute(trx))];
    for (const write of writes) {
      // The other process commits after 100 ms. Sleeping in SQLite's busy handler, this process
      // could not even run that timer: the write would fail after the whole 5 s.
      holdWriteLock(file, 100, 'INSERT INTO t VALUES (0);');
      const ticks = ticking();
      const started = performance.now();
      await write();
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(90);
      expect(waited).toBeLessThan(2000);
      expect(ticks()).toBeGreaterThanOrEqual(5);
    }
    expect(await rows(handle.db)).toEqual([0, 1, 0, 2]);
    expect(await busyTimeout(handle.db)).toBe(5000);
  });

  it('waits the same way for a compiled write that returns rows, which could otherwise pass for a read', async () => {
    const file = tempFile();
    const handle = open(file, { checkpointIntervalMs: 0 });
    await migrateToLatest(handle.db);
    const insertReturning = compiledQuery((db, key: string) => db.insertInto('rate_limits').values({ key, hits: 1, reset_at: 0 }).returning('key'));
    holdWriteLock(file, 100);
    const ticks = ticking();
    expect(await insertReturning(handle.db, 'k')).toEqual([{ key: 'k' }]);
    expect(ticks()).toBeGreaterThanOrEqual(5);
  });

  it('gives up after its time with SQLITE_BUSY, having changed nothing, and the connection works on', async () => {
    const file = tempFile();
    const handle = open(file, { checkpointIntervalMs: 0, lockWaitMs: 150 });
    await sql`CREATE TABLE t (x INTEGER)`.execute(handle.db);
    const other = holdWriteLock(file);
    const ticks = ticking();
    const started = performance.now();
    await expect(sql`INSERT INTO t VALUES (1)`.execute(handle.db)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    await expect(handle.db.transaction().execute((trx) => sql`INSERT INTO t VALUES (2)`.execute(trx))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(2000);
    expect(ticks()).toBeGreaterThanOrEqual(20);
    // Reads do not wait for the writer at all (WAL).
    expect(await rows(handle.db)).toEqual([]);
    other.exec('ROLLBACK');
    other.close();
    await sql`INSERT INTO t VALUES (3)`.execute(handle.db);
    expect(await rows(handle.db)).toEqual([3]);
    expect(await busyTimeout(handle.db)).toBe(5000);
  });

  it('checks a session store takes writes even when a touch moves nothing: the lock is taken, no page is written', async () => {
    const file = tempFile();
    const handle = open(file, { checkpointIntervalMs: 0, lockWaitMs: 100 });
    await migrateToLatest(handle.db);
    let now = Date.now();
    const store = new DatabaseSessionStore(handle.db, { defaultTtlMs: 60_000, now: () => now });
    const session = { header: { iat: 1, uat: 1, exp: Math.floor((now + 60_000) / 1000) }, data: { userSub: SUB } } as never;
    const call = (method: 'set' | 'touchUnlessRecent', withinMs = 60_000) =>
      new Promise<void>((resolve, reject) => (method === 'set' ? store.set('s', session, (err) => (err ? reject(err) : resolve())) : store.touchUnlessRecent('s', session, withinMs, (err) => (err ? reject(err) : resolve()))));
    const logFrames = async () => (await sql<{ log: number }>`PRAGMA wal_checkpoint(PASSIVE)`.execute(handle.db)).rows[0]!.log;
    await call('set');
    now += 10_000;
    const before = await logFrames();
    await call('touchUnlessRecent');
    expect(await logFrames()).toBe(before);
    const other = holdWriteLock(file);
    await expect(call('touchUnlessRecent')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('ROLLBACK');
    other.close();
    now += 60_000;
    await call('touchUnlessRecent');
    expect(await logFrames()).not.toBe(before);
  });
});
