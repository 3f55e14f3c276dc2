import { z } from 'zod';
import { parseName } from '../accounts/form.js';
import { ACCOUNT_TYPES, type AccountType } from '../accounts/types.js';
import { MAX_ACCOUNTS } from '../accounts/repository.js';
import { MAX_CATEGORIES } from '../categories/repository.js';
import { MAX_GOALS } from '../goals/repository.js';
import { MAX_RULES } from '../rules/repository.js';
import { MAX_SCHEDULES } from '../schedules/repository.js';
import { MAX_RATES } from '../rates/repository.js';
import { DATE_RANGE_TEXT, isCalendarDate, isMonth } from '../../money/dates.js';
import { MAX_AMOUNT_MINOR } from '../../money/money.js';
import { parseCurrency } from '../profile/preferences.js';
import { MAX_TRANSACTIONS } from '../transactions/month-totals.js';
import { MAX_SPLITS } from '../transactions/splits.js';
import { EXPORT_FORMAT } from './export.js';

/**
 * The JSON export as a restore reads it back: every field checked with the rules the forms use
 * (names, dates, amounts, currencies), every list bounded. Exports made before a field existed
 * still read (it takes its default).
 */
const id = z.string().min(1).max(64);
const name = z.string().refine((v) => parseName(v).ok, 'must be a name of up to 80 characters on one line');
const text = (max: number) => z.string().max(max).refine((v) => !/[\u0000-\u001f]/.test(v), 'must be on one line');
const date = z.string().refine(isCalendarDate, `must be a date YYYY-MM-DD ${DATE_RANGE_TEXT}`);
const amount = z.number().int('must be a whole number of minor units').refine((v) => Math.abs(v) <= MAX_AMOUNT_MINOR, 'is larger than any amount the app keeps');
const currency = z.string().refine((v) => parseCurrency(v).ok && v === v.toUpperCase(), 'must be a three-letter ISO 4217 code such as USD');

/** One transaction of the file: checked one at a time, so a big file never holds the event loop for long. */
export const transactionSchema = z.object({
  id,
  accountId: id,
  date,
  description: text(200).min(1),
  amountMinor: amount,
  categoryId: id.nullable().default(null),
  importedId: z.string().max(255).nullable().default(null),
  memo: text(200).nullable().default(null),
  cleared: z.enum(['uncleared', 'cleared', 'reconciled']).default('uncleared'),
  transferId: id.nullable().default(null),
  splits: z.array(z.object({ categoryId: id.nullable(), amountMinor: amount, memo: text(200).nullable().default(null) })).max(MAX_SPLITS).default([]),
});

/** Everything but the transactions' own fields (those are checked row by row with transactionSchema). */
export const exportSchema = z.object({
  format: z.literal(EXPORT_FORMAT).optional(),
  accounts: z
    .array(
      z.object({
        id,
        name,
        currency,
        type: z.enum(ACCOUNT_TYPES.map((t) => t.id) as [AccountType, ...AccountType[]]).default('checking'),
        openingBalanceMinor: amount.default(0),
        openingDate: date.nullable().default(null),
        archived: z.boolean().default(false),
      }),
    )
    .max(MAX_ACCOUNTS),
  categories: z.array(z.object({ id, name: text(60).min(1), group: z.enum(['need', 'want', 'saving', 'income']) })).max(MAX_CATEGORIES),
  transactions: z.array(z.unknown()).max(MAX_TRANSACTIONS),
  budgets: z.array(z.object({ month: z.string().refine(isMonth, 'must be a month YYYY-MM'), currency, categoryId: id, amountMinor: amount.refine((v) => v >= 0, 'must not be negative') })).max(100_000).default([]),
  rules: z
    .array(
      z.object({
        field: z.enum(['payee', 'memo']).default('payee'),
        op: z.enum(['contains', 'equals', 'starts_with']).default('contains'),
        matchText: text(100).min(1),
        minAmountMinor: amount.refine((v) => v >= 0, 'must not be negative').nullable().default(null),
        maxAmountMinor: amount.refine((v) => v >= 0, 'must not be negative').nullable().default(null),
        accountId: id.nullable().default(null),
        categoryId: id,
        renameTo: text(200).min(1).nullable().default(null),
      }),
    )
    .max(MAX_RULES)
    .default([]),
  exchangeRates: z
    .array(z.object({ base: currency, currency, date, rateE8: z.number().int().min(1).max(100_000_000_000_000) }))
    .max(MAX_RATES)
    .default([]),
  schedules: z
    .array(
      z.object({
        accountId: id,
        description: text(200).min(1),
        amountMinor: amount.refine((v) => v !== 0, 'must not be zero'),
        categoryId: id.nullable().default(null),
        transferAccountId: id.nullable().default(null),
        frequency: z.enum(['days', 'weeks', 'months', 'years']),
        every: z.number().int().min(1).max(366),
        anchorDay: z.number().int().min(1).max(31),
        nextDate: date,
      }),
    )
    .max(MAX_SCHEDULES)
    .default([]),
  goals: z
    .array(z.object({ name, targetMinor: amount.refine((v) => v > 0, 'must be above zero'), savedMinor: amount.refine((v) => v >= 0, 'must not be negative'), targetDate: date, currency }))
    .max(MAX_GOALS)
    .default([]),
});

export type ExportFile = Omit<z.infer<typeof exportSchema>, 'transactions'> & { transactions: Array<z.infer<typeof transactionSchema>> };

/** The first problems zod found, each with where it is ("transactions[12].date"). */
export function schemaProblems(error: z.ZodError, max = 10, prefix: Array<string | number> = []): string[] {
  return error.issues.slice(0, max).map((i) => {
    const where = [...prefix, ...i.path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return `${where || 'The file'}: ${i.message}`;
  });
}
