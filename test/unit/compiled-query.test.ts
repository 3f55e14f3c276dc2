import { CamelCasePlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compiledQuery } from '../../src/db/compiled-query.js';
import { openSqlite } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrations.js';

describe('compiled queries', () => {
  it('bind each call its own values into the SQL compiled once, keeping the values the builder fixed', async () => {
    const database = openSqlite(':memory:');
    await migrateToLatest(database.db);
    const now = new Date().toISOString();
    for (const sub of ['a|1', 'b|2']) await database.db.insertInto('users').values({ sub, email: `${sub}@example.com`, name: sub, picture: null, email_verified: 1, roles: '[]', first_seen_at: now, last_login_at: now }).execute();
    let builds = 0;
    const named = compiledQuery((db, sub: string) => {
      builds++;
      return db.selectFrom('users').select('name').where('sub', '=', sub).where('email', '!=', 'fixed@example.com');
    });
    expect(await named(database.db, 'a|1')).toEqual([{ name: 'a|1' }]);
    expect(await named(database.db, 'b|2')).toEqual([{ name: 'b|2' }]);
    expect(await named(database.db, 'nobody')).toEqual([]);
    expect(builds).toBe(1);
    await database.close();
  });

  it('compile once per database and serve its transactions from the same template, binding in the transaction', async () => {
    const database = openSqlite(':memory:');
    await migrateToLatest(database.db);
    const now = new Date().toISOString();
    let builds = 0;
    const addUser = compiledQuery((db, sub: string, email: string) => {
      builds++;
      return db.insertInto('users').values({ sub, email, name: 'n', picture: null, email_verified: 1, roles: '[]', first_seen_at: now, last_login_at: now });
    });
    await addUser(database.db, 'outside|1', 'o@example.com');
    await database.db.transaction().execute((trx) => addUser(trx, 'inside|1', 'i@example.com'));
    // A transaction that fails takes its compiled write with it.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await addUser(trx, 'rolled|1', 'r@example.com');
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    const subs = (await database.db.selectFrom('users').select('sub').orderBy('sub').execute()).map((r) => r.sub);
    expect(subs).toEqual(['inside|1', 'outside|1']);
    expect(builds).toBe(1);
    // Another database is compiled for on its own; a plugin that rewrites the SQL gets its own template.
    const other = openSqlite(':memory:');
    await migrateToLatest(other.db);
    await addUser(other.db, 'other|1', 'x@example.com');
    expect(builds).toBe(2);
    await addUser(database.db.withPlugin(new CamelCasePlugin()), 'plugged|1', 'p@example.com');
    expect(builds).toBe(3);
    await Promise.all([database.close(), other.close()]);
  });

  it('refuse a builder that does not bind every value exactly once', async () => {
    const database = openSqlite(':memory:');
    await migrateToLatest(database.db);
    const twice = compiledQuery((db, sub: string) => db.selectFrom('users').select('name').where('sub', '=', sub).where('name', '=', sub));
    await expect(twice(database.db, 'x')).rejects.toThrow(/bound exactly once/);
    const unused = compiledQuery((db, _sub: string) => db.selectFrom('users').select('name'));
    await expect(unused(database.db, 'x')).rejects.toThrow(/bound exactly once/);
    await database.close();
  });

  it('read at once while the connection is free, and wait for an open transaction instead of reading its uncommitted rows', async () => {
    const database = openSqlite(':memory:');
    await migrateToLatest(database.db);
    const now = new Date().toISOString();
    const named = compiledQuery((db, sub: string) => db.selectFrom('users').select('name').where('sub', '=', sub));
    const executor = database.db.getExecutor();
    const provide = executor.provideConnection.bind(executor);
    let handedOver = 0;
    executor.provideConnection = ((consumer) => {
      handedOver++;
      return provide(consumer);
    }) as typeof executor.provideConnection;
    // Free connection: the read does not go through Kysely's connection hand-over.
    expect(await named(database.db, 'late|1')).toEqual([]);
    expect(handedOver).toBe(0);
    // A read asked for while a transaction holds the connection runs after it, and sees only what was committed.
    let pending: Promise<Array<{ name: string | null }>> | undefined;
    let answered = false;
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values({ sub: 'late|1', email: 'l@example.com', name: 'uncommitted', picture: null, email_verified: 1, roles: '[]', first_seen_at: now, last_login_at: now }).execute();
        pending = named(database.db, 'late|1').then((rows) => ((answered = true), rows));
        await new Promise((resolve) => setImmediate(resolve));
        expect(answered).toBe(false);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await pending).toEqual([]);
    expect(handedOver).toBeGreaterThan(0);
    // A write is never run outside Kysely's executor.
    const before = handedOver;
    const addUser = compiledQuery((db, sub: string) => db.insertInto('users').values({ sub, email: null, name: 'n', picture: null, email_verified: 1, roles: '[]', first_seen_at: now, last_login_at: now }));
    await addUser(database.db, 'written|1');
    expect(handedOver).toBe(before + 1);
    expect(await named(database.db, 'written|1')).toEqual([{ name: 'n' }]);
    await database.close();
  });
});
