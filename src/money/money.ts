/**
 * Money as integer minor units (cents) plus an ISO-4217 code. Input strings are parsed straight
 * to integers, never through floating point; anything that would need rounding is refused.
 */
export type DecimalStyle = 'dot' | 'comma';

export type ParseResult = { ok: true; minor: number } | { ok: false; error: string };

/**
 * A member's main currency until they choose one (the users table's default), and the currency
 * shown where an account cannot be found (a row whose account was removed while it was read).
 */
export const DEFAULT_CURRENCY = 'USD';

/**
 * Largest single amount accepted, in minor units (9,999,999,999.99 in a two-decimal currency):
 * far beyond any household figure.
 */
export const MAX_AMOUNT_MINOR = 999_999_999_999;

/**
 * The most a user's amounts may add up to, counted without their signs (money in plus money out,
 * every transaction ever), and likewise for all their budgets. Every figure the app computes is a
 * sum of a subset of these (a month, a category, a carry over a lifetime), so none can pass it:
 * it keeps every sum well inside Number.MAX_SAFE_INTEGER (about 9.007e15) and the database's
 * 64-bit integers.
 */
export const MAX_VOLUME_MINOR = 1_000_000_000_000_000;
/** MAX_VOLUME_MINOR in words, for messages. */
export const VOLUME_TEXT = '10 trillion (in a currency with cents; 1,000 trillion in one without)';
const MAX_MINOR = BigInt(MAX_AMOUNT_MINOR);

const digitsCache = new Map<string, number>();

/** How many minor digits a currency has (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, d);
  }
  return d;
}

/**
 * Where the other style is chosen, for the error message: the import form's "Numbers look like"
 * or the profile's "Amounts look like".
 */
export type StyleSetting = 'import' | 'profile' | 'none';

/** A leading or trailing currency code, per currency (a short list, like the caches above). */
const codePatterns = new Map<string, RegExp>();
function codePattern(currency: string): RegExp {
  let re = codePatterns.get(currency);
  if (!re) codePatterns.set(currency, (re = new RegExp(`^${currency}\\s*|\\s*${currency}$`, 'i')));
  return re;
}

/** A number written in one style (whole part with optional group marks, then the decimals), and its group marks. */
function stylePatterns(decimalMark: string, groupMarks: string) {
  const groupClass = `[${groupMarks.replace(/[.]/g, '\\.')}]`;
  return { number: new RegExp(`^(\\d{1,3}(?:${groupClass}\\d{3})+|\\d+)(?:\\${decimalMark}(\\d+))?$`), groups: new RegExp(groupClass, 'g') };
}
/** Built once, not for every amount parsed (an import parses one a row). */
const STYLE_PATTERNS: Record<DecimalStyle, ReturnType<typeof stylePatterns>> = {
  dot: stylePatterns('.', ",' \u00a0\u202f"),
  comma: stylePatterns(',', ". '\u00a0\u202f"),
};

/**
 * Parses "1,234.56" (dot style) or "1.234,56" (comma style), with an optional sign, parentheses
 * for negatives, spaces or apostrophes as group separators, and a leading or trailing currency
 * code or symbol.
 */
export function parseAmount(input: string, currency: string, style: DecimalStyle = 'dot', setting: StyleSetting = 'profile'): ParseResult {
  let s = input.trim();
  if (s === '') return { ok: false, error: 'Enter an amount.' };
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  s = s.replace(codePattern(currency), '').replace(/^[$€£¥₹]\s*|\s*[$€£¥₹]$/u, '');
  const sign = /^[+-]/.exec(s)?.[0];
  if (sign) {
    if (negative) return { ok: false, error: 'Use either a minus sign or parentheses, not both.' };
    negative = sign === '-';
    s = s.slice(1).trim();
  }
  s = s.replace(/^[$€£¥₹]\s*/u, '');
  const patterns = STYLE_PATTERNS[style === 'dot' ? 'dot' : 'comma'];
  const m = patterns.number.exec(s);
  if (!m) {
    const other = style === 'dot' ? '1.234,56' : '1,234.56';
    const written = `"${input.trim()}" is not an amount written like ${style === 'dot' ? '1,234.56' : '1.234,56'}`;
    if (setting === 'none') return { ok: false, error: `${written}.` };
    const where = setting === 'import' ? 'choose it under "Numbers look like"' : 'choose it under "Amounts look like" in your profile';
    return { ok: false, error: `${written} (to write ${other}, ${where}).` };
  }
  const whole = m[1]!.replace(patterns.groups, '');
  const fraction = m[2] ?? '';
  const digits = minorDigits(currency);
  if (fraction.length > digits) {
    return { ok: false, error: digits === 0 ? `${currency} has no decimal places.` : `${currency} has ${digits} decimal places; rounding is not done for you.` };
  }
  const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
  if (minor > MAX_MINOR) return { ok: false, error: `That amount is too large: the most is ${minorToInput(MAX_AMOUNT_MINOR, currency)} ${currency}.` };
  const value = Number(minor);
  return { ok: true, minor: negative && value !== 0 ? -value : value };
}

const formatters = new Map<string, Intl.NumberFormat>();

/** "$1,234.56", "-¥1,234", "€0.50" (en-US conventions; the symbol follows the currency). */
export function formatMoney(minor: number, currency: string): string {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencySign: 'standard' });
    formatters.set(currency, f);
  }
  // Display only: the division cannot lose cents at these magnitudes, and the formatter rounds to the currency's digits.
  return f.format((minor + 0) / 10 ** minorDigits(currency));
}

/**
 * formatMoney for one currency, remembering what it has formatted. For figures that are kept and
 * drawn again on every view (the dashboard's): their page formats the same few dozen amounts each
 * time, and the number formatter is most of a kept page's own time. Remembers at most `most`
 * amounts, then formats the rest afresh.
 */
export function rememberingFormatter(currency: string, most = 1000): (minor: number) => string {
  const formatted = new Map<number, string>();
  return function money(minor: number): string {
    let text = formatted.get(minor);
    if (text === undefined) {
      text = formatMoney(minor, currency);
      if (formatted.size < most) formatted.set(minor, text);
    }
    return text;
  };
}

/** The plain number for an input field: "1234.56", "-12", "0.5" → "0.50". */
export function minorToInput(minor: number, currency: string, style: DecimalStyle = 'dot'): string {
  const d = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor).toString().padStart(d + 1, '0');
  return d === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -d)}${style === 'comma' ? ',' : '.'}${abs.slice(-d)}`;
}
