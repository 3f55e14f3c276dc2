/** Freezes a value and everything it holds, in place: for data shared between requests (kept figures, decoded claims). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Where kept data carries its markup (see `keepable`): a symbol, so never a template's variable or a stored field. */
export const KEPT_MARKUP = Symbol('kept markup');

/**
 * `data`, deeply frozen, with a place for the markup that kept partials draw from it
 * (http/fixed-partials.ts): for what a cache hands out to many requests (the dashboard's figures,
 * the fixed partials' data, the site navigation's). The markup lives as long as the data does, and
 * no longer. It was kept in a WeakMap keyed by the data; V8's scavenger keeps a WeakMap entry's
 * value alive until the next full collection whatever becomes of its key, so each dashboard
 * recomputed after a change (its 64 KB of markup with it) outlived the young generation and went
 * to old space as garbage.
 */
export function keepable<T extends object>(data: T): T {
  Object.defineProperty(data, KEPT_MARKUP, { value: new Map<string, string>(), enumerable: false });
  return deepFreeze(data);
}
