import type { Account } from '../accounts/repository.js';
import type { TransactionInput } from '../transactions/repository.js';
import { findMatches, type Existing } from './dedupe.js';
import type { PendingRow } from './repository.js';
import { withFields } from '../../lib/objects.js';

/** YNAB's payee for a transfer: "Transfer : <account name>". */
const YNAB_TRANSFER = /^Transfer\s*:\s*(.+)$/i;

/** Accounts a row imported into `into` can be a transfer with: the person's other active accounts in the same currency. */
export function transferTargets(into: Account, accounts: Account[]): Account[] {
  return accounts.filter((a) => !a.archived && a.id !== into.id && a.currency === into.currency);
}

/**
 * Marks the rows whose payee follows YNAB's "Transfer : <account name>" as transfers to that
 * account (names compared ignoring case). Names that match no possible account are listed, and
 * their rows point at the list, so the preview can ask what they are.
 */
export function markTransfers(rows: PendingRow[], into: Account, accounts: Account[]): { transfers: number; unknown: Array<{ name: string; rows: number }> } {
  const byName = new Map(transferTargets(into, accounts).map((a) => [a.name.toLowerCase(), a.id]));
  const unknown = new Map<string, { index: number; name: string; rows: number }>();
  let transfers = 0;
  for (const r of rows) {
    const m = YNAB_TRANSFER.exec(r.description);
    if (!m) continue;
    const name = m[1]!.trim();
    const target = byName.get(name.toLowerCase());
    if (target) {
      r.transferAccountId = target;
      r.categoryId = null;
      delete r.newCategory;
      transfers++;
      continue;
    }
    let entry = unknown.get(name.toLowerCase());
    if (!entry) unknown.set(name.toLowerCase(), (entry = { index: unknown.size, name, rows: 0 }));
    entry.rows++;
    r.unknownTransfer = entry.index;
  }
  return { transfers, unknown: [...unknown.values()].map(({ name, rows: n }) => ({ name, rows: n })) };
}

/** The confirmation form's transfer choices: per previewed row (`transfer_<n>`) and per unknown name (`transferName_<n>`); '' = not a transfer. */
export interface TransferChoices {
  rows: Map<number, string>;
  names: Map<number, string>;
}

/** A previewed row's choice meaning "as chosen for its unknown name". */
export const NAMED = 'named';

export function parseTransferChoices(body: Record<string, unknown>): TransferChoices {
  const choices: TransferChoices = { rows: new Map(), names: new Map() };
  for (const [key, raw] of Object.entries(body)) {
    const m = /^transfer(Name)?_(\d{1,3})$/.exec(key);
    if (!m || typeof raw !== 'string') continue;
    (m[1] ? choices.names : choices.rows).set(Number(m[2]), raw);
  }
  return choices;
}

/**
 * Turns the rows chosen as transfers into transfers: each is matched to a row already in the
 * other account (the opposite amount within ±7 days, nearest first, not yet part of a transfer)
 * and linked to it, or else gets its other side written. A choice naming an account that cannot
 * take the transfer is a problem; nothing is written then.
 */
export async function resolveTransfers(
  rows: Array<{ index: number; input: TransactionInput; pending: PendingRow }>,
  choices: TransferChoices,
  ctx: { into: Account; accounts: Account[]; existingIn: (accountId: string, rows: Array<{ date: string }>) => Promise<Existing[]> },
): Promise<{ rows: TransactionInput[]; transfers: number; matched: number; problems: string[] }> {
  const targets = new Map(transferTargets(ctx.into, ctx.accounts).map((a) => [a.id, a]));
  const problems: string[] = [];
  const byTarget = new Map<string, number[]>();
  rows.forEach(({ index, pending: p }, at) => {
    // A previewed row's own choice wins; "named" defers to the choice made for its payee's name.
    const own = choices.rows.get(index);
    const chosen = own !== undefined && own !== NAMED ? own : p.unknownTransfer !== undefined ? choices.names.get(p.unknownTransfer) : p.transferAccountId;
    if (!chosen) return;
    if (!targets.has(chosen)) return void problems.push(`Row ${index + 1} (${p.description}): choose one of your other active ${ctx.into.currency} accounts for the transfer, or none.`);
    const list = byTarget.get(chosen);
    if (list) list.push(at);
    else byTarget.set(chosen, [at]);
  });
  const out = rows.map((r) => r.input);
  if (problems.length) return { rows: out, transfers: 0, matched: 0, problems: problems.slice(0, 10) };
  let transfers = 0;
  let matched = 0;
  for (const [target, ats] of byTarget) {
    const existing = (await ctx.existingIn(target, ats.map((i) => out[i]!))).filter((e) => !e.linked);
    const matches = await findMatches(ats.map((i) => ({ line: i, date: out[i]!.date, amountMinor: -out[i]!.amountMinor, importedId: '' })), existing);
    for (const i of ats) {
      const link = matches.get(i);
      const row = out[i]!;
      transfers++;
      if (link) matched++;
      out[i] = withFields(row, link ? { categoryId: null, splits: null, linkTo: link, transfer: null } : { categoryId: null, splits: null, transfer: { accountId: target, amountMinor: -row.amountMinor } });
    }
  }
  return { rows: out, transfers, matched, problems: [] };
}
