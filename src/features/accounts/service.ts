import { currencyView, type CurrencyView } from '../coach/currency-view.js';
import { balancesOf, byType, netWorthOf, netWorthSeries, type AccountBalance, type Conversion, type NetWorth, type NetWorthMonth } from './balances.js';
import type { RatesRepository } from '../rates/repository.js';
import { netWorthInMain, type ConvertedNetWorth } from '../rates/convert.js';
import type { Account, AccountsRepository } from './repository.js';

export interface AccountsOverview {
  view: CurrencyView;
  /** Every account with its balances (all currencies: each in its own). */
  balances: AccountBalance[];
  /** The accounts of the view's currency, by type, with totals. */
  groups: ReturnType<typeof byType>;
  /** Net worth in the view's currency; accounts in other currencies are listed in view.leftOut. */
  netWorth: NetWorth;
}

/**
 * The net-worth months of the view's currency. In the main currency, with accounts in others,
 * those are converted at each month's rate (and named when there is none); in any other currency,
 * only its own accounts count.
 */
function seriesIn(view: CurrencyView, list: Account[], monthly: Parameters<typeof netWorthSeries>[1], today: string, months: number, convert: Conversion | null): NetWorthMonth[] {
  if (convert && view.currency === convert.main) return netWorthSeries(list, monthly, today, months, convert);
  return netWorthSeries(list.filter((a) => a.currency === view.currency), monthly, today, months);
}

/** Balances and net worth for the accounts page and the API. */
export function createAccountsService(accounts: AccountsRepository, rates: RatesRepository) {
  async function listWithBalances(sub: string, today: string): Promise<{ list: Account[]; balances: AccountBalance[] }> {
    const [list, sums] = await Promise.all([accounts.list(sub, { includeArchived: true }), accounts.sums(sub, today)]);
    return { list, balances: balancesOf(list, sums, today) };
  }

  /** Rates into the main currency, when the member has accounts in more than one currency. */
  async function conversionFor(sub: string, list: Account[], main: string): Promise<Conversion | null> {
    return new Set(list.map((a) => a.currency)).size > 1 ? { main, series: await rates.series(sub, main) } : null;
  }

  return {
    listWithBalances,

    /** What the accounts page shows: the overview and `months` of net-worth history, from one account list. */
    async page(sub: string, m: { currency: string; today: string }, requestedCurrency: unknown, months: number): Promise<AccountsOverview & { history: NetWorthMonth[]; inMain: ConvertedNetWorth | null }> {
      const [{ list, balances }, monthly] = await Promise.all([listWithBalances(sub, m.today), accounts.monthlySums(sub, m.today)]);
      const view = currencyView(requestedCurrency, m.currency, list);
      const inView = balances.filter((b) => b.account.currency === view.currency);
      // With accounts in more than one currency: everything converted into the main one as well.
      const convert = await conversionFor(sub, list, m.currency);
      const inMain = convert ? netWorthInMain(balances, m.currency, convert.series, m.today) : null;
      return { view, balances, groups: byType(inView), netWorth: netWorthOf(inView), history: seriesIn(view, list, monthly, m.today, months, convert), inMain };
    },

    /** Net worth at the end of each of the last `months` months, in one currency (the others are left out). */
    async netWorthHistory(sub: string, m: { currency: string; today: string }, requestedCurrency: unknown, months: number): Promise<{ view: CurrencyView; months: NetWorthMonth[]; converting: boolean }> {
      const [list, monthly] = await Promise.all([accounts.list(sub, { includeArchived: true }), accounts.monthlySums(sub, m.today)]);
      const view = currencyView(requestedCurrency, m.currency, list);
      const convert = await conversionFor(sub, list, m.currency);
      return { view, months: seriesIn(view, list, monthly, m.today, months, convert), converting: convert !== null && view.currency === m.currency };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
