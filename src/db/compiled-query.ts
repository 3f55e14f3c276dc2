import crypto from 'node:crypto';
import type { Compilable, CompiledQuery, DialectAdapter, Kysely, KyselyPlugin } from 'kysely';
import type { Database } from './schema.js';

/** A bound value; null binds as SQL NULL (the builder only ever sees a marker in its place). */
type Value = string | number | null;

/** Reads a read-only statement at once when the engine can (SQLite: see `ImmediateSqliteDriver.readNow`); undefined otherwise. */
export type ReadNow = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

/**
 * Databases whose compiled reads may skip Kysely's executor (SQLite's connections, see
 * `ImmediateSqliteDriver.readNow`). Keyed by the Kysely instance itself: a transaction, or the same
 * database with plugins or another schema, is another instance and always goes through Kysely.
 */
const immediateReads = new WeakMap<Kysely<Database>, ReadNow>();

export function allowImmediateReads(db: Kysely<Database>, readNow: ReadNow): void {
  immediateReads.set(db, readNow);
}

interface Entry<R> {
  plugins: readonly KyselyPlugin[];
  template: CompiledQuery<R>;
  slots: Array<{ arg: number } | { fixed: unknown }>;
}

/**
 * A query of fixed shape that Kysely builds and compiles once per database (its SQL text and where
 * each value goes); later calls only bind their values. On the path every signed-in request takes
 * (the session, the user) and in a ledger write's dozen statements, building and compiling cost
 * more than running the indexed statement.
 *
 * The builder is called once, with markers in place of the values; each value must come out as a
 * bound parameter exactly once, or the first call throws (a value Kysely inlined, or used twice,
 * would otherwise be silently reused). Parameters the builder fixes itself stay as they are.
 *
 * A template belongs to the database's dialect adapter (one per opened database, shared by every
 * transaction on it: Kysely gives a transaction the same compiler, adapter and plugins) and to its
 * plugins, which can rewrite the SQL; a Kysely with other plugins gets a template of its own.
 */
export function compiledQuery<A extends Value[], R>(build: (db: Kysely<Database>, ...args: A) => Compilable<R>): (db: Kysely<Database>, ...args: A) => Promise<R[]> {
  const byAdapter = new WeakMap<DialectAdapter, Array<Entry<R>>>();
  const nonce = crypto.randomBytes(8).toString('hex');
  function compile(db: Kysely<Database>, args: A, plugins: readonly KyselyPlugin[]): Entry<R> {
    const marks = args.map((_, i) => `\u0000value-${i}-${nonce}\u0000`);
    const template = build(db, ...(marks as A)).compile();
    const slots = template.parameters.map((p) => {
      const arg = typeof p === 'string' ? marks.indexOf(p) : -1;
      return arg >= 0 ? { arg } : { fixed: p };
    });
    const bound = slots.flatMap((s) => ('arg' in s ? [s.arg] : []));
    if (bound.length !== args.length || new Set(bound).size !== args.length) throw new Error(`compiledQuery: each value must be bound exactly once in ${template.sql}`);
    return { plugins: [...plugins], template, slots };
  }
  return async function runCompiled(db, ...args) {
    const executor = db.getExecutor();
    const plugins = executor.plugins;
    let entries = byAdapter.get(executor.adapter);
    if (!entries) byAdapter.set(executor.adapter, (entries = []));
    let entry = entries.find((e) => e.plugins.length === plugins.length && e.plugins.every((p, i) => p === plugins[i]));
    if (!entry) entries.push((entry = compile(db, args, plugins)));
    const parameters = entry.slots.map((s) => ('arg' in s ? args[s.arg] : s.fixed));
    const readNow = plugins.length === 0 ? immediateReads.get(db) : undefined;
    const rows = readNow?.(entry.template.sql, parameters);
    if (rows !== undefined) return rows as R[];
    return (await db.executeQuery<R>({ ...entry.template, parameters })).rows;
  };
}
