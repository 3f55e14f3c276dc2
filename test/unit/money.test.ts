import { describe, expect, it } from 'vitest';
import { addMonths, daysBetween, isCalendarDate, isMonth, monthRange } from '../../src/money/dates.js';
import { formatMoney, MAX_AMOUNT_MINOR, minorDigits, minorToInput, parseAmount, rememberingFormatter } from '../../src/money/money.js';

const ok = (minor: number) => ({ ok: true, minor });

describe('parseAmount', () => {
  it.each([
    ['1,234.56', 'USD', 'dot', 123456],
    ['1234.56', 'USD', 'dot', 123456],
    ['-1,234.56', 'USD', 'dot', -123456],
    ['(1,234.56)', 'USD', 'dot', -123456],
    ['+12', 'USD', 'dot', 1200],
    ['0.5', 'USD', 'dot', 50],
    ['.5', 'USD', 'dot', null],
    ['$1,000,000.01', 'USD', 'dot', 100000001],
    ['USD 12.30', 'USD', 'dot', 1230],
    ['1.234,56', 'EUR', 'comma', 123456],
    ['-1.234,56', 'EUR', 'comma', -123456],
    ['1 234,56', 'EUR', 'comma', 123456],
    ["1'234.50", 'CHF', 'dot', 123450],
    ['12,5 €', 'EUR', 'comma', 1250],
    ['1,234', 'JPY', 'dot', 1234],
    ['-500', 'JPY', 'dot', -500],
    ['1.234', 'KWD', 'dot', 1234],
    ['-0.00', 'USD', 'dot', 0],
  ] as const)('%s (%s, %s style) -> %s', (input, currency, style, expected) => {
    const r = parseAmount(input, currency, style);
    if (expected === null) expect(r.ok).toBe(false);
    else expect(r).toEqual(ok(expected));
  });

  it.each([
    ['1.005', 'USD', 'dot', 'rounding is not done'],
    ['12.5', 'JPY', 'dot', 'JPY has no decimal places'],
    ['1,23.45', 'USD', 'dot', 'not an amount'],
    ['1.234,56', 'USD', 'dot', 'not an amount'],
    ['abc', 'USD', 'dot', 'not an amount'],
    ['', 'USD', 'dot', 'Enter an amount'],
    ['1e5', 'USD', 'dot', 'not an amount'],
    ['-(5)', 'USD', 'dot', 'not an amount'],
    ['(-5)', 'USD', 'dot', 'either a minus sign or parentheses'],
    ['99999999999999999999', 'USD', 'dot', 'too large'],
  ] as const)('refuses %s (%s)', (input, currency, style, message) => {
    const r = parseAmount(input, currency, style);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('never goes through floating point (0.1 + 0.2 style values stay exact)', () => {
    expect(parseAmount('0.29', 'USD')).toEqual(ok(29));
    expect(parseAmount('1234567890.45', 'USD')).toEqual(ok(123456789045));
    expect(parseAmount('9,999,999,999.99', 'USD')).toEqual(ok(MAX_AMOUNT_MINOR));
  });

  it('refuses an amount above the largest one, saying what the largest is', () => {
    const r = parseAmount('10,000,000,000.00', 'USD');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('the most is 9999999999.99 USD');
    expect(parseAmount('-10000000000000.00', 'USD').ok).toBe(false);
  });
});

describe('formatMoney and minorToInput', () => {
  it('formats for the currency, with its own number of decimals', () => {
    expect(formatMoney(123456, 'USD')).toBe('$1,234.56');
    expect(formatMoney(-123456, 'USD')).toBe('-$1,234.56');
    expect(formatMoney(1234, 'JPY')).toBe('¥1,234');
    expect(formatMoney(50, 'EUR')).toBe('€0.50');
    expect(formatMoney(1234, 'KWD')).toBe('KWD\u00a01.234');
    expect(minorDigits('JPY')).toBe(0);
  });

  it('round-trips through the input format', () => {
    for (const [minor, currency] of [[123456, 'USD'], [-5, 'USD'], [1234, 'JPY'], [7, 'KWD']] as const) {
      expect(parseAmount(minorToInput(minor, currency), currency)).toEqual(ok(minor));
    }
    expect(minorToInput(5, 'USD')).toBe('0.05');
  });
});

describe('calendar dates', () => {
  it('accepts real dates and months only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(isMonth('2026-11')).toBe(true);
    expect(isMonth('2026-00')).toBe(false);
    expect(isMonth('26-11')).toBe(false);
  });

  it('accepts dates and months only from 1900-01-01 to 2199-12-31, so every month can be shown', () => {
    expect(isCalendarDate('1900-01-01')).toBe(true);
    expect(isCalendarDate('2199-12-31')).toBe(true);
    expect(isCalendarDate('1899-12-31')).toBe(false);
    expect(isCalendarDate('2200-01-01')).toBe(false);
    expect(isCalendarDate('9999-12-31')).toBe(false);
    expect(isMonth('2199-12')).toBe(true);
    expect(isMonth('2200-01')).toBe(false);
    expect(isMonth('1899-12')).toBe(false);
  });

  it('does month arithmetic and ranges', () => {
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(monthRange('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29', days: 29 });
    expect(daysBetween('2026-11-01', '2026-11-08')).toBe(7);
  });
});

describe('the number style in messages and inputs', () => {
  it('says where the other style is chosen, matching the form the amount came from', () => {
    const at = (setting: 'import' | 'profile' | 'none') => {
      const r = parseAmount('1.234,56', 'USD', 'dot', setting);
      return r.ok ? '' : r.error;
    };
    expect(at('import')).toBe('"1.234,56" is not an amount written like 1,234.56 (to write 1.234,56, choose it under "Numbers look like").');
    expect(at('profile')).toContain('choose it under "Amounts look like" in your profile');
    expect(at('none')).toBe('"1.234,56" is not an amount written like 1,234.56.');
  });

  it('fills inputs in either style, and reads back what it wrote', () => {
    expect(minorToInput(-123_456, 'EUR', 'comma')).toBe('-1234,56');
    expect(minorToInput(123_456, 'EUR')).toBe('1234.56');
    expect(minorToInput(500, 'JPY', 'comma')).toBe('500');
    for (const style of ['dot', 'comma'] as const) for (const minor of [0, 1, 99, 100, 123_456, 999_999_999_999]) expect(parseAmount(minorToInput(minor, 'EUR', style), 'EUR', style)).toEqual({ ok: true, minor });
  });
});

describe('rememberingFormatter', () => {
  it('formats exactly as formatMoney does, in its own currency, the first time and every time after', () => {
    const usd = rememberingFormatter('USD');
    const jpy = rememberingFormatter('JPY');
    for (let round = 0; round < 2; round++) {
      for (const minor of [0, 1, -1, 123_456, -999_999_999_999, 50]) {
        expect(usd(minor)).toBe(formatMoney(minor, 'USD'));
        expect(jpy(minor)).toBe(formatMoney(minor, 'JPY'));
      }
    }
    expect(usd(123_456)).toBe('$1,234.56');
    expect(jpy(500)).toBe('¥500');
  });

  it('formats amounts past what it may remember right too', () => {
    const seen = new Set<string>();
    const money = rememberingFormatter('EUR', 3);
    for (let minor = 0; minor < 10; minor++) seen.add(money(minor * 100));
    for (let minor = 0; minor < 10; minor++) expect(money(minor * 100)).toBe(formatMoney(minor * 100, 'EUR'));
    expect(seen.size).toBe(10);
  });
});
