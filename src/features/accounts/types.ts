/** The kinds of account, each an asset (money you have) or a liability (money you owe). */
export const ACCOUNT_TYPES = [
  { id: 'checking', label: 'Checking', side: 'asset' },
  { id: 'savings', label: 'Savings', side: 'asset' },
  { id: 'cash', label: 'Cash', side: 'asset' },
  { id: 'investment', label: 'Investment', side: 'asset' },
  { id: 'credit_card', label: 'Credit card', side: 'liability' },
  { id: 'loan', label: 'Loan', side: 'liability' },
] as const;

export type AccountType = (typeof ACCOUNT_TYPES)[number]['id'];
export type Side = 'asset' | 'liability';

const BY_ID = new Map<string, (typeof ACCOUNT_TYPES)[number]>(ACCOUNT_TYPES.map((t) => [t.id, t]));

export function isAccountType(value: unknown): value is AccountType {
  return typeof value === 'string' && BY_ID.has(value);
}

export function sideOf(type: string): Side {
  return BY_ID.get(type)?.side ?? 'asset';
}

export function typeLabel(type: string): string {
  return BY_ID.get(type)?.label ?? type;
}

/** A transaction's cleared state: not yet seen by the bank, seen, or matched to a statement. */
export type ClearedState = 'uncleared' | 'cleared' | 'reconciled';

export function clearedStateOf(value: unknown): ClearedState {
  return value === 'cleared' || value === 'reconciled' ? value : 'uncleared';
}

/** The account a new transaction or schedule starts on: the first active one in the main currency, else the first active one. */
export function defaultAccountId(accounts: Array<{ id: string; archived: boolean; currency: string }>, mainCurrency: string): string {
  const active = accounts.filter((a) => !a.archived);
  return (active.find((a) => a.currency === mainCurrency) ?? active[0])?.id ?? '';
}
