import { readFormFields } from '../../http/form-fields.js';
import type { Account } from '../accounts/repository.js';
import type { Category } from '../categories/repository.js';
import { DATE_RANGE_TEXT, isCalendarDate } from '../money/dates.js';
import { parseAmount } from '../money/money.js';
import type { TransactionInput } from './repository.js';

export type TransactionErrors = Partial<Record<'accountId' | 'date' | 'description' | 'memo' | 'amount' | 'kind' | 'categoryId' | 'cleared', string>>;
export type TransactionTyped = Record<'accountId' | 'date' | 'description' | 'memo' | 'amount' | 'kind' | 'categoryId' | 'cleared', string>;

const FIELDS = ['accountId', 'date', 'description', 'memo', 'amount', 'kind', 'categoryId', 'cleared'] as const;

/** What the person typed into the transaction form, as strings, to show it again. */
export function typedTransactionForm(body: unknown): TransactionTyped {
  return readFormFields(body, FIELDS).typed;
}

/**
 * Validates the add/edit form against the user's own accounts and categories. Every bad field
 * gets its own message, and what the user typed comes back so nothing is lost.
 */
export function parseTransactionForm(
  body: unknown,
  ctx: { accounts: Account[]; categories: Category[] },
): { ok: true; value: TransactionInput } | { ok: false; errors: TransactionErrors; typed: TransactionTyped } {
  const { form, typed, errors } = readFormFields(body, FIELDS);

  const account = ctx.accounts.find((a) => a.id === typed.accountId && !a.archived);
  if (!errors.accountId && !account) errors.accountId = 'Choose one of your accounts.';
  if (!errors.date && !isCalendarDate(typed.date)) errors.date = `Enter a real date as YYYY-MM-DD, ${DATE_RANGE_TEXT}.`;
  const description = typed.description.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (!errors.description && (description === '' || description.length > 200 || /[\u0000-\u001f]/.test(typed.description))) {
    errors.description = 'Enter a description of up to 200 characters.';
  }
  const memo = typed.memo.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (!errors.memo && (memo.length > 200 || /[\u0000-\u001f]/.test(typed.memo))) errors.memo = 'Keep the memo to 200 characters, on one line.';
  if (!errors.kind && typed.kind !== 'out' && typed.kind !== 'in') errors.kind = 'Choose money out or money in.';
  let amountMinor = 0;
  if (!errors.amount) {
    const parsed = parseAmount(typed.amount, account?.currency ?? 'USD');
    if (!parsed.ok) errors.amount = parsed.error;
    else if (parsed.minor <= 0) errors.amount = 'Enter an amount above zero, without a sign; choose money out or in above.';
    else amountMinor = parsed.minor;
  }
  const categoryId = typed.categoryId === '' ? null : typed.categoryId;
  if (!errors.categoryId && categoryId !== null && !ctx.categories.some((c) => c.id === categoryId)) errors.categoryId = 'Choose one of your categories.';

  if (Object.keys(errors).length > 0) return { ok: false, errors, typed };
  return {
    ok: true,
    value: {
      accountId: account!.id,
      date: typed.date,
      description,
      memo: memo === '' ? null : memo,
      amountMinor: typed.kind === 'out' ? -amountMinor : amountMinor,
      categoryId,
      // A checkbox: present when ticked.
      cleared: typed.cleared === 'on' ? 'cleared' : 'uncleared',
    },
  };
}
