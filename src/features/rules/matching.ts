import { withFields } from '../../lib/objects.js';

/** What a rule looks at and what it sets. */
export interface Rule {
  id: string;
  field: 'payee' | 'memo';
  op: 'contains' | 'equals' | 'starts_with';
  matchText: string;
  /** Amounts of at least / at most this size (either sign). */
  minAmount: number | null;
  maxAmount: number | null;
  accountId: string | null;
  categoryId: string;
  /** The payee a matching transaction gets, or null to keep it. */
  renameTo: string | null;
  position: number;
}

export const RULE_FIELDS = [
  { id: 'payee', label: 'Payee' },
  { id: 'memo', label: 'Memo' },
] as const;
export const RULE_OPS = [
  { id: 'contains', label: 'contains' },
  { id: 'equals', label: 'is' },
  { id: 'starts_with', label: 'starts with' },
] as const;

/** The part of a transaction rules read. */
export interface Matchable {
  description: string;
  memo?: string | null;
  amountMinor: number;
  accountId?: string;
}

/** Rules with their text lower-cased once, in order: what matching a batch of rows uses. */
export function prepareRules(rules: Rule[]) {
  return [...rules].sort((a, b) => a.position - b.position).map((r) => withFields(r, { needle: r.matchText.trim().toLowerCase(), renamed: r.renameTo === null ? null : r.renameTo.trim().toLowerCase() }));
}
export type PreparedRules = ReturnType<typeof prepareRules>;

/**
 * Does one rule match: text (ignoring case and the ends' spaces), amount size, account. A payee
 * the rule itself renamed still counts as matched, so running the rules again changes nothing.
 */
export function matches(r: PreparedRules[number], t: Matchable): boolean {
  if (r.accountId !== null && t.accountId !== undefined && r.accountId !== t.accountId) return false;
  const size = Math.abs(t.amountMinor);
  if (r.minAmount !== null && size < r.minAmount) return false;
  if (r.maxAmount !== null && size > r.maxAmount) return false;
  if (r.renamed !== null && t.description.trim().toLowerCase() === r.renamed) return true;
  const hay = (r.field === 'memo' ? (t.memo ?? '') : t.description).trim().toLowerCase();
  return r.op === 'equals' ? hay === r.needle : r.op === 'starts_with' ? hay.startsWith(r.needle) : hay.includes(r.needle);
}

/** The first rule (in order) that matches, or undefined. */
export function firstMatch(rules: PreparedRules, t: Matchable) {
  return rules.find((r) => matches(r, t));
}
