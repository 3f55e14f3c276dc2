/**
 * Helpers every view may call, the kept partials included (they are rendered outside Express, so
 * they get these from `keptPartials`): one rule for how a figure is written, in one place.
 */

/** A share (0.25) as a whole percent ("25%"), or an em dash where there is none (no budget, no income). */
export function percent(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

export const viewHelpers = Object.freeze({ percent });
