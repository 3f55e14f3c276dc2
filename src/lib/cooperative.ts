import { setImmediate as nextTurn } from 'node:timers/promises';

/** Told each time a long task gives way (see `onGiveWay`). */
const watchers = new Set<() => void>();

/**
 * Calls `watcher` each time a long task gives way to other requests. The server's request turns
 * (http/request-turns.ts) use it to keep event-loop turns short while such a task runs, so the
 * task gets a slice every request or so instead of once per loop turn of every open connection.
 * Returns the function that stops the calls.
 */
export function onGiveWay(watcher: () => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** Gives way to other requests until the next event-loop turn. */
export function giveWay(): Promise<void> {
  for (const watcher of watchers) watcher();
  return nextTurn();
}

/**
 * Long loops on the one event loop (parsing an import, matching duplicates) call `pause()` often;
 * it gives way to other requests once `sliceMs` of work has gone by, so no request waits behind
 * a big file for more than a slice. Cheap to call on every row.
 */
export function createYielder(sliceMs = 8): { pause(): Promise<void> | undefined; yields: () => number } {
  let start = performance.now();
  let count = 0;
  let calls = 0;
  return {
    pause() {
      // Reading the clock costs more than a row's work: look every 64 calls.
      if ((++calls & 63) !== 0 || performance.now() - start < sliceMs) return undefined;
      count++;
      return giveWay().then(() => {
        start = performance.now();
      });
    },
    yields: () => count,
  };
}
