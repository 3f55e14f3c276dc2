import { describe, expect, it } from 'vitest';
import { createYielder, giveWay, onGiveWay } from '../../src/lib/cooperative.js';

describe('long tasks giving way', () => {
  it('tells every watcher each time a task gives way, until the watcher stops watching', async () => {
    let told = 0;
    const stop = onGiveWay(() => told++);
    await giveWay();
    await giveWay();
    expect(told).toBe(2);
    stop();
    await giveWay();
    expect(told).toBe(2);
  });

  it('gives way only once a slice of work has gone by, telling the watchers each time', async () => {
    let told = 0;
    const stop = onGiveWay(() => told++);
    try {
      const y = createYielder(5);
      const until = performance.now() + 30;
      let paused = 0;
      while (performance.now() < until) {
        const p = y.pause();
        if (p) {
          paused++;
          await p;
        }
      }
      expect(paused).toBe(y.yields());
      expect(paused).toBeGreaterThanOrEqual(3);
      expect(paused).toBeLessThanOrEqual(6);
      expect(told).toBe(paused);
    } finally {
      stop();
    }
  });
});
