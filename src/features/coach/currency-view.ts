import type { Account } from '../accounts/repository.js';

export interface CurrencyView {
  /** The one currency the figures are in. */
  currency: string;
  /** Every currency the person has an account in (the main one first), for the switcher. */
  choices: string[];
  /** Accounts whose money is not in these figures, named in a notice. */
  leftOut: Array<{ name: string; currency: string; archived: boolean }>;
}

/**
 * Figures cover one currency at a time, since amounts of different currencies are never added:
 * the one asked for when the person has an account in it, else their main currency.
 */
export function currencyView(requested: unknown, main: string, accounts: Account[]): CurrencyView {
  const choices = [main, ...new Set(accounts.map((a) => a.currency).filter((c) => c !== main))];
  const currency = typeof requested === 'string' && choices.includes(requested) ? requested : main;
  return {
    currency,
    choices: choices.length > 1 ? choices : [],
    leftOut: accounts.filter((a) => a.currency !== currency).map((a) => ({ name: a.name, currency: a.currency, archived: a.archived })),
  };
}
