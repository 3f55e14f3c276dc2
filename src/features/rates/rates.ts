import { minorDigits } from '../../money/money.js';

/** Rates are kept as integers: the rate times 10^8 (eight decimal places, like most published rates). */
export const RATE_SCALE = 100_000_000n;
/** The largest rate taken (one unit worth a million of the base), so a product stays far inside 64 bits. */
const MAX_RATE_E8 = 1_000_000n * RATE_SCALE;

/** A rate as typed ("0.9134", "1,0825" is refused: dot only, up to 8 decimals, above zero). */
export function parseRate(raw: string): { ok: true; rateE8: number } | { ok: false; error: string } {
  const text = raw.trim();
  const m = /^(\d{1,7})(?:\.(\d{1,8}))?$/.exec(text);
  if (!m) return { ok: false, error: `"${text.slice(0, 20)}" is not a rate: write it with a dot and up to 8 decimals, such as 0.9134.` };
  const e8 = BigInt(m[1]!) * RATE_SCALE + BigInt((m[2] ?? '').padEnd(8, '0'));
  if (e8 <= 0n) return { ok: false, error: 'A rate must be above zero.' };
  if (e8 > MAX_RATE_E8) return { ok: false, error: 'A rate can be at most 1,000,000.' };
  return { ok: true, rateE8: Number(e8) };
}

/** A stored rate as text, without trailing zeros ("0.9134"). */
export function rateText(rateE8: number): string {
  const whole = BigInt(rateE8) / RATE_SCALE;
  const frac = (BigInt(rateE8) % RATE_SCALE).toString().padStart(8, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * An amount in `from`'s minor units converted to `to`'s at a rate (one unit of `from` is
 * rate_e8 / 10^8 units of `to`), exactly, in integers, rounded half away from zero to `to`'s minor unit.
 */
export function convertMinor(amountMinor: number, from: string, to: string, rateE8: number): number {
  const shift = minorDigits(to) - minorDigits(from);
  let num = BigInt(amountMinor) * BigInt(rateE8);
  let den = RATE_SCALE;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const sign = num < 0n ? -1n : 1n;
  const abs = num < 0n ? -num : num;
  const rounded = (abs * 2n + den) / (2n * den);
  return Number(sign * rounded) + 0;
}

/** One currency's rates, oldest first. */
export type RateSeries = Array<{ date: string; rateE8: number }>;

/** The rate in force on `date`: the latest one dated on or before it (binary search), or undefined. */
export function rateOn(series: RateSeries | undefined, date: string): number | undefined {
  if (!series || series.length === 0 || series[0]!.date > date) return undefined;
  let lo = 0;
  let hi = series.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (series[mid]!.date <= date) lo = mid;
    else hi = mid - 1;
  }
  return series[lo]!.rateE8;
}
