import { randomFillSync } from 'node:crypto';

const pool = new Uint8Array(4096);
let offset = pool.length;
let lastMs = -1;
let sequence = 0;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

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
  const ms = lastMs;
  const b = new Uint8Array(16);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  b[7] = sequence & 0xff;
  b.set(pool.subarray(offset, offset + 8), 8);
  offset += 8;
  b[8] = 0x80 | (b[8]! & 0x3f);
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i]!];
  }
  return s;
}
