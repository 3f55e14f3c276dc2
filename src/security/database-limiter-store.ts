import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** Expired counters are deleted every this many increments. */
const PRUNE_EVERY = 1000;

/**
 * Rate-limit counters in the app's database, shared by every process and instance that uses it
 * (several instances on PostgreSQL without Redis). One statement counts a hit and starts a new
 * window when the old one is over, so two instances never lose or double a hit.
 */
export class DatabaseLimiterStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private increments = 0;

  constructor(
    private readonly db: Kysely<Database>,
    readonly prefix: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const now = this.now();
    if (++this.increments % PRUNE_EVERY === 0) await this.db.deleteFrom('rate_limits').where('reset_at', '<=', now).execute();
    const expired = sql<boolean>`rate_limits.reset_at <= ${now}`;
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key: this.prefix + key, hits: 1, reset_at: now + this.windowMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          hits: sql<number>`CASE WHEN ${expired} THEN 1 ELSE rate_limits.hits + 1 END`,
          reset_at: sql<number>`CASE WHEN ${expired} THEN excluded.reset_at ELSE rate_limits.reset_at END`,
        }),
      )
      .returning(['hits', 'reset_at'])
      .executeTakeFirstOrThrow();
    return { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db.selectFrom('rate_limits').select(['hits', 'reset_at']).where('key', '=', this.prefix + key).where('reset_at', '>', this.now()).executeTakeFirst();
    return row && { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) };
  }

  async decrement(key: string): Promise<void> {
    await this.db
      .updateTable('rate_limits')
      .set({ hits: sql<number>`CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END` })
      .where('key', '=', this.prefix + key)
      .where('reset_at', '>', this.now())
      .execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', this.prefix + key).execute();
  }
}
