import { createYielder } from '../../lib/cooperative.js';
import type { ImportedRow } from './types.js';

export interface Existing {
  id: string;
  date: string;
  amountMinor: number;
  importedId: string | null;
  /** Already one side of a transfer (an import's other side cannot be matched to it). */
  linked?: boolean;
}

const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

/**
 * Duplicate detection on re-import (as Actual Budget does): an existing row with the same
 * imported id first; else one in the same account with the same amount within ±7 days, the
 * nearest date first. Each existing row can match only one imported row. Returns the lines that
 * are duplicates.
 *
 * Linear in rows + existing: existing rows are bucketed by (amount, day), and each imported row
 * looks at the 15 days around its own, so 50,000 rows of one amount on one date cost no more
 * than 50,000 different ones. Pauses for other requests as it goes.
 */
export async function findDuplicates(rows: ImportedRow[], existing: Existing[], windowDays = 7): Promise<Set<number>> {
  return new Set((await findMatches(rows, existing, windowDays)).keys());
}

/** As findDuplicates, with the existing row each matched line was matched to. */
export async function findMatches(rows: Array<Pick<ImportedRow, 'line' | 'date' | 'amountMinor' | 'importedId'>>, existing: Existing[], windowDays = 7): Promise<Map<number, string>> {
  const duplicates = new Map<number, string>();
  const used = new Set<string>();
  const y = createYielder();
  const byImportedId = new Map<string, Existing[]>();
  const byDay = new Map<string, Existing[]>();
  for (const e of existing) {
    await y.pause();
    if (e.importedId) push(byImportedId, e.importedId, e);
    push(byDay, `${e.amountMinor}|${dayNumber(e.date)}`, e);
  }
  const take = (list: Existing[] | undefined): Existing | undefined => {
    while (list && list.length > 0) {
      const e = list.pop()!;
      if (!used.has(e.id)) return e;
    }
    return undefined;
  };

  const rest: typeof rows = [];
  for (const r of rows) {
    await y.pause();
    const exact = take(byImportedId.get(r.importedId));
    if (exact) {
      used.add(exact.id);
      duplicates.set(r.line, exact.id);
    } else rest.push(r);
  }
  for (const r of rest) {
    await y.pause();
    const day = dayNumber(r.date);
    for (let d = 0; d <= windowDays; d++) {
      const match = take(byDay.get(`${r.amountMinor}|${day - d}`)) ?? (d > 0 ? take(byDay.get(`${r.amountMinor}|${day + d}`)) : undefined);
      if (match) {
        used.add(match.id);
        duplicates.set(r.line, match.id);
        break;
      }
    }
  }
  return duplicates;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
