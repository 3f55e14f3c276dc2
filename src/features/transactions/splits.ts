import type { Category } from '../categories/repository.js';
import { parseAmount, type DecimalStyle } from '../../money/money.js';
import type { SplitPart } from './writes.js';

/** Parts one transaction may be split into (each is a pair of form fields). */
export const MAX_SPLITS = 10;

type SplitField = `split${number}Category` | `split${number}Amount`;
export const SPLIT_FIELDS: readonly SplitField[] = Array.from({ length: MAX_SPLITS }, (_, i) => [`split${i}Category`, `split${i}Amount`] as const).flat();

/**
 * The filled-in part rows of the form, as positive amounts in the transaction's currency (the
 * direction comes from the transaction). A row with an amount is a part; its category may be left
 * empty (uncategorized). Problems go to that row's fields.
 */
export function splitRowsOf(typed: Record<string, string>, categories: Category[], currency: string, errors: Partial<Record<string, string>>, style: DecimalStyle = 'dot'): SplitPart[] {
  const parts: SplitPart[] = [];
  for (let i = 0; i < MAX_SPLITS; i++) {
    const amountField = `split${i}Amount`;
    const categoryField = `split${i}Category`;
    const raw = typed[amountField]?.trim() ?? '';
    const categoryId = typed[categoryField] ?? '';
    if (raw === '') {
      if (categoryId !== '' && !errors[amountField]) errors[amountField] = 'Enter this part’s amount, or leave its category empty.';
      continue;
    }
    if (categoryId !== '' && !categories.some((c) => c.id === categoryId)) errors[categoryField] = 'Choose one of your categories.';
    const parsed = parseAmount(raw, currency, style);
    if (!parsed.ok) errors[amountField] = parsed.error;
    else if (parsed.minor <= 0) errors[amountField] = 'Enter an amount above zero, without a sign.';
    else parts.push({ categoryId: categoryId === '' ? null : categoryId, amountMinor: parsed.minor, memo: null });
  }
  return parts;
}
