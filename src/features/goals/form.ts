import { readFormFields } from '../../http/form-fields.js';
import { DATE_RANGE_TEXT, isCalendarDate } from '../../money/dates.js';
import { minorToInput, parseAmount, type DecimalStyle } from '../../money/money.js';
import type { Goal, GoalInput } from './repository.js';

export const GOAL_FIELDS = ['name', 'target', 'saved', 'targetDate'] as const;
export type GoalTyped = Record<(typeof GOAL_FIELDS)[number], string>;
export type GoalErrors = Partial<GoalTyped>;

/** The add and edit forms' one set of rules: a name, a target above zero, saved not negative, a date in the future. */
export function parseGoalForm(body: unknown, currency: string, today: string, style: DecimalStyle = 'dot'): { ok: true; value: Omit<GoalInput, 'currency'> } | { ok: false; typed: GoalTyped; errors: GoalErrors } {
  const { typed, errors } = readFormFields(body, GOAL_FIELDS);
  const name = typed.name.trim().replace(/\s+/g, ' ');
  if (name === '' || name.length > 80) errors.name ??= 'Enter a name of up to 80 characters.';
  const target = parseAmount(typed.target, currency, style);
  if (!target.ok) errors.target ??= target.error;
  else if (target.minor <= 0) errors.target ??= 'The target must be above zero.';
  const saved = typed.saved.trim() === '' ? ({ ok: true, minor: 0 } as const) : parseAmount(typed.saved, currency, style);
  if (!saved.ok) errors.saved ??= saved.error;
  else if (saved.minor < 0) errors.saved ??= 'Saved so far cannot be negative.';
  if (!isCalendarDate(typed.targetDate)) errors.targetDate ??= `Enter a real date as YYYY-MM-DD, ${DATE_RANGE_TEXT}.`;
  else if (typed.targetDate <= today) errors.targetDate ??= 'Choose a date in the future.';
  if (Object.keys(errors).length > 0 || !target.ok || !saved.ok) return { ok: false, typed, errors };
  return { ok: true, value: { name, target: target.minor, saved: saved.minor, targetDate: typed.targetDate } };
}

export const goalTyped = (g: Goal, style: DecimalStyle = 'dot'): GoalTyped => ({ name: g.name, target: minorToInput(g.target, g.currency, style), saved: minorToInput(g.saved, g.currency, style), targetDate: g.targetDate });

/** A contribution: an amount (negative takes money back out) on a date, never after today. */
export function parseContribution(body: unknown, currency: string, today: string, style: DecimalStyle = 'dot'): { ok: true; value: { amount: number; date: string } } | { ok: false; error: string } {
  const { typed, errors } = readFormFields(body, ['amount', 'date'] as const);
  if (errors.amount || errors.date) return { ok: false, error: 'Send the amount and the date once.' };
  const amount = parseAmount(typed.amount, currency, style);
  if (!amount.ok) return { ok: false, error: amount.error };
  if (amount.minor === 0) return { ok: false, error: 'Enter an amount other than zero (a negative one takes money back out).' };
  const date = typed.date.trim() === '' ? today : typed.date.trim();
  if (!isCalendarDate(date)) return { ok: false, error: `Enter the date as YYYY-MM-DD, ${DATE_RANGE_TEXT}.` };
  if (date > today) return { ok: false, error: 'A contribution cannot be dated in the future.' };
  return { ok: true, value: { amount: amount.minor, date } };
}
