import { readFormFields } from '../../http/form-fields.js';
import type { Account } from '../accounts/repository.js';
import type { Category } from '../categories/repository.js';
import { minorToInput, parseAmount, type DecimalStyle } from '../../money/money.js';
import { RULE_FIELDS, RULE_OPS, type Rule } from './matching.js';
import type { RuleInput } from './repository.js';

const FIELDS = ['field', 'op', 'matchText', 'minAmount', 'maxAmount', 'accountId', 'categoryId', 'renameTo'] as const;
type Field = (typeof FIELDS)[number];
export type RuleErrors = Partial<Record<Field, string>>;
export type RuleTyped = Record<Field, string>;

export const blankRuleForm = (): RuleTyped => ({ ...readFormFields({}, FIELDS).typed, field: 'payee', op: 'contains' });

export function formOfRule(r: Rule, accounts: Account[], mainCurrency: string, style: DecimalStyle = 'dot'): RuleTyped {
  const currency = accounts.find((a) => a.id === r.accountId)?.currency ?? mainCurrency;
  const amount = (v: number | null) => (v === null ? '' : minorToInput(v, currency, style));
  return { field: r.field, op: r.op, matchText: r.matchText, minAmount: amount(r.minAmount), maxAmount: amount(r.maxAmount), accountId: r.accountId ?? '', categoryId: r.categoryId, renameTo: r.renameTo ?? '' };
}

/**
 * The rule form: what to match (payee or memo; contains, is, starts with; 2-100 characters),
 * optionally amounts within a range (by size, in the account's currency or the main one) and one
 * account; the category to set and, optionally, the payee's new name.
 */
export function parseRuleForm(body: unknown, ctx: { accounts: Account[]; categories: Category[]; mainCurrency: string; style?: DecimalStyle }): { ok: true; value: RuleInput } | { ok: false; errors: RuleErrors; typed: RuleTyped } {
  const { typed, errors } = readFormFields(body, FIELDS);
  const field = RULE_FIELDS.find((f) => f.id === typed.field)?.id;
  if (!errors.field && !field) errors.field = 'Choose payee or memo.';
  const op = RULE_OPS.find((o) => o.id === typed.op)?.id;
  if (!errors.op && !op) errors.op = 'Choose contains, is or starts with.';
  const matchText = typed.matchText.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (!errors.matchText && (matchText.length < 2 || matchText.length > 100 || /[\u0000-\u001f]/.test(typed.matchText))) errors.matchText = 'Enter 2 to 100 characters to match.';
  const account = typed.accountId === '' ? null : ctx.accounts.find((a) => a.id === typed.accountId);
  if (!errors.accountId && account === undefined) errors.accountId = 'Choose one of your accounts, or any account.';
  const currency = account?.currency ?? ctx.mainCurrency;
  const amount = (name: 'minAmount' | 'maxAmount'): number | null => {
    if (errors[name] || typed[name].trim() === '') return null;
    const parsed = parseAmount(typed[name], currency, ctx.style ?? 'dot');
    if (!parsed.ok) errors[name] = parsed.error;
    else if (parsed.minor < 0) errors[name] = 'Enter the amount’s size, without a sign: the rule matches money out and in.';
    else return parsed.minor;
    return null;
  };
  const minAmount = amount('minAmount');
  const maxAmount = amount('maxAmount');
  if (minAmount !== null && maxAmount !== null && minAmount > maxAmount && !errors.maxAmount) errors.maxAmount = 'The largest amount must be at least the smallest.';
  if (!errors.categoryId && !ctx.categories.some((c) => c.id === typed.categoryId)) errors.categoryId = 'Choose the category the rule sets.';
  const renameTo = typed.renameTo.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (!errors.renameTo && (renameTo.length > 200 || /[\u0000-\u001f]/.test(typed.renameTo))) errors.renameTo = 'Keep the new payee name to 200 characters, on one line.';
  if (Object.keys(errors).length > 0 || !field || !op) return { ok: false, errors, typed };
  return { ok: true, value: { field, op, matchText, minAmount, maxAmount, accountId: account?.id ?? null, categoryId: typed.categoryId, renameTo: renameTo === '' ? null : renameTo } };
}
