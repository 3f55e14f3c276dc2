import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** The raw SQLite connection, for the SQLite session store only. */
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/**
 * Opens the embedded SQLite database. Features only ever see the Kysely instance,
 * so moving to PostgreSQL means adding a dialect here, not touching the features.
 */
export function openSqlite(file: string): DatabaseHandle {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets readers and the one writer proceed together; NORMAL sync is safe with WAL.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    sqlite,
    // Kysely's destroy closes the underlying connection too.
    close: () => db.destroy(),
  };
}
