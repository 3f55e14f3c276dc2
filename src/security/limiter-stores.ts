import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { HttpError } from '../http/errors.js';
import { DatabaseLimiterStore } from './database-limiter-store.js';
import type { Redis } from '../redis/client.js';

/**
 * Where each rate limiter keeps its counters (one store per limiter, each with its own prefix).
 * Undefined: in this process's memory, right only for a single process.
 */
export type LimiterStores = ((limiter: string) => Store) | undefined;

/** Counters in Redis, shared by every process and instance. */
export function redisLimiterStores(redis: Redis, prefix = 'pfc:'): LimiterStores {
  return (limiter) =>
    new FailClosedStore(new RedisStore({ sendCommand: (...args: string[]) => redis.sendCommand(args), prefix: `${prefix}rl:${limiter}:` }));
}

/** Counters in the app's database (several instances on PostgreSQL without Redis). */
export function databaseLimiterStores(db: Kysely<Database>): LimiterStores {
  return (limiter) => new FailClosedStore(new DatabaseLimiterStore(db, `${limiter}:`));
}

/** Counters in the primary process of a node:cluster (WORKERS > 1 without Redis), shared by its workers. */
export function clusterLimiterStores(): LimiterStores {
  return (limiter) => new FailClosedStore(new ClusterMemoryStoreWorker({ prefix: limiter }));
}

/**
 * A counter store that cannot be reached answers 503 (the request is neither counted nor let
 * through uncounted), and is set up again on the next request: rate-limit-redis loads its script
 * once at start, so a Redis that was away then would otherwise fail every request for good.
 */
export class FailClosedStore implements Store {
  private options: Options | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly inner: Store) {}

  get prefix() {
    return this.inner.prefix;
  }

  get localKeys() {
    return this.inner.localKeys ?? false;
  }

  init(options: Options): void {
    this.options = options;
    this.ready = this.setUp();
    // Failing here is not fatal: the next request tries again and answers 503 meanwhile.
    this.ready.catch(() => undefined);
  }

  private async setUp(): Promise<void> {
    await this.inner.init?.(this.options!);
  }

  private async call<T>(work: () => Promise<T> | T): Promise<T> {
    try {
      await this.ready;
    } catch {
      this.ready = this.setUp();
      try {
        await this.ready;
      } catch (err) {
        throw unavailable(err);
      }
    }
    try {
      return await work();
    } catch (err) {
      // Next time, set up again first (the store may have lost its state with its server).
      this.ready = Promise.reject(err);
      this.ready.catch(() => undefined);
      throw unavailable(err);
    }
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.call(() => this.inner.increment(key));
  }

  decrement(key: string): Promise<void> {
    return this.call(() => this.inner.decrement(key));
  }

  resetKey(key: string): Promise<void> {
    return this.call(() => this.inner.resetKey(key));
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.call(async () => (this.inner.get ? this.inner.get(key) : undefined));
  }
}

function unavailable(cause: unknown): HttpError {
  return new HttpError(503, 'The service is briefly unavailable. Please try again in a moment.', { cause });
}
