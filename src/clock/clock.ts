/**
 * The app's idea of "now". Every rule that depends on the date (which month is current, how many
 * days are left, what a new row's created_at is) asks a Clock, never `new Date()`, so tests can
 * run any day of the year, and the 1st of a month or the 29th of February, on purpose.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant; `set` moves it (tests walk it across awkward dates). */
export function fixedClock(at: string | Date): Clock & { set(at: string | Date): void } {
  let current = new Date(at);
  if (Number.isNaN(current.getTime())) throw new Error(`not a date: ${String(at)}`);
  return {
    now: () => new Date(current.getTime()),
    set(next) {
      current = new Date(next);
    },
  };
}

/** Today's calendar date (YYYY-MM-DD, UTC) by this clock. */
export function todayOf(clock: Clock): string {
  return clock.now().toISOString().slice(0, 10);
}
