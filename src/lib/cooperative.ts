import { setImmediate as nextTurn } from 'node:timers/promises';

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
      return nextTurn().then(() => {
        start = performance.now();
      });
    },
    yields: () => count,
  };
}
