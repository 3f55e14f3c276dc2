import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import { createFinance } from '../../src/features/finance.js';
import { firstMatch, prepareRules, type Rule } from '../../src/features/rules/matching.js';

const rule = (over: Partial<Rule> & Pick<Rule, 'id' | 'matchText' | 'categoryId'>): Rule => ({ field: 'payee', op: 'contains', minAmount: null, maxAmount: null, accountId: null, renameTo: null, position: 0, ...over });

describe('rule matching', () => {
  const rules = prepareRules([
    rule({ id: 'late', matchText: 'coffee', categoryId: 'dining', position: 3 }),
    rule({ id: 'big', matchText: 'coffee', categoryId: 'shopping', minAmount: 5_000, position: 1 }),
    rule({ id: 'exact', matchText: 'Rent', op: 'equals', categoryId: 'rent', accountId: 'chk', position: 2 }),
    rule({ id: 'memo', field: 'memo', op: 'starts_with', matchText: 'gift', categoryId: 'gifts', position: 4 }),
    rule({ id: 'rename', op: 'starts_with', matchText: 'amzn', categoryId: 'shopping', renameTo: 'Amazon', position: 5 }),
  ]);
  const match = (description: string, amountMinor: number, more: { memo?: string; accountId?: string } = {}) => firstMatch(rules, { description, amountMinor, ...more })?.id;

  it('try rules in order, the first match deciding; amount ranges compare sizes of either sign', () => {
    expect(match('Blue Bottle Coffee', -450)).toBe('late');
    expect(match('Coffee machine', -12_000)).toBe('big');
    expect(match('Coffee refund', 12_000)).toBe('big');
  });

  it('compare whole text for "is", the start for "starts with", ignoring case and the ends’ spaces; an account rule only in its account', () => {
    expect(match(' rent ', -100_000, { accountId: 'chk' })).toBe('exact');
    expect(match('Rent', -100_000, { accountId: 'savings' })).toBeUndefined();
    expect(match('Rent deposit', -100_000, { accountId: 'chk' })).toBeUndefined();
    expect(match('Aunt May', 5_000, { memo: 'Gift for the birthday' })).toBe('memo');
    expect(match('Aunt May', 5_000, { memo: 'a gift' })).toBeUndefined();
  });

  it('still match a payee they renamed, so applying them twice changes nothing', () => {
    expect(match('AMZN Mktp US*2K4', -2_599)).toBe('rename');
    expect(match('Amazon', -2_599)).toBe('rename');
  });
});

describe('migration 014', () => {
  it('keeps existing rules as "payee contains", in the order they were made', async () => {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    await migrateTo(db, '2026-12-01-013-schedules');
    await sql`INSERT INTO categories (id, user_sub, name, grp, created_at) VALUES ('c1', 'auth0|m', 'Food', 'need', '2026-01-01T00:00:00Z')`.execute(db);
    await sql`INSERT INTO rules (id, user_sub, match_text, category_id, created_at) VALUES ('r2', 'auth0|m', 'second', 'c1', '2026-02-01T00:00:00Z'), ('r1', 'auth0|m', 'first', 'c1', '2026-01-01T00:00:00Z'), ('x', 'auth0|n', 'other', 'c1', '2026-03-01T00:00:00Z')`.execute(db);
    await migrateToLatest(db);
    const rules = await createFinance(db).rules.list('auth0|m');
    expect(rules.map((r) => [r.id, r.position, r.field, r.op, r.minAmount, r.accountId, r.renameTo])).toEqual([
      ['r1', 1, 'payee', 'contains', null, null, null],
      ['r2', 2, 'payee', 'contains', null, null, null],
    ]);
    expect((await createFinance(db).rules.list('auth0|n'))[0]!.position).toBe(1);
    await db.destroy();
  });
});
