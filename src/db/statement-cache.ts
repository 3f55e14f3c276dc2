import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** A statement's bind values, passed on as given (none, or Kysely's array). */
type Bind = [parameters?: readonly unknown[]];

/** A prepared statement as Kysely's driver uses it, with `busy` for the cache and `readonly` for the write-lock wait. */
export interface CachedStatement extends SqliteStatement {
  readonly busy: boolean;
  /** The statement writes nothing itself (SQLite counts `BEGIN` and `COMMIT` among these). */
  readonly readonly: boolean;
}

/**
 * Rows as objects keyed by column name, built here from better-sqlite3's raw arrays. Building
 * them natively, better-sqlite3 looks every column's name up in V8's string table again for every
 * row (`InternalizeUtf8String`): 4% of a signed-in page's CPU under load, where the names are
 * known once the statement is prepared. Same keys in the same order, so the rows are the same: a
 * name that appears twice keeps its last value, as it did.
 */
function objectRows(statement: BetterSqlite3.Statement): CachedStatement {
  const names = statement.columns().map((column) => column.name);
  const width = names.length;
  const toObject = (values: unknown[]): Record<string, unknown> => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < width; i++) row[names[i]!] = values[i];
    return row;
  };
  statement.raw(true);
  return {
    reader: true,
    readonly: statement.readonly,
    get busy() {
      return statement.busy;
    },
    all(...bind: Bind) {
      const rows = statement.all(...bind) as unknown[][];
      const out = new Array<Record<string, unknown>>(rows.length);
      for (let r = 0; r < rows.length; r++) out[r] = toObject(rows[r]!);
      return out;
    },
    run: (...bind: Bind) => statement.run(...bind),
    *iterate(...bind: Bind) {
      for (const values of statement.iterate(...bind) as IterableIterator<unknown[]>) yield toObject(values);
    },
  };
}

/** A reader gets its rows built from raw arrays; a writer is cached as better-sqlite3 made it. */
function asCached(statement: BetterSqlite3.Statement): CachedStatement {
  return statement.reader ? objectRows(statement) : (statement as unknown as CachedStatement);
}

/** The database as Kysely's driver uses it, its statements cached. */
export interface CachedDatabase extends SqliteDatabase {
  prepare(sql: string): CachedStatement;
}

/** A cached statement, and when it was last used (a count of the cache's lookups). */
interface Entry {
  statement: CachedStatement;
  used: number;
}

/**
 * Kysely's SQLite driver prepares every query afresh, and preparing costs more than running the
 * small indexed queries a page makes. The queries a page makes come from a few builders, so the
 * same SQL text recurs: keep the prepared statements, up to `max`, the least recently used going
 * first.
 *
 * A hit only stamps its entry. Moving it to the end of the map instead (a delete and a set on every
 * statement run) left a deleted slot behind each time, and the map rebuilt its table every few
 * hundred hits: the one allocation of an add that outlived the young generation, about 1.5 KB an
 * add moved to old space, and a full collection every 10 s under a load of adds. The scan for the
 * least recently used runs only when a new statement finds the cache full.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, max = 500): CachedDatabase {
  const cache = new Map<string, Entry>();
  let clock = 0;
  const evictLeastRecentlyUsed = () => {
    let oldest: [string, Entry] | undefined;
    for (const item of cache) if (!oldest || item[1].used < oldest[1].used) oldest = item;
    if (oldest) cache.delete(oldest[0]);
  };
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(sql: string): CachedStatement {
      const cached = cache.get(sql);
      // A statement still being iterated (a streamed query) cannot run again until it is done.
      if (cached && !cached.statement.busy) {
        cached.used = ++clock;
        return cached.statement;
      }
      const statement = asCached(sqlite.prepare(sql));
      if (!cached) {
        if (cache.size >= max) evictLeastRecentlyUsed();
        cache.set(sql, { statement, used: ++clock });
      }
      return statement;
    },
  };
}
