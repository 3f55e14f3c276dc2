import { netWorthOf, type AccountBalance, type NetWorth } from '../accounts/balances.js';
import type { Account } from '../accounts/repository.js';
import { convertMinor, rateOn, type RateSeries } from './rates.js';

/** Net worth of every account in the main currency: each balance converted at the rate in force on `day`. */
export interface ConvertedNetWorth {
  currency: string;
  worth: NetWorth;
  /** The accounts in other currencies that were converted, with the rate used. */
  converted: Array<{ account: Account; balance: number; inMain: number; rateE8: number }>;
  /** Accounts in other currencies with no rate on or before `day`: listed, not added. */
  missing: Account[];
}

export function netWorthInMain(balances: AccountBalance[], main: string, series: Map<string, RateSeries>, day: string): ConvertedNetWorth {
  const parts: Array<Pick<AccountBalance, 'side' | 'balance'>> = [];
  const converted: ConvertedNetWorth['converted'] = [];
  const missing: Account[] = [];
  for (const b of balances) {
    if (b.account.currency === main) {
      parts.push(b);
      continue;
    }
    const rate = rateOn(series.get(b.account.currency), day);
    if (rate === undefined) {
      if (b.balance !== 0 || !b.account.archived) missing.push(b.account);
      continue;
    }
    const inMain = convertMinor(b.balance, b.account.currency, main, rate);
    parts.push({ side: b.side, balance: inMain });
    converted.push({ account: b.account, balance: b.balance, inMain, rateE8: rate });
  }
  return { currency: main, worth: netWorthOf(parts), converted, missing };
}
