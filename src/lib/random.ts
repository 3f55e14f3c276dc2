import crypto from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one call to the CSPRNG per 256 ids or nonces instead of one each.
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `size` bytes from the CSPRNG, cut from a pool; every byte is handed out once. The
 * result is a view of the pool that belongs to the caller alone, so changing it changes nothing else.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (offset + size > pool.length) {
    pool = crypto.randomBytes(Math.max(4096, size));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}
