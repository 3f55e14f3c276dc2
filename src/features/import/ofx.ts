import { createYielder } from '../../lib/cooperative.js';
import { DATE_RANGE_TEXT, isCalendarDate } from '../../money/dates.js';
import { parseAmount } from '../../money/money.js';
import { echo, errorCollector, MAX_ROWS, type ImportedRow, type ParseOutcome } from './types.js';

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Reads STMTTRN entries from OFX/QFX: version 1 (SGML, closing tags optional) and version 2
 * (XML). Only what a bank statement needs: TRNAMT, DTPOSTED, FITID, NAME (the payee) and MEMO
 * (kept apart from it). Pauses between slices of work like the CSV reader.
 */
export async function parseOfx(text: string, currency: string): Promise<ParseOutcome> {
  const rows: ImportedRow[] = [];
  const errors = errorCollector();
  if (!/<OFX>/i.test(text)) return { rows, errors: [{ line: 1, message: 'This is not an OFX or QFX file (no <OFX> element).' }], errorCount: 1 };
  const blocks = text.split(/<STMTTRN>/i).slice(1);
  if (blocks.length > MAX_ROWS) errors.add(MAX_ROWS + 1, `The file has more than ${MAX_ROWS.toLocaleString('en-US')} transactions. Split it into smaller files.`);
  const y = createYielder();
  for (let i = 0; i < Math.min(blocks.length, MAX_ROWS); i++) {
    await y.pause();
    const block = blocks[i]!.split(/<\/STMTTRN>|<\/BANKTRANLIST>/i)[0]!;
    const n = i + 1;
    // In SGML the value runs to the next tag or line end; in XML a closing tag ends it.
    const field = (name: string) => new RegExp(`<${name}>([^<\\r\\n]*)`, 'i').exec(block)?.[1]?.trim() ?? '';
    const fitid = field('FITID');
    const posted = field('DTPOSTED');
    const date = /^\d{8}/.test(posted) ? `${posted.slice(0, 4)}-${posted.slice(4, 6)}-${posted.slice(6, 8)}` : '';
    const amount = parseAmount(field('TRNAMT'), currency, 'dot', 'none');
    if (!fitid) errors.add(n, `Transaction ${n} has no FITID.`);
    else if (!isCalendarDate(date)) errors.add(n, `Transaction ${n} has no valid DTPOSTED ("${echo(posted)}"; dates ${DATE_RANGE_TEXT}).`);
    else if (!amount.ok) errors.add(n, `Transaction ${n}: ${echo(amount.error)}`);
    else {
      const description = unescape(field('NAME')).slice(0, 200) || '(no description)';
      const memo = unescape(field('MEMO')).slice(0, 200);
      rows.push({ line: n, date, description, ...(memo ? { memo } : {}), amountMinor: amount.minor, importedId: `ofx:${fitid.slice(0, 200)}` });
    }
  }
  if (blocks.length === 0) errors.add(1, 'The file has no transactions (no <STMTTRN> entries).');
  return { rows, errors: errors.errors, errorCount: errors.count() };
}
