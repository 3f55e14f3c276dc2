import { plural } from '../../lib/text.js';
import type { ClearedState } from '../accounts/types.js';

/** Rows one bulk change may touch: set-based writes of this many take well under a second. */
export const MAX_BULK = 10_000;

export type BulkAction =
  | { kind: 'category'; categoryId: string | null; name: string }
  | { kind: 'account'; accountId: string; name: string; currency: string }
  | { kind: 'cleared'; cleared: Exclude<ClearedState, 'reconciled'> }
  | { kind: 'delete' };

/** What a bulk change needs to know of each selected row. */
export interface BulkRow {
  id: string;
  accountId: string;
  currency: string;
  categoryId: string | null;
  transfer: boolean;
  split: boolean;
  cleared: ClearedState;
}

export interface BulkPlan {
  /** The rows that change. */
  ids: string[];
  /** Rows left as they are, counted by reason. */
  skipped: Array<{ count: number; reason: string }>;
  /** Transfer rows among those deleted: their other sides go with them. */
  transfers: number;
}

const REASONS = {
  transfer: 'transfers have no category of their own',
  transferMove: 'transfers are moved by editing them',
  split: 'split transactions keep their parts (edit them one by one)',
  reconciled: 'reconciled with a statement (edit them one by one)',
  currency: 'in another currency than the account they would move to',
  same: 'already that way',
} as const;

/** Decides which rows a bulk change applies to and says why the others are left alone. */
export function planBulk(rows: readonly BulkRow[], action: BulkAction): BulkPlan {
  const ids: string[] = [];
  const skipped = new Map<string, number>();
  let transfers = 0;
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  for (const r of rows) {
    const reason = skipReason(r, action);
    if (reason) skip(reason);
    else {
      ids.push(r.id);
      if (r.transfer) transfers++;
    }
  }
  return { ids, skipped: [...skipped].map(([reason, count]) => ({ reason, count })), transfers };
}

function skipReason(r: BulkRow, a: BulkAction): string | null {
  switch (a.kind) {
    case 'category':
      if (r.transfer) return REASONS.transfer;
      if (r.split) return REASONS.split;
      return r.categoryId === a.categoryId ? REASONS.same : null;
    case 'account':
      if (r.transfer) return REASONS.transferMove;
      if (r.cleared === 'reconciled') return REASONS.reconciled;
      if (r.currency !== a.currency) return REASONS.currency;
      return r.accountId === a.accountId ? REASONS.same : null;
    case 'cleared':
      if (r.cleared === 'reconciled') return REASONS.reconciled;
      return r.cleared === a.cleared ? REASONS.same : null;
    case 'delete':
      return r.cleared === 'reconciled' ? REASONS.reconciled : null;
  }
}

/** "Put 12 transactions in Groceries", for the confirmation and the message after it. */
export function describeBulk(action: BulkAction, n: number, done: boolean): string {
  const rows = plural(n, 'transaction');
  switch (action.kind) {
    case 'category':
      return done ? `Put ${rows} in ${action.name}.` : `Put ${rows} in ${action.name}?`;
    case 'account':
      return done ? `Moved ${rows} to ${action.name}.` : `Move ${rows} to ${action.name}?`;
    case 'cleared':
      return done ? `Marked ${rows} ${action.cleared === 'cleared' ? 'cleared' : 'not cleared'}.` : `Mark ${rows} ${action.cleared === 'cleared' ? 'cleared' : 'not cleared'}?`;
    case 'delete':
      return done ? `Deleted ${rows}.` : `Delete ${rows}? This cannot be undone.`;
  }
}
