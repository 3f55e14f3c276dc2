import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database.js';

/**
 * Plain SQL for the tests' own checks, on whichever engine the stack runs (SQLite or PostgreSQL).
 * `?` marks a parameter, as in most drivers; Kysely turns it into the engine's own placeholder.
 */
function statement(text: string, params: unknown[]) {
  const parts = text.split('?');
  if (parts.length !== params.length + 1) throw new Error(`${parts.length - 1} placeholders for ${params.length} parameters: ${text}`);
  return sql(Object.assign(parts, { raw: parts }) as unknown as TemplateStringsArray, ...params);
}

export async function all<T = Record<string, unknown>>(database: DatabaseHandle, text: string, ...params: unknown[]): Promise<T[]> {
  return (await statement(text, params).execute(database.db)).rows as T[];
}

export async function one<T = Record<string, unknown>>(database: DatabaseHandle, text: string, ...params: unknown[]): Promise<T | undefined> {
  return (await all<T>(database, text, ...params))[0];
}

export async function run(database: DatabaseHandle, text: string, ...params: unknown[]): Promise<void> {
  await statement(text, params).execute(database.db);
}

/** Makes deleting one user's row fail, as a disk or constraint fault would, until `undo` is called. */
export async function refuseUserDelete(database: DatabaseHandle, sub: string): Promise<{ undo(): Promise<void> }> {
  const quoted = sub.replace(/'/g, "''");
  if (database.engine === 'sqlite') {
    await run(database, `CREATE TRIGGER refuse_user_delete BEFORE DELETE ON users WHEN old.sub = '${quoted}' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    return { undo: () => run(database, 'DROP TRIGGER refuse_user_delete') };
  }
  await run(database, `CREATE FUNCTION refuse_user_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF old.sub = '${quoted}' THEN RAISE EXCEPTION 'disk trouble'; END IF; RETURN old; END $$`);
  await run(database, 'CREATE TRIGGER refuse_user_delete BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION refuse_user_delete()');
  return {
    undo: async () => {
      await run(database, 'DROP TRIGGER refuse_user_delete ON users');
      await run(database, 'DROP FUNCTION refuse_user_delete()');
    },
  };
}
