import { HttpError, NotFoundError } from '../../http/errors.js';
import type { AccountsService } from '../accounts/service.js';
import { addDays } from '../../money/dates.js';
import { forecastOf, type AccountForecast } from './forecast.js';
import { following, occurrences } from './recurrence.js';
import type { Schedule, ScheduleInput, SchedulesRepository } from './repository.js';

/** One date of a schedule in the days ahead (or already due). */
export interface Upcoming {
  schedule: Schedule;
  date: string;
  due: boolean;
}

/** How far back "make this a schedule" looks for repeated rows. */
const SUGGESTION_DAYS = 100;

export function createSchedulesService(deps: { schedules: SchedulesRepository; balances: AccountsService }) {
  const { schedules } = deps;
  return {
    list: (sub: string) => schedules.list(sub),

    async owned(sub: string, id: string): Promise<Schedule> {
      const s = await schedules.find(sub, id);
      if (!s) throw new NotFoundError('There is no such schedule.');
      return s;
    },

    /** Dates of every schedule from its next date up to today + `days`, soonest first (due ones first of all), at most `max`. */
    async upcoming(sub: string, today: string, days = 14, max = 20): Promise<Upcoming[]> {
      const until = addDays(today, days);
      const out: Upcoming[] = [];
      for (const s of await schedules.list(sub)) for (const date of occurrences(s, s.nextDate, until, max)) out.push({ schedule: s, date, due: date <= today });
      return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)).slice(0, max);
    },

    /**
     * Enters a due schedule's next date as a transaction and moves it on, in one step. One that is
     * not due yet, or was just entered from another tab, is refused and nothing is written.
     */
    async enterDue(sub: string, id: string, today: string, now: Date): Promise<Schedule> {
      const s = await this.owned(sub, id);
      if (s.nextDate > today) throw new HttpError(409, `"${s.description}" is not due until ${s.nextDate}.`);
      if (!(await schedules.enter(sub, s, following(s, s.nextDate), now))) throw new HttpError(409, `"${s.description}" was entered already. Nothing was added twice.`);
      return s;
    },

    /**
     * "Make this a schedule": rows of the last 100 days that came back with the same account,
     * payee and amount in three different months and match no schedule yet, each with the date
     * it would come next (a month after the last one, moved past today).
     */
    async suggestions(sub: string, today: string, max = 5): Promise<Array<ScheduleInput & { months: number }>> {
      const [repeating, existing] = await Promise.all([schedules.repeating(sub, addDays(today, -SUGGESTION_DAYS), today, 20), schedules.list(sub)]);
      const key = (accountId: string, description: string, amount: number) => `${accountId}|${description.trim().toLowerCase()}|${amount}`;
      const taken = new Set(existing.map((s) => key(s.accountId, s.description, s.amountMinor)));
      return repeating
        .filter((r) => !taken.has(key(r.accountId, r.description, r.amountMinor)))
        .slice(0, max)
        .map((r) => {
          const rule = { frequency: 'months' as const, every: 1, anchorDay: Number(r.lastDate.slice(8, 10)) };
          let next: string | null = following(rule, r.lastDate);
          while (next !== null && next <= today) next = following(rule, next);
          return { accountId: r.accountId, description: r.description, amountMinor: r.amountMinor, categoryId: r.categoryId, transferAccountId: null, ...rule, nextDate: next ?? today, months: r.months };
        });
    },

    /** Each active account's next 90 days from today's balance and the schedules. */
    async forecast(sub: string, today: string): Promise<AccountForecast[]> {
      const [{ balances }, list] = await Promise.all([deps.balances.listWithBalances(sub, today), schedules.list(sub)]);
      return forecastOf(balances, list, today);
    },
  };
}

export type SchedulesService = ReturnType<typeof createSchedulesService>;
