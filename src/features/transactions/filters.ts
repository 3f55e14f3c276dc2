import { sql } from 'kysely';
import type { ClearedState } from '../accounts/types.js';

export interface PageFilter {
  from: string;
  to: string;
  accountId?: string;
  /** null: uncategorised only. */
  categoryId?: string | null;
  search?: string;
  cleared?: ClearedState;
}

/** The list's orders; each ends on the id, so pages never overlap or skip a row. */
export type ListOrder = { sort: 'date' | 'amount' | 'payee'; dir: 'asc' | 'desc' };

/** Case-insensitive substring match on description or memo, LIKE's wildcards in the text escaped (same SQL on SQLite and PostgreSQL). */
export function searchCondition(search: string) {
  const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`(lower(t.description) like ${pattern} escape '\\' or lower(coalesce(t.memo, '')) like ${pattern} escape '\\')`;
}

/** The transaction is in the category, or one of its split parts is. */
export function categoryCondition(userSub: string, categoryId: string) {
  return sql<boolean>`(t.category_id = ${categoryId} or (t.split = 1 and exists (select 1 from transaction_splits s where s.transaction_id = t.id and s.user_sub = ${userSub} and s.category_id = ${categoryId})))`;
}

/** A filter's conditions on `transactions as t` (the caller has scoped it by owner). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any select over 'transactions as t'
export function filtered<Q extends { where: (...args: any[]) => Q }>(q: Q, userSub: string, f: PageFilter): Q {
  let out = q.where('t.date', '>=', f.from).where('t.date', '<=', f.to);
  if (f.accountId) out = out.where('t.account_id', '=', f.accountId);
  if (f.categoryId === null) out = out.where('t.category_id', 'is', null).where('t.split', '=', 0).where('t.transfer_id', 'is', null);
  else if (f.categoryId) out = out.where(categoryCondition(userSub, f.categoryId));
  if (f.cleared) out = out.where('t.cleared', '=', f.cleared);
  if (f.search) out = out.where(searchCondition(f.search));
  return out;
}
