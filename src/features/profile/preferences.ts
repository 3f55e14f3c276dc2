import type { DecimalStyle } from '../../money/money.js';

/** Preferences a user can edit, validated field by field so each problem can be shown next to its field. */
export interface Preferences {
  displayName: string | null;
  currency: string;
  /** How amounts are typed and shown in forms: 1,234.56 or 1.234,56. */
  numberStyle: DecimalStyle;
}

export type PreferenceErrors = Partial<Record<keyof Preferences, string>>;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function currencyCodes(): string[] {
  return [...CURRENCIES];
}

const names = new Intl.DisplayNames('en', { type: 'currency' });

/** Every currency as the picker lists it: "EUR — Euro", in code order; built once. */
export const CURRENCY_CHOICES: ReadonlyArray<{ code: string; label: string }> = currencyCodes().map((code) => ({ code, label: `${code} — ${names.of(code) ?? code}` }));
const BY_NAME = new Map(CURRENCY_CHOICES.map((c) => [(names.of(c.code) ?? c.code).toLowerCase(), c.code]));

/** One ISO 4217 code from a form field (the profile's main currency, a new account's currency). */
export function parseCurrency(raw: unknown): { ok: true; currency: string } | { ok: false; error: string } {
  if (Array.isArray(raw)) return { ok: false, error: 'Choose one currency.' };
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: 'Choose a currency.' };
  // A code ("eur"), a picked line ("EUR — Euro") or a name ("euro") all name the currency.
  const text = raw.trim();
  const currency = /^[a-z]{3}(\s|$)/i.test(text) ? text.slice(0, 3).toUpperCase() : (BY_NAME.get(text.toLowerCase()) ?? text.toUpperCase());
  if (!CURRENCIES.has(currency)) return { ok: false, error: 'Choose a currency from the list: type its code (such as EUR) or its name (such as Euro).' };
  return { ok: true, currency };
}

/** Returns the cleaned preferences, or the errors; what the user typed comes back either way. */
export function parsePreferences(body: unknown): { ok: true; value: Preferences } | { ok: false; errors: PreferenceErrors; typed: Record<string, string> } {
  const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: PreferenceErrors = {};
  const typed: Record<string, string> = {};

  const rawName = form.displayName;
  let displayName: string | null = null;
  if (Array.isArray(rawName)) errors.displayName = 'Send the display name once.';
  else if (rawName !== undefined && typeof rawName !== 'string') errors.displayName = 'The display name must be text.';
  else {
    typed.displayName = rawName ?? '';
    const trimmed = (rawName ?? '').trim().replace(/\s+/g, ' ');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(rawName ?? '')) errors.displayName = 'The display name cannot contain control characters.';
    else if (trimmed.length > 60) errors.displayName = 'Keep the display name to 60 characters or fewer.';
    else displayName = trimmed === '' ? null : trimmed;
  }

  const rawCurrency = form.currency;
  if (typeof rawCurrency === 'string') typed.currency = rawCurrency;
  const parsedCurrency = parseCurrency(rawCurrency);
  const currency = parsedCurrency.ok ? parsedCurrency.currency : '';
  if (!parsedCurrency.ok) errors.currency = parsedCurrency.error;

  // A form without the field (an older page) keeps the usual style.
  const rawStyle = form.numberStyle ?? 'dot';
  if (typeof form.numberStyle === 'string') typed.numberStyle = form.numberStyle;
  if (rawStyle !== 'dot' && rawStyle !== 'comma') errors.numberStyle = 'Choose 1,234.56 or 1.234,56.';
  const numberStyle: DecimalStyle = rawStyle === 'comma' ? 'comma' : 'dot';

  if (Object.keys(errors).length > 0) return { ok: false, errors, typed };
  return { ok: true, value: { displayName, currency, numberStyle } };
}
