import type { ClearedState } from '../accounts/types.js';
import type { Transaction, TransactionInput } from './repository.js';

/** Changing it asks for a confirmation first: it, or the other side of its transfer, matched a statement. */
export const confirmationNeeded = (t: Transaction) => t.cleared === 'reconciled' || t.transfer?.cleared === 'reconciled';

/**
 * Which side of an edited transfer the open row is: it keeps its own account when the form still
 * names it (as the sending or the receiving account), else the side of its sign.
 */
export function openedSide(before: Transaction, after: TransactionInput): 'outgoing' | 'incoming' {
  if (!after.transfer || after.accountId === before.accountId) return 'outgoing';
  if (after.transfer.accountId === before.accountId) return 'incoming';
  return before.amountMinor > 0 ? 'incoming' : 'outgoing';
}

/** A reconciled transaction stays reconciled unless its account, date or amount changed (then it is only cleared). */
export function clearedAfterEdit(before: Transaction, after: TransactionInput): ClearedState {
  if (after.cleared === 'uncleared') return 'uncleared';
  if (before.cleared !== 'reconciled') return 'cleared';
  const same = before.accountId === after.accountId && before.date === after.date && before.amountMinor === after.amountMinor;
  return same ? 'reconciled' : 'cleared';
}

/** The other row of a transfer keeps its cleared state, except that a reconciled one whose account, date or amount changed is only cleared. */
export function peerClearedAfterEdit(before: Transaction, after: TransactionInput): ClearedState | undefined {
  if (!before.transfer || !after.transfer || before.transfer.cleared !== 'reconciled') return undefined;
  const same = before.transfer.accountId === after.transfer.accountId && before.date === after.date && before.transfer.amountMinor === after.transfer.amountMinor;
  return same ? undefined : 'cleared';
}
