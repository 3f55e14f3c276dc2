import { readFormFields } from '../../http/form-fields.js';
import type { Account } from '../accounts/repository.js';
import type { Category } from '../categories/repository.js';
import { DATE_RANGE_TEXT, isCalendarDate } from '../../money/dates.js';
import { formatMoney, parseAmount, type DecimalStyle, DEFAULT_CURRENCY } from '../../money/money.js';
import type { Transaction, TransactionInput } from './repository.js';
import { MAX_SPLITS, SPLIT_FIELDS, splitRowsOf } from './splits.js';

const BASE_FIELDS = ['accountId', 'date', 'description', 'memo', 'amount', 'kind', 'categoryId', 'cleared', 'transferAccountId', 'toAmount', 'split'] as const;
const FIELDS = [...BASE_FIELDS, ...SPLIT_FIELDS] as const;
type Field = (typeof FIELDS)[number];

export type TransactionErrors = Partial<Record<Field, string>>;
export type TransactionTyped = Record<Field, string>;

/** What the person typed into the transaction form, as strings, to show it again. */
export function typedTransactionForm(body: unknown): TransactionTyped {
  return readFormFields(body, FIELDS).typed;
}

/** An empty form: today, the first active account, money out. */
export function blankTransactionForm(accountId: string, today: string): TransactionTyped {
  const typed = typedTransactionForm({});
  return { ...typed, accountId, date: today, kind: 'out' };
}

/**
 * The accounts and categories the form names (at most two and 1 + MAX_SPLITS), distinct and
 * non-empty: an add is checked against these, looked up one by one, not against every one the
 * member has. A field sent twice names nothing (parseTransactionForm refuses it).
 */
export function namedInTransactionForm(body: unknown): { accountIds: string[]; categoryIds: string[] } {
  const typed = typedTransactionForm(body);
  const distinct = (ids: string[]) => [...new Set(ids.filter((id) => id !== ''))];
  return {
    accountIds: distinct([typed.accountId, typed.transferAccountId]),
    categoryIds: distinct([typed.categoryId, ...SPLIT_FIELDS.filter((f) => f.endsWith('Category')).map((f) => typed[f] ?? '')]),
  };
}

/**
 * Validates the add/edit form against the user's own accounts and categories. Every bad field
 * gets its own message, and what the user typed comes back so nothing is lost. A transfer goes
 * from `accountId` to `transferAccountId` (with the amount received there when the currencies
 * differ); a split lists its parts, which must add up to the amount exactly.
 */
