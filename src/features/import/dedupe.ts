import { daysBetween } from '../money/dates.js';
import type { ImportedRow } from './types.js';

export interface Existing {
  id: string;
  date: string;
  amountMinor: number;
  importedId: string | null;
}

/**
 * Duplicate detection on re-import (as Actual Budget does): an existing row with the same
 * imported id first; else one in the same account with the same amount within ±7 days. Each
 * existing row can match only one imported row. Returns the lines that are duplicates.
 */
export function findDuplicates(rows: ImportedRow[], existing: Existing[], windowDays = 7): Set<number> {
  const duplicates = new Set<number>();
  const used = new Set<string>();
  const byImportedId = new Map(existing.filter((e) => e.importedId).map((e) => [e.importedId!, e]));
  const byAmount = new Map<number, Existing[]>();
  for (const e of existing) byAmount.set(e.amountMinor, [...(byAmount.get(e.amountMinor) ?? []), e]);

  const rest: ImportedRow[] = [];
  for (const r of rows) {
    const exact = byImportedId.get(r.importedId);
    if (exact && !used.has(exact.id)) {
      used.add(exact.id);
      duplicates.add(r.line);
    } else rest.push(r);
  }
  for (const r of rest) {
    const candidates = (byAmount.get(r.amountMinor) ?? [])
      .filter((e) => !used.has(e.id) && Math.abs(daysBetween(e.date, r.date)) <= windowDays)
      .sort((a, b) => Math.abs(daysBetween(a.date, r.date)) - Math.abs(daysBetween(b.date, r.date)));
    if (candidates[0]) {
      used.add(candidates[0].id);
      duplicates.add(r.line);
    }
  }
  return duplicates;
}
