import { readFormFields } from '../../http/form-fields.js';
import { DATE_RANGE_TEXT, isCalendarDate } from '../../money/dates.js';
import { parseAmount, type DecimalStyle } from '../../money/money.js';
import { parseCurrency } from '../profile/preferences.js';
import { isAccountType, type AccountType } from './types.js';

export type AccountField = 'name' | 'currency' | 'type' | 'openingBalance' | 'openingDate' | 'creditLimit';
export type AccountErrors = Partial<Record<AccountField, string>>;
export type AccountTyped = Record<AccountField, string>;

const FIELDS: AccountField[] = ['name', 'currency', 'type', 'openingBalance', 'openingDate', 'creditLimit'];

/** A name for an account (or anything the person names): trimmed, one line, at most 80 characters. */
export function parseName(raw: unknown): { ok: true; name: string } | { ok: false; error: string } {
  if (typeof raw !== 'string') return { ok: false, error: Array.isArray(raw) ? 'Send the name once.' : 'Enter a name.' };
  const name = raw.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > 80 || /[\u0000-\u001f]/.test(raw)) return { ok: false, error: 'Enter a name of up to 80 characters.' };
  return { ok: true, name };
}

/** What the person typed into the account form, as strings, to show it again. */
export function typedAccountForm(body: unknown): AccountTyped {
  return readFormFields(body, FIELDS).typed;
}

/**
 * The account form (add and edit). The currency is set once, when the account is added; the
 * opening balance is in the account's currency, signed: what a card or loan owed is negative.
 */
export function parseAccountForm(
  body: unknown,
  ctx: { mainCurrency: string; fixedCurrency?: string; style?: DecimalStyle },
): { ok: true; value: { name: string; currency: string; type: AccountType; openingBalance: number; openingDate: string | null; creditLimit: number | null } } | { ok: false; errors: AccountErrors; typed: AccountTyped } {
  const { form, typed, errors } = readFormFields(body, FIELDS);
  const name = parseName(form.name);
  if (!errors.name && !name.ok) errors.name = name.error;

  let currency = ctx.fixedCurrency ?? ctx.mainCurrency;
  if (!ctx.fixedCurrency && form.currency !== undefined && !errors.currency) {
    const parsed = parseCurrency(form.currency);
    if (parsed.ok) currency = parsed.currency;
    else errors.currency = parsed.error;
  }
  // A form without the field (an older page) gets a checking account.
  const type = form.type === undefined ? 'checking' : typed.type;
  if (!errors.type && !isAccountType(type)) errors.type = 'Choose a type from the list.';

  let openingBalance = 0;
  if (!errors.openingBalance && typed.openingBalance.trim() !== '') {
    const parsed = parseAmount(typed.openingBalance, currency, ctx.style);
    if (parsed.ok) openingBalance = parsed.minor;
    else errors.openingBalance = parsed.error;
  }
  const openingDate = typed.openingDate.trim() === '' ? null : typed.openingDate.trim();
  if (!errors.openingDate && openingDate !== null && !isCalendarDate(openingDate)) errors.openingDate = `Enter a real date as YYYY-MM-DD, ${DATE_RANGE_TEXT}, or leave it empty.`;

  // A limit only means something on a credit card; on other types the field is ignored.
  let creditLimit: number | null = null;
  if (!errors.creditLimit && type === 'credit_card' && typed.creditLimit.trim() !== '') {
    const parsed = parseAmount(typed.creditLimit, currency, ctx.style);
    if (!parsed.ok) errors.creditLimit = parsed.error;
    else if (parsed.minor <= 0) errors.creditLimit = 'Enter the limit above zero, without a sign, or leave it empty.';
    else creditLimit = parsed.minor;
  }

  if (Object.keys(errors).length > 0 || !name.ok) return { ok: false, errors, typed };
  return { ok: true, value: { name: name.name, currency, type: type as AccountType, openingBalance, openingDate, creditLimit } };
}
