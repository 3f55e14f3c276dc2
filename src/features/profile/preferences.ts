/** Preferences a user can edit, validated field by field so each problem can be shown next to its field. */
export interface Preferences {
  displayName: string | null;
  currency: string;
}

export type PreferenceErrors = Partial<Record<keyof Preferences, string>>;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function currencyCodes(): string[] {
  return [...CURRENCIES];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The currency list as <option> elements, built once: it is the same long list on every render. */
const OPTIONS = currencyCodes().map((c) => `<option value="${escapeHtml(c)}">${escapeHtml(c)}</option>`);
const ALL_OPTIONS = OPTIONS.join('');

/** The <option> elements of the currency select with `selected` marked; an unknown value is kept as the first option. */
export function currencyOptionsHtml(selected: string): string {
  const value = escapeHtml(selected);
  const marker = `<option value="${value}">`;
  if (!CURRENCIES.has(selected)) return `<option value="${value}" selected>${value}</option>${ALL_OPTIONS}`;
  return ALL_OPTIONS.replace(marker, `<option value="${value}" selected>`);
}

/** One ISO 4217 code from a form field (the profile's main currency, a new account's currency). */
export function parseCurrency(raw: unknown): { ok: true; currency: string } | { ok: false; error: string } {
  if (Array.isArray(raw)) return { ok: false, error: 'Choose one currency.' };
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: 'Choose a currency.' };
  const currency = raw.trim().toUpperCase();
  if (!CURRENCIES.has(currency)) return { ok: false, error: 'Choose a currency from the list (a three-letter ISO 4217 code such as USD or EUR).' };
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

  if (Object.keys(errors).length > 0) return { ok: false, errors, typed };
  return { ok: true, value: { displayName, currency } };
}
