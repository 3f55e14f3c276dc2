import crypto from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

type Value = string | number;

/**
 * A query of fixed shape that Kysely builds and compiles once per database (its SQL text and where
 * each value goes); later calls only bind their values. On the path every signed-in request takes
 * (the session, the user), building and compiling cost more than running the indexed lookup.
 *
 * The builder is called once, with markers in place of the values; each value must come out as a
 * bound parameter exactly once, or the first call throws (a value Kysely inlined, or used twice,
 * would otherwise be silently reused). Parameters the builder fixes itself stay as they are.
 */
export function compiledQuery<A extends Value[], R>(build: (db: Kysely<Database>, ...args: A) => Compilable<R>): (db: Kysely<Database>, ...args: A) => Promise<R[]> {
  const byDatabase = new WeakMap<Kysely<Database>, { template: CompiledQuery<R>; slots: Array<{ arg: number } | { fixed: unknown }> }>();
  const nonce = crypto.randomBytes(8).toString('hex');
  return async function runCompiled(db, ...args) {
    let entry = byDatabase.get(db);
    if (!entry) {
      const marks = args.map((_, i) => `\u0000value-${i}-${nonce}\u0000`);
      const template = build(db, ...(marks as A)).compile();
      const slots = template.parameters.map((p) => {
        const arg = typeof p === 'string' ? marks.indexOf(p) : -1;
        return arg >= 0 ? { arg } : { fixed: p };
      });
      const bound = slots.flatMap((s) => ('arg' in s ? [s.arg] : []));
      if (bound.length !== args.length || new Set(bound).size !== args.length) throw new Error(`compiledQuery: each value must be bound exactly once in ${template.sql}`);
      entry = { template, slots };
      byDatabase.set(db, entry);
    }
    const parameters = entry.slots.map((s) => ('arg' in s ? args[s.arg] : s.fixed));
    return (await db.executeQuery<R>({ ...entry.template, parameters })).rows;
  };
}
