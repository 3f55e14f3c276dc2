import { isCalendarDate } from '../money/dates.js';
import { parseAmount } from '../money/money.js';
import type { ImportedRow, LineError, ParseOutcome } from './types.js';

/**
 * Reads STMTTRN entries from OFX/QFX: version 1 (SGML, closing tags optional) and version 2
 * (XML). Only what a bank statement needs: TRNAMT, DTPOSTED, FITID, NAME and MEMO.
 */
export function parseOfx(text: string, currency: string): ParseOutcome {
  const rows: ImportedRow[] = [];
  const errors: LineError[] = [];
  if (!/<OFX>/i.test(text)) return { rows, errors: [{ line: 1, message: 'This is not an OFX or QFX file (no <OFX> element).' }] };
  const blocks = text.split(/<STMTTRN>/i).slice(1).map((b) => b.split(/<\/STMTTRN>|<\/BANKTRANLIST>/i)[0]!);
  blocks.forEach((block, i) => {
    const n = i + 1;
    // In SGML the value runs to the next tag or line end; in XML a closing tag ends it.
    const field = (name: string) => new RegExp(`<${name}>([^<\\r\\n]*)`, 'i').exec(block)?.[1]?.trim() ?? '';
    const fitid = field('FITID');
    const posted = field('DTPOSTED');
    const date = /^\d{8}/.test(posted) ? `${posted.slice(0, 4)}-${posted.slice(4, 6)}-${posted.slice(6, 8)}` : '';
    const amount = parseAmount(field('TRNAMT'), currency, 'dot');
    if (!fitid) return void errors.push({ line: n, message: `Transaction ${n} has no FITID.` });
    if (!isCalendarDate(date)) return void errors.push({ line: n, message: `Transaction ${n} has no valid DTPOSTED ("${posted}").` });
    if (!amount.ok) return void errors.push({ line: n, message: `Transaction ${n}: ${amount.error}` });
    const description = [field('NAME'), field('MEMO')].filter(Boolean).join(' — ').replace(/&amp;/g, '&').slice(0, 200) || '(no description)';
    rows.push({ line: n, date, description, amountMinor: amount.minor, importedId: `ofx:${fitid}` });
  });
  if (blocks.length === 0) errors.push({ line: 1, message: 'The file has no transactions (no <STMTTRN> entries).' });
  return { rows, errors };
}
