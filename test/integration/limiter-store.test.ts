import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Options, Store } from 'express-rate-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { HttpError } from '../../src/http/errors.js';
import { DatabaseLimiterStore } from '../../src/security/database-limiter-store.js';
import { FailClosedStore } from '../../src/security/limiter-stores.js';
import { openTestDatabase, TEST_ENGINE, type TestDatabase } from '../helpers/engines.js';

let dataDir: string;
let database: TestDatabase;
let second: DatabaseHandle | undefined;
let now = Date.UTC(2026, 10, 18, 12);
const options = { windowMs: 60_000 } as Options;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfc-limits-'));
  database = await openTestDatabase(dataDir);
  second = TEST_ENGINE === 'postgres' ? openPostgres(database.url, 5) : undefined;
});
afterAll(async () => {
  await second?.close();
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Two stores over one database, as two instances have. */
function twoInstances(prefix: string) {
  return [new DatabaseLimiterStore(database.handle.db, prefix, () => now), new DatabaseLimiterStore((second ?? database.handle).db, prefix, () => now)].map((s) => {
    s.init(options);
    return s;
  });
}

describe(`rate-limit counters in the database (${TEST_ENGINE})`, () => {
  it('count hits from every instance together: 40 at once get 40 different counts, none lost or doubled', async () => {
    const stores = twoInstances('auth:');
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.increment('127.0.0.1')));
    expect(counts.map((c) => c.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await stores[1]!.get('127.0.0.1'))?.totalHits).toBe(40);
    // Another limiter's counter for the same client is its own.
    expect((await twoInstances('post:')[0]!.increment('127.0.0.1')).totalHits).toBe(1);
  });

  it('start a new window once the old one is over, and take back or forget a hit', async () => {
    const [a, b] = twoInstances('window:');
    expect((await a!.increment('10.0.0.1')).totalHits).toBe(1);
    expect((await b!.increment('10.0.0.1')).totalHits).toBe(2);
    await a!.decrement('10.0.0.1');
    expect((await b!.get('10.0.0.1'))?.totalHits).toBe(1);
    now += 60_001;
    expect(await a!.get('10.0.0.1')).toBeUndefined();
    const fresh = await b!.increment('10.0.0.1');
    expect(fresh.totalHits).toBe(1);
    expect(fresh.resetTime?.getTime()).toBe(now + 60_000);
    await a!.resetKey('10.0.0.1');
    expect(await b!.get('10.0.0.1')).toBeUndefined();
  });
});

describe('a counter store that cannot be reached', () => {
  it('answers 503 (the request neither counted nor let through), and works again once the store is back', async () => {
    let up = false;
    let inits = 0;
    const flaky: Store = {
      init: () => {
        inits++;
        if (!up) throw new Error('connection refused');
      },
      increment: async () => {
        if (!up) throw new Error('connection refused');
        return { totalHits: 1, resetTime: undefined };
      },
      decrement: async () => undefined,
      resetKey: async () => undefined,
    };
    const store = new FailClosedStore(flaky);
    store.init(options);
    const refused = await store.increment('k').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(503);
    up = true;
    expect((await store.increment('k')).totalHits).toBe(1);
    // It set itself up again rather than keep the failure of the first set-up.
    expect(inits).toBeGreaterThanOrEqual(2);
  });
});
