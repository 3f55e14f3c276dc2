import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { limitHeapGrowth } from '../../src/runtime/heap.js';
import { launchFlags, packageScripts } from '../helpers/processes.js';

const run = promisify(execFile);

/** The largest heap a churning process reached (test/fixtures/heap-churn.ts), in MB. */
async function peakHeapMb(percent: number): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/heap-churn.ts'], {
    env: { PATH: process.env.PATH ?? '', PERCENT: String(percent), LIVE: '300000', ALLOCATIONS: '3000000' },
  });
  return Number(stdout.trim());
}

describe('limiting the heap growth between full collections', () => {
  it('keeps a churning process well below the heap V8 lets it reach on its own (the flag still works on this Node)', async () => {
    const [own, limited] = await Promise.all([peakHeapMb(0), peakHeapMb(100)]);
    // About 220 MB against 127 MB here; a Node whose V8 ignored the flag set at run time would fail.
    expect(limited).toBeLessThan(own * 0.75);
  }, 60_000);

  it('refuses a percentage that is not a whole number from 0', () => {
    expect(() => limitHeapGrowth(-1)).toThrow(RangeError);
    expect(() => limitHeapGrowth(1.5)).toThrow(RangeError);
  });
});

/** The new space a process allocating short-lived objects grew to under these Node flags, in MB. */
async function newSpaceMb(flags: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [...flags, '--import', 'tsx', 'test/fixtures/young-churn.ts'], { env: { PATH: process.env.PATH ?? '', ALLOCATIONS: '3000000' } });
  return Number(stdout.trim());
}

describe('the young generation the app is launched with', () => {
  it('is limited by the flags of npm start and npm run start:prod, which V8 reads only at launch', async () => {
    expect(launchFlags()).toContain('--max-semi-space-size=8');
    for (const flag of launchFlags()) expect(packageScripts().start).toContain(flag);
    const [own, launched] = await Promise.all([newSpaceMb([]), newSpaceMb(launchFlags())]);
    // 32 MB on V8's own (two 16 MB semi-spaces) against 16 MB.
    expect(launched).toBeLessThanOrEqual(16);
    expect(own).toBeGreaterThan(launched);
  }, 60_000);
});

/** How many threads a process started with these Node flags runs once it is up (Linux's /proc). */
async function threadCount(flags: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [...flags, '-e', "setTimeout(() => console.log(require('node:fs').readdirSync('/proc/self/task').length), 200)"], { env: { PATH: process.env.PATH ?? '' } });
  return Number(stdout.trim());
}

describe("V8's helper threads the app is launched with", () => {
  it('are two, not four, with the flags of npm start and npm run start:prod (each thread that allocates keeps a malloc arena of its own)', async () => {
    expect(launchFlags()).toContain('--v8-pool-size=2');
    const [own, launched] = await Promise.all([threadCount([]), threadCount(launchFlags())]);
    expect(own - launched).toBe(2);
  }, 30_000);
});
