import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger, readableLines } from '../../src/logging/logger.js';

const BASE = { NODE_ENV: 'development', APP_SECRET_KEY: 'x'.repeat(32), AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_SECRET: 'y'.repeat(32) };

describe('console logs', () => {
  it('are one readable line per request in development, with the fields after it and secrets still redacted', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const log = createLogger('info', readableLines(out));
    log.info({ reqId: 'r1', req: { id: 'r1', method: 'GET', path: '/dashboard' }, res: { statusCode: 200 }, responseTime: 14 }, 'request completed');
    log.warn({ user: { password: 'hunter2' } }, 'something odd');
    await new Promise((r) => setImmediate(r));
    const lines = chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: GET \/dashboard 200 14 ms$/);
    expect(lines[1]).toMatch(/WARN: something odd \{"user":\{"password":"\[redacted\]"\}\}$/);
  });

  it('default to readable lines in development and JSON elsewhere; LOG_FORMAT chooses', () => {
    expect(loadConfig(BASE).logFormat).toBe('pretty');
    expect(loadConfig({ ...BASE, NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ ...BASE, LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ ...BASE, LOG_FORMAT: 'fancy' })).toThrow(/LOG_FORMAT/);
  });
});
