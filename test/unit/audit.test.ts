import BetterSqlite3 from 'better-sqlite3';
import type { Request } from 'express';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrations.js';
import type { Database } from '../../src/db/schema.js';
import { createAuditRepository } from '../../src/audit/repository.js';
import { createAuditService } from '../../src/audit/service.js';
import { createLogger } from '../../src/logging/logger.js';

async function service(start = Date.parse('2026-11-18T12:00:00Z')) {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  await migrateToLatest(db);
  let now = start;
  const audit = createAuditService(createAuditRepository(db), createLogger('silent'), () => new Date(now), { refusalWindowMs: 60_000 });
  const rows = () => db.selectFrom('audit_events').selectAll().orderBy('at').execute();
  return { audit, rows, advance: (ms: number) => void (now += ms) };
}

const anonymous = (ip: string) => ({ ip, user: null, id: 'req' }) as unknown as Request;

describe('refused anonymous requests', () => {
  it('write one audit row per client and window, and one more with the count of the rest', async () => {
    const { audit, rows, advance } = await service();
    for (let i = 0; i < 500; i++) await audit.recordRefused(anonymous('203.0.113.9'), 'csrf.failure', { reason: 'token' });
    await audit.recordRefused(anonymous('198.51.100.7'), 'csrf.failure', { reason: 'token' });
    expect(await rows()).toHaveLength(2);
    expect(await audit.flushRefusals()).toBe(0); // the window is not over yet
    advance(61_000);
    expect(await audit.flushRefusals()).toBe(1);
    const all = await rows();
    expect(all).toHaveLength(3);
    expect(JSON.parse(all[2]!.detail)).toMatchObject({ reason: 'token', repeated: 499, windowSeconds: 60 });
    expect(all[2]!.ip).toBe('203.0.113.9');
  });

  it('are recorded one by one for a signed-in member', async () => {
    const { audit, rows } = await service();
    const member = { ip: '203.0.113.9', user: { sub: 'auth0|x' }, id: 'r' } as unknown as Request;
    for (let i = 0; i < 3; i++) await audit.recordRefused(member, 'csrf.failure', { reason: 'token' });
    expect(await rows()).toHaveLength(3);
  });
});

describe('audit events', () => {
  it('are deleted after the retention period', async () => {
    const { audit, rows, advance } = await service();
    await audit.recordSystem('backchannel.logout');
    advance(100 * 86_400_000);
    await audit.recordSystem('backchannel.logout');
    advance(81 * 86_400_000);
    expect(await audit.prune(180)).toBe(1);
    expect(await rows()).toHaveLength(1);
  });

  it('page newest first without gaps or repeats', async () => {
    const { audit, advance } = await service();
    for (let i = 0; i < 125; i++) {
      await audit.recordSystem('backchannel.logout', { detail: { n: i } });
      if (i % 10 === 0) advance(1000); // several events share a timestamp
    }
    const seen: number[] = [];
    let before: { at: string; id: string } | undefined;
    for (;;) {
      const page = await audit.page(50, before);
      seen.push(...page.map((e) => e.detail.n as number));
      if (page.length < 50) break;
      before = { at: page.at(-1)!.at, id: page.at(-1)!.id };
    }
    expect(seen).toHaveLength(125);
    expect(new Set(seen).size).toBe(125);
    expect(seen[0]).toBeGreaterThan(seen.at(-1)!);
  });
});
