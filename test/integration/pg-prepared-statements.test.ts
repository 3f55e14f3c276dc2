import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparingPool, StatementNames } from '../../src/db/pg-prepared.js';
import { openTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/engines.js';

// PostgreSQL only: SQLite's statements are cached by the app itself (statement-cache.ts).
describe.runIf(TEST_POSTGRES_URL)('named prepared statements on PostgreSQL', () => {
  let dataDir: string;
  let database: TestDatabase;
  const opened: Array<Kysely<unknown>> = [];

  /** A Kysely on one server connection (the pool's only one), so what it prepared can be listed. */
  function oneConnection(names: StatementNames): Kysely<unknown> {
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: preparingPool(new pg.Pool({ connectionString: database.url, max: 1 }), names) }) });
    opened.push(db);
    return db;
  }

  const prepared = async (db: Kysely<unknown>) =>
    (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`.execute(db)).rows.map((r) => r.statement);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-prepared-'));
    database = await openTestDatabase(dataDir, { migrate: false });
  });

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prepares a parameterised query once per connection and answers it as before', async () => {
    const db = oneConnection(new StatementNames());
    for (const n of [1, 2, 3]) expect((await sql<{ n: number }>`SELECT ${n}::int + 1 AS n`.execute(db)).rows).toEqual([{ n: n + 1 }]);
    expect(await prepared(db)).toEqual(['SELECT $1::int + 1 AS n']);
  });

  it('leaves statements without parameters, or with more than the limit, unnamed, and names no more texts than the limit', async () => {
    const names = new StatementNames({ maxNames: 2, maxParameters: 3 });
    const db = oneConnection(names);
    await sql`SELECT 1 AS one`.execute(db);
    expect((await sql<{ s: number }>`SELECT ${1}::int + ${2}::int + ${3}::int + ${4}::int AS s`.execute(db)).rows).toEqual([{ s: 10 }]);
    for (const text of ['a', 'b', 'c']) expect((await sql<{ t: string }>`SELECT ${text}::text AS t, ${text.length}::int AS n`.execute(db)).rows[0]!.t).toBe(text);
    await sql`SELECT ${'x'}::text || 'y' AS t`.execute(db);
    await sql`SELECT ${'x'}::text || 'z' AS t`.execute(db);
    expect(names.size).toBe(2);
    expect(await prepared(db)).toEqual(['SELECT $1::text AS t, $2::int AS n', "SELECT $1::text || 'y' AS t"]);
  });

  it('fails a statement prepared before another connection changed its columns once, then prepares it afresh on a new connection', async () => {
    const db = oneConnection(new StatementNames());
    await sql`CREATE TABLE prepared_probe (id int PRIMARY KEY, a text)`.execute(db);
    await sql`INSERT INTO prepared_probe VALUES (1, 'one')`.execute(db);
    const read = () => sql<Record<string, unknown>>`SELECT * FROM prepared_probe WHERE id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, a: 'one' }]);
    const [pid] = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows;

    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query("ALTER TABLE prepared_probe ADD COLUMN b text NOT NULL DEFAULT 'new'");
    } finally {
      await other.end();
    }

    await expect(read()).rejects.toThrow(/cached plan must not change result type/);
    expect((await read()).rows).toEqual([{ id: 1, a: 'one', b: 'new' }]);
    const [now] = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows;
    expect(now!.pid).not.toBe(pid!.pid);
  });
});
