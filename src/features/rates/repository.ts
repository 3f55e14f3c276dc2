import { ledgerTransaction } from '../../db/engine.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { RateSeries } from './rates.js';

export interface RateRow {
  currency: string;
  date: string;
  rateE8: number;
}

/** Rates one person may keep (a few currencies with a rate per working day for years). */
export const MAX_RATES = 20_000;
const CHUNK = 500;

/** Exchange rates into one base currency; every statement is scoped by the owner's sub. */
export function createRatesRepository(db: Kysely<Database>) {
  return {
    /** Every rate into `base`, per currency oldest first: what conversion looks rates up in. */
    async series(userSub: string, base: string): Promise<Map<string, RateSeries>> {
      const rows = await db.selectFrom('exchange_rates').select(['currency', 'date', 'rate_e8']).where('user_sub', '=', userSub).where('base', '=', base).orderBy('currency').orderBy('date').execute();
      const out = new Map<string, RateSeries>();
      for (const r of rows) {
        let list = out.get(r.currency);
        if (!list) out.set(r.currency, (list = []));
        list.push({ date: r.date, rateE8: Number(r.rate_e8) });
      }
      return out;
    },

    async count(userSub: string): Promise<number> {
      const r = await db.selectFrom('exchange_rates').select((eb) => eb.fn.countAll<number>().as('n')).where('user_sub', '=', userSub).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Adds rates (a rate for a currency and date that exists is replaced), all in one transaction. */
    async upsert(userSub: string, base: string, rows: RateRow[]): Promise<void> {
      await ledgerTransaction(db, userSub, async (trx) => {
        for (let i = 0; i < rows.length; i += CHUNK) {
          await trx
            .insertInto('exchange_rates')
            .values(rows.slice(i, i + CHUNK).map((r) => ({ user_sub: userSub, base, currency: r.currency, date: r.date, rate_e8: r.rateE8 })))
            .onConflict((oc) => oc.columns(['user_sub', 'base', 'currency', 'date']).doUpdateSet((eb) => ({ rate_e8: eb.ref('excluded.rate_e8') })))
            .execute();
        }
      });
    },

    async remove(userSub: string, base: string, currency: string, date: string): Promise<boolean> {
      const r = await db.deleteFrom('exchange_rates').where('user_sub', '=', userSub).where('base', '=', base).where('currency', '=', currency).where('date', '=', date).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export type RatesRepository = ReturnType<typeof createRatesRepository>;
