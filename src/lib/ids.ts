import crypto from 'node:crypto';
import { pooledRandomBytes } from './random.js';

let lastMs = 0;
let counter = 0;

/**
 * A UUID version 7 (RFC 9562): 48 bits of milliseconds, then a counter and random bits. Ids made
 * one after another sort one after another, so a bulk insert appends to the end of the primary
 * key's B-tree instead of touching a random page per row. Still 74 random bits: not guessable.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = crypto.randomInt(0, 0x800);
  } else if (++counter > 0xfff) {
    // More than 2,048 ids in one millisecond: borrow the next millisecond, keeping the order.
    lastMs++;
    counter = 0;
  }
  const bytes = pooledRandomBytes(16);
  // 48 bits of milliseconds, big-endian: exact in a double (BigInt shifts cost most of an id).
  const high = Math.floor(lastMs / 0x1_0000_0000);
  bytes.writeUInt16BE(high, 0);
  bytes.writeUInt32BE(lastMs - high * 0x1_0000_0000, 2);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
