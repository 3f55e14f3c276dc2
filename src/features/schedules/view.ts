import { typeLabel } from '../accounts/types.js';
import { formatMoney, DEFAULT_CURRENCY } from '../../money/money.js';
import type { Account } from '../accounts/repository.js';
import type { AccountForecast } from './forecast.js';
import type { Upcoming } from './service.js';
import { withFields } from '../../lib/objects.js';

/** The dashboard's "coming up" list: each date with its account and amount formatted. */
export function upcomingView(list: Upcoming[], accounts: Account[]) {
  return list.map((u) => {
    const account = accounts.find((a) => a.id === u.schedule.accountId);
    return { id: u.schedule.id, date: u.date, due: u.due, description: u.schedule.description, account: account?.name ?? '—', amountMinor: u.schedule.amountMinor, amount: formatMoney(u.schedule.amountMinor, account?.currency ?? DEFAULT_CURRENCY), enterable: u.due && u.date === u.schedule.nextDate };
  });
}

/** The forecast as the page shows it: formatted in each account's own currency. */
export function forecastView(list: AccountForecast[]) {
  return list.map((f) => {
    const a = f.balance.account;
    const money = (v: number) => formatMoney(v, a.currency);
    return {
      id: a.id,
      name: a.name,
      type: typeLabel(a.type),
      currency: a.currency,
      today: money(f.balance.balance),
      in30: money(f.in30),
      in90: money(f.in90),
      lowest: { amount: money(f.lowest.amount), date: f.lowest.date, negative: f.lowest.amount < 0 },
      warning: f.warning && withFields(f.warning, { amount: money(f.warning.amount), limit: f.warning.limit === null ? null : money(f.warning.limit) }),
      events: f.events.slice(0, 12).map((e) => withFields(e, { display: money(e.amount) })),
      more: Math.max(0, f.events.length - 12),
    };
  });
}
