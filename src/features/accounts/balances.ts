import { convertMinor, rateOn, type RateSeries } from '../rates/rates.js';
import { addMonths, monthOf, monthRange } from '../../money/dates.js';
import type { Account, AccountSums } from './repository.js';
import { ACCOUNT_TYPES, sideOf, type Side } from './types.js';

/**
 * The money rules of accounts. An account's balance on a day is its opening balance (once the
 * opening date has come; at once when it has none) plus every transaction dated on or before
 * that day; the cleared balance counts only cleared and reconciled transactions (the opening
 * balance counts as cleared). Amounts are signed from the account's view, so a credit card you
 * owe on has a negative balance. Net worth = assets − liabilities, where assets add the balances
 * of asset accounts and liabilities are what the liability accounts owe (minus their balances).
 */

export interface AccountBalance {
  account: Account;
  side: Side;
  balance: number;
  cleared: number;
}

export interface NetWorth {
  assets: number;
  liabilities: number;
  net: number;
}

const opens = (a: Account, day: string) => a.openingDate === null || a.openingDate <= day;

export function balancesOf(accounts: Account[], sums: Map<string, AccountSums>, today: string): AccountBalance[] {
  return accounts.map((account) => {
    const s = sums.get(account.id) ?? { total: 0, cleared: 0 };
    const opening = opens(account, today) ? account.openingBalance : 0;
    return { account, side: sideOf(account.type), balance: opening + s.total, cleared: opening + s.cleared };
  });
}

export function netWorthOf(balances: Array<Pick<AccountBalance, 'side' | 'balance'>>): NetWorth {
  let assets = 0;
  let owed = 0;
  for (const b of balances) {
    if (b.side === 'asset') assets += b.balance;
    else owed -= b.balance;
  }
  return { assets, liabilities: owed, net: assets - owed };
}

/** Balances grouped by account type, in the order of ACCOUNT_TYPES, each with its total. */
export function byType(balances: AccountBalance[]): Array<{ type: string; label: string; side: Side; total: number; accounts: AccountBalance[] }> {
  return ACCOUNT_TYPES.map((t) => {
    const accounts = balances.filter((b) => b.account.type === t.id);
    return { type: t.id, label: t.label, side: t.side, total: accounts.reduce((s, b) => s + b.balance, 0), accounts };
  }).filter((g) => g.accounts.length > 0);
}

export interface NetWorthMonth extends NetWorth {
  month: string;
  /** Converting into the main currency: the accounts (ids) with a balance but no rate on the month's day, left out. */
  missing: string[];
}

/** Converting balances into `main` with these rates (per currency, oldest first). */
export interface Conversion {
  main: string;
  series: Map<string, RateSeries>;
}

/**
 * Net worth at the end of each of the `count` months up to today's (today's own month is
 * measured at today), from per-account monthly sums. One pass over the sums: linear in them.
 */
export function netWorthSeries(accounts: Account[], monthly: Array<{ accountId: string; month: string; total: number }>, today: string, count: number, convert?: Conversion): NetWorthMonth[] {
  const current = monthOf(today);
  const months = Array.from({ length: count }, (_, i) => addMonths(current, i - count + 1));
  const first = months[0]!;
  const byAccount = new Map(accounts.map((a) => [a.id, a]));
  // Everything before the first month is carried in; each month adds its own sums.
  const carried = new Map<string, number>();
  const inMonth = new Map<string, Map<string, number>>();
  for (const row of monthly) {
    if (!byAccount.has(row.accountId)) continue;
    if (row.month < first) carried.set(row.accountId, (carried.get(row.accountId) ?? 0) + row.total);
    else {
      const m = inMonth.get(row.month) ?? new Map<string, number>();
      m.set(row.accountId, (m.get(row.accountId) ?? 0) + row.total);
      inMonth.set(row.month, m);
    }
  }
  const running = new Map(carried);
  return months.map((month) => {
    for (const [id, total] of inMonth.get(month) ?? []) running.set(id, (running.get(id) ?? 0) + total);
    const day = month === current ? today : monthRange(month).last;
    const parts: Array<Pick<AccountBalance, 'side' | 'balance'>> = [];
    const missing: string[] = [];
    for (const a of accounts) {
      const balance = (running.get(a.id) ?? 0) + (opens(a, day) ? a.openingBalance : 0);
      if (!convert || a.currency === convert.main) {
        parts.push({ side: sideOf(a.type), balance });
        continue;
      }
      // Another currency, at the rate in force on the month's day; without one it is left out and named.
      const rate = rateOn(convert.series.get(a.currency), day);
      if (rate !== undefined) parts.push({ side: sideOf(a.type), balance: convertMinor(balance, a.currency, convert.main, rate) });
      else if (balance !== 0) missing.push(a.id);
    }
    return { month, ...netWorthOf(parts), missing };
  });
}
