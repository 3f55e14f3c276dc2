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

/**
 * A clock that starts at `at` and then runs at real speed; `set` jumps it. Tests use it: the date
 * is theirs to choose, while events still come one after another in time.
 */
export function runningClock(at: string | Date): Clock & { set(at: string | Date): void } {
  let offset = 0;
  const set = (next: string | Date) => {
    const t = new Date(next).getTime();
    if (Number.isNaN(t)) throw new Error(`not a date: ${String(next)}`);
    offset = t - Date.now();
  };
  set(at);
  return { now: () => new Date(Date.now() + offset), set };
}

/** Today's calendar date (YYYY-MM-DD, UTC) by this clock. */
export function todayOf(clock: Clock): string {
  return clock.now().toISOString().slice(0, 10);
}
