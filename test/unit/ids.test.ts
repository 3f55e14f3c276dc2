import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/lib/ids.js';

describe('time-ordered ids', () => {
  it('are RFC 9562 version-7 UUIDs, unique, and sort in the order they were made, even many in one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId(1_764_000_000_000));
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const later = timeOrderedId(1_764_000_100_000);
    expect(later > ids.at(-1)!).toBe(true);
  });

  it('carry their millisecond in the first 48 bits, big-endian', () => {
    for (const ms of [1_764_000_200_000, 2 ** 41 + 12_345, 2 ** 47 + 2 ** 32 - 1]) {
      const id = timeOrderedId(ms);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
    }
  });
});
