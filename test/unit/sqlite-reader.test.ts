import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledQuery } from '../../src/db/compiled-query.js';
import { openSqlite, type DatabaseHandle } from '../../src/db/database.js';
import { snapshotTransaction } from '../../src/db/engine.js';
import type { Database } from '../../src/db/schema.js';
import { SLICE_MS } from '../../src/db/sqlite-dialect.js';

/**
 * SQLite's one writer, and the process beside it (sqlite-dialect.ts): while a transaction holds the
 * main connection, a read on its own is answered from the last commit by the read-only connection,
 * a write waits its turn, and a long transaction gives the loop a turn every SLICE_MS.
 */

// The probe table is not in the app's schema: the tests reach it through raw SQL only.
type Probe = Kysely<Database & { probe: { x: number } }>;

const dirs: string[] = [];
const handles: DatabaseHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function openWithProbe(file?: string): Promise<Probe> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-reader-'));
  dirs.push(dir);
  const handle = openSqlite(file ?? path.join(dir, 'app.sqlite'));
  handles.push(handle);
  const db = handle.db as unknown as Probe;
  await sql`CREATE TABLE probe (x INTEGER NOT NULL)`.execute(db);
  await db.insertInto('probe').values({ x: 1 }).execute();
  return db;
}

const xs = async (db: Probe) => (await db.selectFrom('probe').select('x').orderBy('x').execute()).map((r) => r.x);
const countQuery = compiledQuery((db) => (db as unknown as Probe).selectFrom('probe').select((eb) => eb.fn.countAll<number>().as('n')));

/** Opens a transaction that writes x (2 unless told) and stays open until `release` is called; `fail` makes it roll back then. */
function openTransaction(db: Probe, o: { x?: number; fail?: boolean } = {}) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let wrote!: () => void;
  const written = new Promise<void>((resolve) => (wrote = resolve));
  const done = db.transaction().execute(async (trx) => {
    await trx.insertInto('probe').values({ x: o.x ?? 2 }).execute();
    wrote();
    await gate;
    if (o.fail) throw new Error('the change is refused');
  });
  return { written, release, done };
}

describe('reads beside an open transaction (SQLite on a file)', () => {
  it('answers a read on its own from the last commit while another transaction is open, without waiting for it', async () => {
    const db = await openWithProbe();
    const open = openTransaction(db);
    await open.written;
    // Both ways a read goes: through Kysely, and a compiled read that skips its executor.
    expect(await xs(db)).toEqual([1]);
    expect(Number((await countQuery(db as unknown as Kysely<Database>))[0]!.n)).toBe(1);
    open.release();
    await open.done;
    expect(await xs(db)).toEqual([1, 2]);
  });

  it('makes a write on its own, and another transaction, wait until the open one is done, then run', async () => {
    const db = await openWithProbe();
    const open = openTransaction(db);
    await open.written;
    const order: string[] = [];
    const write = db.insertInto('probe').values({ x: 3 }).execute().then(() => order.push('write'));
    const other = db.transaction().execute(async (trx) => {
      // Inside a transaction a read sees the transaction's own view, after the first one committed.
      order.push(`other saw ${(await trx.selectFrom('probe').select('x').orderBy('x').execute()).map((r) => r.x).join(',')}`);
      await trx.insertInto('probe').values({ x: 4 }).execute();
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    order.push('released');
    open.release();
    await Promise.all([open.done, write, other]);
    expect(order).toEqual(['released', 'write', 'other saw 1,2,3']);
    expect(await xs(db)).toEqual([1, 2, 3, 4]);
  });

  it('keeps a rolled-back transaction unseen by the reads made beside it and after it', async () => {
    const db = await openWithProbe();
    const failing = openTransaction(db, { x: 9, fail: true });
    await failing.written;
    expect(await xs(db)).toEqual([1]);
    failing.release();
    await expect(failing.done).rejects.toThrow('refused');
    expect(await xs(db)).toEqual([1]);
  });

  it('gives the loop a turn inside a long transaction, where timers fire and reads beside it are answered', async () => {
    const db = await openWithProbe();
    const seen: number[][] = [];
    let ticks = 0;
    let inTransaction = false;
    const timer = setInterval(() => {
      if (!inTransaction) return;
      ticks++;
      void xs(db).then((x) => seen.push(x));
    }, 1);
    try {
      await db.transaction().execute(async (trx) => {
        inTransaction = true;
        const started = performance.now();
        // Statements of about a millisecond each, for several slices.
        while (performance.now() - started < 6 * SLICE_MS) {
          await sql`INSERT INTO probe (x) SELECT 5 FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT i FROM n)`.execute(trx);
        }
        // Let the reads started in the last turn finish before the transaction commits.
        await sql`SELECT 1`.execute(trx);
        inTransaction = false;
      });
    } finally {
      clearInterval(timer);
    }
    await new Promise((r) => setTimeout(r, 5));
    expect(ticks).toBeGreaterThanOrEqual(2);
    // Every read made while the transaction was open saw none of its rows.
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((x) => x.length === 1 && x[0] === 1)).toBe(true);
  });

  it('has no reader for a database in memory: a read waits for the open transaction there', async () => {
    const db = await openWithProbe(':memory:');
    const open = openTransaction(db);
    await open.written;
    let answered = false;
    const read = xs(db).then((x) => {
      answered = true;
      return x;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    open.release();
    expect(await read).toEqual([1, 2]);
  });
});

describe("a snapshot's reads (the export; SQLite on a file)", () => {
  it('run on a connection of their own: writes beside the snapshot go on without waiting for it, and it keeps seeing what was committed when it began', async () => {
    const db = await openWithProbe();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let readOnce!: () => void;
    const firstRead = new Promise<void>((resolve) => (readOnce = resolve));
    const seen: number[][] = [];
    const snapshot = snapshotTransaction(db as unknown as Kysely<Database>, async (trx) => {
      seen.push(await xs(trx as unknown as Probe));
      readOnce();
      await gate;
      seen.push(await xs(trx as unknown as Probe));
    });
    try {
      await firstRead;
      // On the main connection, these waited for the snapshot's end, which waits for them here.
      const writes = (async () => {
        await db.insertInto('probe').values({ x: 5 }).execute();
        await db.transaction().execute((trx) => trx.insertInto('probe').values({ x: 6 }).execute());
      })();
      const waited = new Promise((_, reject) => setTimeout(() => reject(new Error('the writes waited for the snapshot')), 2000));
      await Promise.race([writes, waited]);
      expect(await xs(db)).toEqual([1, 5, 6]);
    } finally {
      release();
      await snapshot;
    }
    expect(seen).toEqual([[1], [1]]);
  });

  it('reads one snapshot at a time: a second asked for meanwhile opens its connection once the first is done', async () => {
    const db = (await openWithProbe()) as unknown as Kysely<Database>;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = snapshotTransaction(db, async (trx) => {
      order.push('first began');
      await xs(trx as unknown as Probe);
      await gate;
      order.push('first done');
    });
    const second = snapshotTransaction(db, async (trx) => {
      order.push('second began');
      await xs(trx as unknown as Probe);
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['first began']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first began', 'first done', 'second began']);
  });
});
