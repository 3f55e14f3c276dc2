import { describe, expect, it } from 'vitest';
import { ForgetfulMap } from '../../src/lib/forgetful-map.js';

describe('ForgetfulMap', () => {
  it('never holds more than its bound: a new key past it forgets everything first', () => {
    const m = new ForgetfulMap<number, string>(3);
    for (let i = 0; i < 3; i++) m.set(i, String(i));
    expect(m.size).toBe(3);
    m.set(3, '3');
    expect([...m.entries()]).toEqual([[3, '3']]);
    for (let i = 0; i < 100; i++) {
      m.set(i, String(i));
      expect(m.size).toBeLessThanOrEqual(3);
    }
  });

  it('overwrites a key it already holds without forgetting the others', () => {
    const m = new ForgetfulMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3);
    expect([...m.entries()]).toEqual([['a', 3], ['b', 2]]);
  });
});