export function parseTransactionForm(
  body: unknown,
  ctx: { accounts: Account[]; categories: Category[]; style?: DecimalStyle },
): { ok: true; value: TransactionInput } | { ok: false; errors: TransactionErrors; typed: TransactionTyped } {
  const { typed, errors } = readFormFields(body, FIELDS);

  const account = ctx.accounts.find((a) => a.id === typed.accountId && !a.archived);
  if (!errors.accountId && !account) errors.accountId = 'Choose one of your accounts.';
  if (!errors.date && !isCalendarDate(typed.date)) errors.date = `Enter a real date as YYYY-MM-DD, ${DATE_RANGE_TEXT}.`;
  const description = typed.description.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (!errors.description && (description === '' || description.length > 200 || /[\u0000-\u001f]/.test(typed.description))) {
    errors.description = 'Enter the payee, up to 200 characters.';
  }
  const memo = typed.memo.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (!errors.memo && (memo.length > 200 || /[\u0000-\u001f]/.test(typed.memo))) errors.memo = 'Keep the memo to 200 characters, on one line.';
  const kind = typed.kind;
  if (!errors.kind && kind !== 'out' && kind !== 'in' && kind !== 'transfer') errors.kind = 'Choose money out, money in or a transfer.';
  const currency = account?.currency ?? DEFAULT_CURRENCY;
  const style = ctx.style ?? 'dot';
  const amountMinor = positiveAmount(typed.amount, currency, 'amount', errors, style);
  const categoryId = typed.categoryId === '' ? null : typed.categoryId;
  if (!errors.categoryId && categoryId !== null && !ctx.categories.some((c) => c.id === categoryId)) errors.categoryId = 'Choose one of your categories.';

  let transfer: TransactionInput['transfer'] = null;
  if (kind === 'transfer') {
    const to = ctx.accounts.find((a) => a.id === typed.transferAccountId && !a.archived);
    if (!errors.transferAccountId && !to) errors.transferAccountId = 'Choose the account the money goes to.';
    else if (!errors.transferAccountId && to && to.id === account?.id) errors.transferAccountId = 'Choose an account other than the one the money leaves.';
    if (to && account && to.id !== account.id) {
      // The same money on both sides; another currency needs the amount that arrived.
      const received = to.currency === currency ? amountMinor : typed.toAmount.trim() === '' ? 0 : positiveAmount(typed.toAmount, to.currency, 'toAmount', errors, style);
      if (to.currency !== currency && typed.toAmount.trim() === '' && !errors.toAmount) errors.toAmount = `${to.name} is in ${to.currency}: enter the amount that arrived there.`;
      transfer = { accountId: to.id, amountMinor: received };
    }
  }

  const parts = splitRowsOf(typed, ctx.categories, currency, errors, style);
  if (parts.length > 0 && kind === 'transfer' && !errors.split) errors.split = 'A transfer cannot be split; leave the parts empty.';
  if (parts.length === 1 && !errors.split) errors.split = 'A split needs at least two parts; for one category, choose it above.';
  if (parts.length > 1 && !errors.split && !errors.amount && Object.keys(errors).every((k) => !k.startsWith('split'))) {
    const sum = parts.reduce((s, p) => s + p.amountMinor, 0);
    if (sum !== amountMinor) {
      const gap = amountMinor - sum;
      errors.split = `The parts add up to ${formatMoney(sum, currency)}, not ${formatMoney(amountMinor, currency)}: ${formatMoney(Math.abs(gap), currency)} ${gap > 0 ? 'is not in any part' : 'too much'}.`;
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, typed };
  const sign = kind === 'in' ? 1 : -1;
  return {
    ok: true,
    value: {
      accountId: account!.id,
      date: typed.date,
      description,
      memo: memo === '' ? null : memo,
      amountMinor: sign * amountMinor,
      categoryId: transfer || parts.length > 0 ? null : categoryId,
      // A checkbox: present when ticked.
      cleared: typed.cleared === 'on' ? 'cleared' : 'uncleared',
      transfer,
      splits: parts.length > 1 ? parts.map((p) => ({ ...p, amountMinor: sign * p.amountMinor })) : null,
    },
  };
}

/** An amount above zero in the currency, or an error on the field (and 0). */
export function positiveAmount(raw: string, currency: string, field: Field, errors: TransactionErrors, style: DecimalStyle = 'dot'): number {
  if (errors[field]) return 0;
  const parsed = parseAmount(raw, currency, style);
  if (!parsed.ok) errors[field] = parsed.error;
  else if (parsed.minor <= 0) errors[field] = 'Enter an amount above zero, without a sign; choose money out or in above.';
  else return parsed.minor;
  return 0;
}

/**
 * The form's values for an existing transaction. A transfer is shown from the side the money
 * left, whichever of its two rows is open.
 */
export function formOfTransaction(t: Transaction, accounts: Account[], minorToInput: (minor: number, currency: string) => string): TransactionTyped {
  const currencyOf = (id: string) => accounts.find((a) => a.id === id)?.currency ?? DEFAULT_CURRENCY;
  const typed = typedTransactionForm({});
  const base = { ...typed, date: t.date, description: t.description, memo: t.memo ?? '', cleared: t.cleared === 'uncleared' ? '' : 'on' };
  if (t.transfer) {
    const incoming = t.amountMinor > 0;
    const from = incoming ? { account: t.transfer.accountId, amount: t.transfer.amountMinor } : { account: t.accountId, amount: t.amountMinor };
    const to = incoming ? { account: t.accountId, amount: t.amountMinor } : { account: t.transfer.accountId, amount: t.transfer.amountMinor };
    const toAmount = currencyOf(to.account) === currencyOf(from.account) ? '' : minorToInput(Math.abs(to.amount), currencyOf(to.account));
    return { ...base, kind: 'transfer', accountId: from.account, transferAccountId: to.account, amount: minorToInput(Math.abs(from.amount), currencyOf(from.account)), toAmount };
  }
  const currency = currencyOf(t.accountId);
  const out: TransactionTyped = { ...base, kind: t.amountMinor < 0 ? 'out' : 'in', accountId: t.accountId, amount: minorToInput(Math.abs(t.amountMinor), currency), categoryId: t.categoryId ?? '' };
  t.splits.slice(0, MAX_SPLITS).forEach((p, i) => {
    out[`split${i}Category` as Field] = p.categoryId ?? '';
    out[`split${i}Amount` as Field] = minorToInput(Math.abs(p.amountMinor), currency);
  });
  return out;
}

/**
 * A parsed transfer as the row being edited sees it: the form always goes from the account the
 * money left, so when the open row is the side it arrived on, the two sides swap.
 */
export function asSeenFrom(value: TransactionInput, incoming: boolean): TransactionInput {
  if (!value.transfer || !incoming) return value;
  return { ...value, accountId: value.transfer.accountId, amountMinor: value.transfer.amountMinor, transfer: { accountId: value.accountId, amountMinor: value.amountMinor } };
}
