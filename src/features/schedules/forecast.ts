import type { AccountBalance } from '../accounts/balances.js';
import { addDays } from '../../money/dates.js';
import { occurrences } from './recurrence.js';
import type { Schedule } from './repository.js';
import { withFields } from '../../lib/objects.js';

/** One scheduled movement of money in an account. */
export interface ForecastEvent {
  date: string;
  description: string;
  amount: number;
  /** Its date has passed (or is today) and it has not been entered yet: counted as of today. */
  due: boolean;
  scheduleId: string;
}

export interface AccountForecast {
  balance: AccountBalance;
  /** Balance at the end of today + 30 and today + 90 days. */
  in30: number;
  in90: number;
  lowest: { amount: number; date: string };
  /** The first day the account would go below zero (an asset) or past its credit limit (a card). */
  warning: { date: string; amount: number; kind: 'below-zero' | 'over-limit'; limit: number | null } | null;
  events: ForecastEvent[];
}

/** How far the forecast looks, in days. */
export const FORECAST_DAYS = 90;
/** Dates one schedule may add to a forecast (a daily one over 90 days is 91). */
const MAX_PER_SCHEDULE = 400;

/**
 * Each active account's balance over the next `days` days: today's balance plus the schedules'
 * dates from their next date on (a transfer moves money out of one account and into the other).
 * Occurrences already due are counted today. Linear in accounts plus schedule dates.
 */
export function forecastOf(balances: AccountBalance[], schedules: Schedule[], today: string, days = FORECAST_DAYS): AccountForecast[] {
  const horizon = addDays(today, days);
  const day30 = addDays(today, 30);
  const events = new Map<string, ForecastEvent[]>();
  const push = (accountId: string, e: ForecastEvent) => {
    const list = events.get(accountId);
    if (list) list.push(e);
    else events.set(accountId, [e]);
  };
  for (const s of schedules) {
    for (const d of occurrences(s, s.nextDate, horizon, MAX_PER_SCHEDULE)) {
      const due = d <= today;
      const base = { date: due ? today : d, description: s.description, due, scheduleId: s.id };
      push(s.accountId, withFields(base, { amount: s.amountMinor }));
      if (s.transferAccountId) push(s.transferAccountId, withFields(base, { amount: -s.amountMinor }));
    }
  }
  return balances
    .filter((b) => !b.account.archived)
    .map((b) => {
      const list = (events.get(b.account.id) ?? []).sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
      const threshold = b.account.type === 'credit_card' ? (b.account.creditLimit === null ? null : -b.account.creditLimit) : b.side === 'asset' ? 0 : null;
      let running = b.balance;
      let lowest = { amount: running, date: today };
      let warning: AccountForecast['warning'] = null;
      // A day's balance is what it holds once all of that day's movements are in.
      let i = 0;
      const dayEnd = (date: string) => {
        for (; i < list.length && list[i]!.date === date; i++) running += list[i]!.amount;
        if (running < lowest.amount) lowest = { amount: running, date };
        if (!warning && threshold !== null && running < threshold) warning = { date, amount: running, kind: threshold === 0 ? 'below-zero' : 'over-limit', limit: b.account.creditLimit };
        return date;
      };
      dayEnd(today);
      let in30 = running;
      while (i < list.length) if (dayEnd(list[i]!.date) <= day30) in30 = running;
      return { balance: b, in30, in90: running, lowest, warning, events: list };
    });
}
