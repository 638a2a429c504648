import { randomFillSync } from 'node:crypto';

const pool = new Uint8Array(4096);
let offset = pool.length;
let lastMs = -1;
let sequence = 0;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_LOW: string[] = Array.from({ length: 16 }, (_, i) => i.toString(16));
let prefixMs = -1;
let prefix = '';

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter
 * that keeps ids made in the same millisecond in order in this process, then
 * 62 random bits, so ids sort by time and do not collide across processes
 * and replicas. Random bytes come from a pooled `randomFillSync`.
 *
 * @example
 * ```ts
 * uuidV7(); // '0193a5d2-3c4b-7000-8f3e-…'
 * ```
 */
export function uuidV7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else {
    // Same millisecond (or a clock step back): keep order with the counter, borrowing the next millisecond when it runs out.
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
  }
  if (offset + 8 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  // The first 13 characters change once a millisecond: built then, reused for the ids of that millisecond.
  if (lastMs !== prefixMs) {
    prefixMs = lastMs;
    const hex = lastMs.toString(16).padStart(12, '0');
    prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
  }
  const p = pool;
  const o = offset;
  offset += 8;
  return `${prefix}${HEX_LOW[sequence >>> 8]!}${HEX[sequence & 0xff]!}-${HEX[0x80 | (p[o]! & 0x3f)]!}${HEX[p[o + 1]!]!}-${HEX[p[o + 2]!]!}${HEX[p[o + 3]!]!}${HEX[p[o + 4]!]!}${HEX[p[o + 5]!]!}${HEX[p[o + 6]!]!}${HEX[p[o + 7]!]!}`;
}
