import { readFormFields } from '../../http/form-fields.js';
import type { Account } from '../accounts/repository.js';
import type { Category } from '../categories/repository.js';
import { minorToInput, type DecimalStyle, DEFAULT_CURRENCY } from '../../money/money.js';
import { parseTransactionForm } from '../transactions/form.js';
import { FREQUENCIES, isFrequency, MAX_EVERY } from './recurrence.js';
import type { Schedule, ScheduleInput } from './repository.js';

const FIELDS = ['accountId', 'date', 'description', 'amount', 'kind', 'categoryId', 'transferAccountId', 'frequency', 'every'] as const;
type Field = (typeof FIELDS)[number];
export type ScheduleErrors = Partial<Record<Field, string>>;
export type ScheduleTyped = Record<Field, string>;

export function blankScheduleForm(accountId: string, today: string): ScheduleTyped {
  return { ...readFormFields({}, FIELDS).typed, accountId, date: today, kind: 'out', frequency: 'months', every: '1' };
}

/** A schedule (or a suggestion) as the form shows it. */
export function formOfSchedule(s: ScheduleInput, accounts: Account[], style: DecimalStyle = 'dot'): ScheduleTyped {
  const currency = accounts.find((a) => a.id === s.accountId)?.currency ?? DEFAULT_CURRENCY;
  return {
    accountId: s.accountId,
    date: s.nextDate,
    description: s.description,
    amount: minorToInput(Math.abs(s.amountMinor), currency, style),
    kind: s.transferAccountId ? 'transfer' : s.amountMinor < 0 ? 'out' : 'in',
    categoryId: s.categoryId ?? '',
    transferAccountId: s.transferAccountId ?? '',
    frequency: s.frequency,
    every: String(s.every),
  };
}

/**
 * The schedule form: the account, payee, amount, category and transfer follow the transaction
 * form's rules (one set of rules for both); then how often, and the next date.
 */
export function parseScheduleForm(body: unknown, ctx: { accounts: Account[]; categories: Category[]; style?: DecimalStyle }): { ok: true; value: ScheduleInput } | { ok: false; errors: ScheduleErrors; typed: ScheduleTyped } {
  const { typed, errors } = readFormFields(body, FIELDS);
  const tx = parseTransactionForm({ ...typed, memo: '' }, ctx);
  const all: ScheduleErrors = { ...errors, ...(tx.ok ? {} : pick(tx.errors)) };
  if (tx.ok && tx.value.transfer && tx.value.transfer.amountMinor !== -tx.value.amountMinor && !all.transferAccountId) {
    all.transferAccountId = 'A scheduled transfer needs two accounts in the same currency.';
  }
  if (all.date) all.date = all.date.replace('Enter a real date', 'Enter the next date');
  const frequency = typed.frequency;
  if (!all.frequency && !isFrequency(frequency)) all.frequency = `Choose how often: ${FREQUENCIES.map((f) => f.label).join(', ')}.`;
  const every = /^\d{1,3}$/.test(typed.every.trim()) ? Number(typed.every.trim()) : NaN;
  if (!all.every && isFrequency(frequency) && !(every >= 1 && every <= MAX_EVERY[frequency])) all.every = `Enter a whole number from 1 to ${MAX_EVERY[frequency]}.`;
  if (!tx.ok || Object.keys(all).length > 0 || !isFrequency(frequency)) return { ok: false, errors: all, typed };
  const v = tx.value;
  return {
    ok: true,
    value: {
      accountId: v.accountId,
      description: v.description,
      amountMinor: v.amountMinor,
      categoryId: v.categoryId,
      transferAccountId: v.transfer?.accountId ?? null,
      frequency,
      every,
      anchorDay: Number(v.date.slice(8, 10)),
      nextDate: v.date,
    },
  };
}

function pick(errors: Record<string, string | undefined>): ScheduleErrors {
  const out: ScheduleErrors = {};
  for (const f of FIELDS) if (errors[f]) out[f] = errors[f];
  return out;
}

/** Keeps a schedule's anchor day when an edit leaves its next date's day alone (a schedule on the 31st moved to Feb 28 stays on the 31st). */
export function keepAnchor(before: Schedule, after: ScheduleInput): ScheduleInput {
  const sameDayRule = after.frequency === before.frequency && (after.frequency === 'months' || after.frequency === 'years');
  return sameDayRule && after.nextDate === before.nextDate ? { ...after, anchorDay: before.anchorDay } : after;
}
