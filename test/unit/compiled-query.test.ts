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

  it('refuse a builder that does not bind every value exactly once', async () => {
    const database = openSqlite(':memory:');
    await migrateToLatest(database.db);
    const twice = compiledQuery((db, sub: string) => db.selectFrom('users').select('name').where('sub', '=', sub).where('name', '=', sub));
    await expect(twice(database.db, 'x')).rejects.toThrow(/bound exactly once/);
    const unused = compiledQuery((db, _sub: string) => db.selectFrom('users').select('name'));
    await expect(unused(database.db, 'x')).rejects.toThrow(/bound exactly once/);
    await database.close();
  });
});
