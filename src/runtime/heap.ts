/**
 * How far the JavaScript heap may grow between full garbage collections. Under load a process's
 * old space is mostly garbage between collections (requests' objects that outlived a scavenge),
 * and V8 lets it reach about four times what the last full collection kept before collecting
 * again: a process with a 40-60 MB live heap peaked at 240-260 MB serving `/profile`. A growing
 * factor of 2 (100%) held it at 180 MB for the same CPU time a request. Since requests no longer
 * wait parsed for a turn (http/request-turns.ts), a tenth as much reaches the old space, and a
 * factor of 1.5 (50%, the default) takes 15-20 MB more off for no measurable CPU (see the README).
 *
 * V8 reads the factor at each full collection, so it can be set once the process runs; it is not
 * a cap: a process that needs a larger heap (a large import) still gets one.
 */
import v8 from 'node:v8';

/** 0 leaves V8's own choice. Called once, by server.ts, before the app allocates. */
export function limitHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growing percent must be a whole number from 0: ${percent}`);
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
