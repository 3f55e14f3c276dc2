/**
 * The variables for running at scale: where the data lives (DATABASE_URL), where sessions and
 * rate-limit counters live (REDIS_URL) and how many processes serve (WORKERS).
 */
import os from 'node:os';
import path from 'node:path';
import type { DatabaseTarget } from '../db/database.js';
import { urlOrProblem } from './hosts.js';

export function parseDatabaseUrl(raw: string | undefined, poolMax: number, dataDir: string, problems: string[]): DatabaseTarget | undefined {
  if (raw === undefined) return { kind: 'sqlite', file: path.join(dataDir, 'app.sqlite') };
  if (raw === ':memory:' || raw === 'sqlite::memory:') return { kind: 'sqlite', file: ':memory:' };
  const m = /^(?:sqlite|file):(?:\/\/)?(.+)$/.exec(raw);
  if (m?.[1]) return { kind: 'sqlite', file: path.resolve(m[1]) };
  if (/^postgres(ql)?:\/\//.test(raw)) {
    const url = urlOrProblem(raw, 'DATABASE_URL is not a valid URL (postgres://user:password@host:5432/database)', problems);
    if (!url) return undefined;
    if (!url.pathname || url.pathname === '/') {
      problems.push('DATABASE_URL must name the database, such as postgres://coach@db.internal:5432/coach');
      return undefined;
    }
    return { kind: 'postgres', url: raw, poolMax };
  }
  problems.push('DATABASE_URL must look like sqlite:./data/app.sqlite or postgres://user:password@host:5432/database');
  return undefined;
}

export function parseRedisUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  const url = urlOrProblem(raw, 'REDIS_URL is not a valid URL (redis://host:6379 or rediss://host:6380 for TLS)', problems);
  if (!url) return undefined;
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') problems.push('REDIS_URL must start with redis:// or rediss://');
  return raw;
}

/** WORKERS: a whole number of processes, or `auto` for one per available core. */
export function parseWorkers(raw: string | undefined, problems: string[], cores = os.availableParallelism()): number {
  if (raw === undefined) return 1;
  if (raw === 'auto') return cores;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 64) {
    problems.push('WORKERS must be auto or a whole number from 1 to 64');
    return 1;
  }
  return n;
}
