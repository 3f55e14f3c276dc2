import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { openPostgres, openSqlite, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrations.js';

/**
 * Which database the suite runs on. PFC_TEST_POSTGRES_URL (a server URL whose user may create
 * databases) runs it on PostgreSQL, a fresh database per stack, dropped afterwards; without it, on
 * SQLite files in each test's data directory. `.ci/run` runs the suite both ways.
 */
export const TEST_POSTGRES_URL = process.env.PFC_TEST_POSTGRES_URL;
export const TEST_ENGINE: 'sqlite' | 'postgres' = TEST_POSTGRES_URL ? 'postgres' : 'sqlite';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** The DATABASE_URL another process would use to reach the same data. */
  url: string;
  /** Closes it and removes the data. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database on the suite's engine. */
export async function openTestDatabase(dataDir: string, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let database: TestDatabase;
  if (TEST_POSTGRES_URL) {
    const name = `pfc_test_${crypto.randomBytes(6).toString('hex')}`;
    // C.UTF-8: byte-order sorting like SQLite's, and lower() that folds every letter.
    await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`));
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${name}`;
    const handle = openPostgres(url.href, 10);
    database = {
      handle,
      url: url.href,
      drop: async () => {
        await handle.close();
        await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  } else {
    const file = path.join(dataDir, 'app.sqlite');
    const handle = openSqlite(file);
    database = { handle, url: `sqlite:${file}`, drop: () => handle.close() };
  }
  if (options.migrate !== false) await migrateToLatest(database.handle.db);
  return database;
}
