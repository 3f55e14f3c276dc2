import { describe, expect, it } from 'vitest';
import type { AccountBalance } from '../../src/features/accounts/balances.js';
import type { Account } from '../../src/features/accounts/repository.js';
import { netWorthSeries } from '../../src/features/accounts/balances.js';
import { netWorthInMain } from '../../src/features/rates/convert.js';
import { parseRatesCsv } from '../../src/features/rates/input.js';
import { convertMinor, parseRate, rateOn, rateText } from '../../src/features/rates/rates.js';

describe('exchange rates', () => {
  it('are read with up to 8 decimals, above zero, and kept exactly', () => {
    expect(parseRate('1.0825')).toEqual({ ok: true, rateE8: 108_250_000 });
    expect(parseRate('0.00000001')).toEqual({ ok: true, rateE8: 1 });
    expect(rateText(108_250_000)).toBe('1.0825');
    expect(rateText(15_000_000_000)).toBe('150');
    for (const bad of ['0', '1,08', '-1', '1.123456789', 'abc', '', '2000000']) expect(parseRate(bad).ok, bad).toBe(false);
  });

  it('convert between currencies with different minor units, exactly, rounding half away from zero', () => {
    expect(convertMinor(10_000, 'EUR', 'USD', 108_250_000)).toBe(10_825); // €100.00 at 1.0825 = $108.25
    expect(convertMinor(-10_000, 'EUR', 'USD', 108_250_000)).toBe(-10_825);
    expect(convertMinor(1_000, 'JPY', 'USD', 670_000)).toBe(670); // ¥1,000 at 0.0067 = $6.70
    expect(convertMinor(1_000, 'USD', 'JPY', 15_012_000_000)).toBe(1_501); // $10.00 at 150.12 = ¥1,501.2 -> ¥1,501
    expect(convertMinor(1_000, 'KWD', 'USD', 325_000_000)).toBe(325); // 1.000 KWD at 3.25 = $3.25
    expect(convertMinor(1, 'USD', 'EUR', 50_000_000)).toBe(1); // half a cent rounds up
    expect(convertMinor(-1, 'USD', 'EUR', 50_000_000)).toBe(-1);
    expect(convertMinor(0, 'USD', 'EUR', 50_000_000)).toBe(0);
  });

  it('apply the latest rate dated on or before the day, and none before the first', () => {
    const series = [{ date: '2026-01-01', rateE8: 1 }, { date: '2026-03-01', rateE8: 2 }, { date: '2026-03-15', rateE8: 3 }];
    expect(rateOn(series, '2025-12-31')).toBeUndefined();
    expect(rateOn(series, '2026-01-01')).toBe(1);
    expect(rateOn(series, '2026-02-28')).toBe(1);
    expect(rateOn(series, '2026-03-14')).toBe(2);
    expect(rateOn(series, '2027-01-01')).toBe(3);
    expect(rateOn(undefined, '2027-01-01')).toBeUndefined();
  });

  it('read a date,currency,rate CSV, naming every bad line, and refuse the main currency', () => {
    const ok = parseRatesCsv('date,currency,rate\n2026-11-01,EUR,1.08\n2026-11-01,jpy,0.0067\n', 'USD');
    expect(ok).toEqual({ rows: [{ date: '2026-11-01', currency: 'EUR', rateE8: 108_000_000 }, { date: '2026-11-01', currency: 'JPY', rateE8: 670_000 }], errors: [], errorCount: 0 });
    const bad = parseRatesCsv('2026-02-30,EUR,1.08\n2026-11-01,USD,1\n2026-11-01,EUR\n2026-11-01,XYZ,1.0\n', 'USD');
    expect(bad.errorCount).toBe(4);
    expect(bad.errors[0]).toMatch(/^Line 1: Enter a real date/);
    expect(bad.errors[1]).toBe('Line 2: USD is your main currency: its rate is always 1.');
    expect(bad.errors[2]).toBe('Line 3: Each line needs three values: date,currency,rate.');
    expect(bad.errors[3]).toMatch(/^Line 4: Choose a currency from the list/);
  });
});

describe('net worth in the main currency', () => {
  const account = (id: string, currency: string, over: Partial<Account> = {}): Account => ({ id, name: id, currency, archived: false, type: 'checking', openingBalance: 0, openingDate: null, creditLimit: null, ...over });
  const bal = (a: Account, balance: number): AccountBalance => ({ account: a, side: a.type === 'credit_card' ? 'liability' : 'asset', balance, cleared: balance });
  it('converts each account at today’s rate, lists those with none, and never adds them unconverted', () => {
    const series = new Map([['EUR', [{ date: '2026-11-01', rateE8: 110_000_000 }]], ['GBP', [{ date: '2026-12-05', rateE8: 127_000_000 }]]]);
    const r = netWorthInMain([bal(account('usd', 'USD'), 100_000), bal(account('eur', 'EUR'), 50_000), bal(account('card', 'EUR', { type: 'credit_card' }), -10_000), bal(account('gbp', 'GBP'), 7_000)], 'USD', series, '2026-11-18');
    expect(r.worth).toEqual({ assets: 100_000 + 55_000, liabilities: 11_000, net: 144_000 });
    expect(r.missing.map((a) => a.id)).toEqual(['gbp']); // its only rate starts after today
    expect(r.converted.map((c) => [c.account.id, c.inMain])).toEqual([['eur', 55_000], ['card', -11_000]]);
  });
});

describe('net worth history in the main currency', () => {
  it('converts each month at the rate in force on its last day, and names accounts with no rate that month', () => {
    const a = (id: string, currency: string): Account => ({ id, name: id, currency, archived: false, type: 'checking', openingBalance: 0, openingDate: null, creditLimit: null });
    const monthly = [
      { accountId: 'usd', month: '2026-09', total: 100_000 },
      { accountId: 'eur', month: '2026-09', total: 10_000 },
      { accountId: 'eur', month: '2026-10', total: 10_000 },
    ];
    const series = new Map([['EUR', [{ date: '2026-10-31', rateE8: 110_000_000 }, { date: '2026-11-01', rateE8: 120_000_000 }]]]);
    const months = netWorthSeries([a('usd', 'USD'), a('eur', 'EUR')], monthly, '2026-11-18', 3, { main: 'USD', series });
    expect(months.map((m) => [m.month, m.net, m.missing])).toEqual([
      ['2026-09', 100_000, ['eur']], // no rate yet on Sep 30: left out, named
      ['2026-10', 100_000 + 22_000, []], // €200 at 1.10 (Oct 31)
      ['2026-11', 100_000 + 24_000, []], // €200 at 1.20 (today)
    ]);
    for (const m of months) expect(m.net).toBe(m.assets - m.liabilities);
  });
});
