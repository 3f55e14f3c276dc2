import { describe, expect, it } from 'vitest';
import { parseCsv, readDate } from '../../src/features/import/csv.js';
import { findDuplicates } from '../../src/features/import/dedupe.js';
import { parseOfx } from '../../src/features/import/ofx.js';
import type { CsvOptions } from '../../src/features/import/types.js';

const base: CsvOptions = { shape: 'signed', delimiter: ',', decimal: 'dot', dateFormat: 'YYYY-MM-DD', header: true, currency: 'USD' };
const pick = (r: { date: string; description: string; amountMinor: number }) => [r.date, r.description, r.amountMinor];

describe('CSV import', () => {
  it('reads shape A: one signed amount', async () => {
    const out = await parseCsv('Date,Description,Amount\n2026-11-01,Coffee,-4.50\n2026-11-02,"Pay, November",2500.00\n', base);
    expect(out.errors).toEqual([]);
    expect(out.rows.map(pick)).toEqual([['2026-11-01', 'Coffee', -450], ['2026-11-02', 'Pay, November', 250000]]);
  });

  it("reads shape B: YNAB's Date,Payee,Category,Memo,Outflow,Inflow", async () => {
    const csv = 'Date,Payee,Category,Memo,Outflow,Inflow\n11/03/2026,FreshMart,Everyday: Groceries,weekly,82.10,\n11/04/2026,Acme,Income: Salary,,,4850.00\n';
    const out = await parseCsv(csv, { ...base, shape: 'ynab', dateFormat: 'MM/DD/YYYY' });
    expect(out.errors).toEqual([]);
    expect(out.rows.map(pick)).toEqual([['2026-11-03', 'FreshMart', -8210], ['2026-11-04', 'Acme', 485000]]);
    // Memo stays apart from the payee; the category is the part after the group.
    expect(out.rows.map((r) => r.memo)).toEqual(['weekly', undefined]);
    expect(out.rows.map((r) => r.categoryName)).toEqual(['Groceries', 'Salary']);
  });

  it('reads shape C: an amount with a debit/credit column', async () => {
    const out = await parseCsv('Date,Description,Amount,Transaction Type\n2026-11-05,Gym,30.00,debit\n2026-11-06,Refund,12.00,credit\n', { ...base, shape: 'type-column' });
    expect(out.rows.map(pick)).toEqual([['2026-11-05', 'Gym', -3000], ['2026-11-06', 'Refund', 1200]]);
  });

  it('honours delimiter, decimal style, date format and a missing header', async () => {
    const out = await parseCsv('05.11.2026;Bäckerei;-1.234,56\n06.11.2026;Miete;-800\n', { ...base, delimiter: ';', decimal: 'comma', dateFormat: 'DD.MM.YYYY', header: false, currency: 'EUR' });
    expect(out.errors).toEqual([]);
    expect(out.rows.map(pick)).toEqual([['2026-11-05', 'Bäckerei', -123456], ['2026-11-06', 'Miete', -80000]]);
    const tabs = await parseCsv('2026-11-01\tTea\t-3.00\n', { ...base, delimiter: '\t', header: false });
    expect(tabs.rows.map(pick)).toEqual([['2026-11-01', 'Tea', -300]]);
  });

  it('reports each bad line with its number and keeps the good ones', async () => {
    const out = await parseCsv('Date,Description,Amount\n2026-11-01,ok,-1.00\n2026-02-30,bad date,-1\n2026-11-03,bad amount,abc\n2026-11-04,too precise,1.005\n', base);
    expect(out.rows).toHaveLength(1);
    expect(out.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(out.errors[0]!.message).toContain('not a date in the YYYY-MM-DD format');
    expect(out.errors[2]!.message).toContain('rounding is not done');
  });

  it('names the missing column when the header does not fit the shape', async () => {
    expect((await parseCsv('When,What,HowMuch\n', base)).errors[0]!.message).toContain('no "date" column');
  });

  it('gives identical rows in one file different imported ids, and the same file the same ids again', async () => {
    const csv = 'Date,Description,Amount\n2026-11-01,Bus,-2.00\n2026-11-01,Bus,-2.00\n';
    const a = (await parseCsv(csv, base)).rows.map((r) => r.importedId);
    const b = (await parseCsv(csv, base)).rows.map((r) => r.importedId);
    expect(a[0]).not.toBe(a[1]);
    expect(a).toEqual(b);
  });

  it('reads dates strictly in the chosen format', async () => {
    expect(readDate('2/3/2026', 'MM/DD/YYYY')).toBe('2026-02-03');
    expect(readDate('2/3/2026', 'DD/MM/YYYY')).toBe('2026-03-02');
    expect(readDate('31/02/2026', 'DD/MM/YYYY')).toBeUndefined();
    expect(readDate('2026-02-03', 'MM/DD/YYYY')).toBeUndefined();
  });
});

describe('OFX import', () => {
  const v1 = `OFXHEADER:100
DATA:OFXSGML
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261103120000[-5:EST]<TRNAMT>-42.10<FITID>A1<NAME>FreshMart<MEMO>card 1234
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261101<TRNAMT>4850.00<FITID>A2<NAME>Acme &amp; Co payroll
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
  const v2 = `<?xml version="1.0" encoding="UTF-8"?><?OFX OFXHEADER="200" VERSION="220"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261104</DTPOSTED><TRNAMT>-9.99</TRNAMT><FITID>B1</FITID><NAME>Streamly</NAME></STMTTRN>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>2026</DTPOSTED><TRNAMT>-1</TRNAMT><FITID>B2</FITID></STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;

  it('reads version 1 (SGML) with its FITIDs', async () => {
    const out = await parseOfx(v1, 'USD');
    expect(out.errors).toEqual([]);
    expect(out.rows[0]!.memo).toBe('card 1234');
    expect(out.rows.map((r) => [...pick(r), r.importedId])).toEqual([
      ['2026-11-03', 'FreshMart', -4210, 'ofx:A1'],
      ['2026-11-01', 'Acme & Co payroll', 485000, 'ofx:A2'],
    ]);
  });

  it('reads version 2 (XML) and reports a bad entry by number', async () => {
    const out = await parseOfx(v2, 'USD');
    expect(out.rows.map(pick)).toEqual([['2026-11-04', 'Streamly', -999]]);
    expect(out.errors).toEqual([{ line: 2, message: expect.stringContaining('DTPOSTED') }]);
    expect(out.errorCount).toBe(1);
  });

  it('refuses a file that is not OFX', async () => {
    expect((await parseOfx('Date,Amount\n', 'USD')).errors[0]!.message).toContain('not an OFX');
  });
});

describe('duplicate detection on re-import', () => {
  const row = (line: number, date: string, amountMinor: number, importedId = `x${line}`) => ({ line, date, description: 'd', amountMinor, importedId });

  it('matches the exact imported id first', async () => {
    expect(await findDuplicates([row(1, '2026-11-01', -100, 'ofx:A1')], [{ id: 'e1', date: '2026-10-01', amountMinor: -999, importedId: 'ofx:A1' }])).toEqual(new Set([1]));
  });

  it('else the same amount within ±7 days, each existing row matching one imported row only', async () => {
    const existing = [{ id: 'e1', date: '2026-11-10', amountMinor: -500, importedId: null }];
    const dupes = await findDuplicates([row(1, '2026-11-03', -500), row(2, '2026-11-12', -500), row(3, '2026-11-18', -500)], existing);
    expect(dupes).toEqual(new Set([1])); // 7 days away is inside the window; the existing row is then used up
    expect(await findDuplicates([row(1, '2026-11-02', -500)], existing)).toEqual(new Set());
    expect(await findDuplicates([row(1, '2026-11-10', -501)], existing)).toEqual(new Set());
  });
});
