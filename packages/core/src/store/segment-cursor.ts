import { PonteError } from '../errors.js';

/** Most segments one `readSegments` call returns (up to 102,400 records). */
export const MAX_SEGMENT_BATCH = 100;

/** Where a `readSegments` batch ended: its last segment's oldest time and the store's sequence number of it (the order stores list segments in). */
export interface SegmentPosition {
  readonly minTime: number;
  readonly seq: number;
}

/**
 * The opaque cursor of a segment batch: base64url of `["s", minTime, seq]`,
 * keyset, so a batch costs the same however far into the log it is. Shared
 * by the stores so a cursor means the same in each.
 *
 * @example
 * ```ts
 * decodeSegmentCursor(encodeSegmentCursor({ minTime: 1768046400000, seq: 42 })); // { minTime: 1768046400000, seq: 42 }
 * ```
 */
export function encodeSegmentCursor(p: SegmentPosition): string {
  return Buffer.from(JSON.stringify(['s', p.minTime, p.seq])).toString('base64url');
}

/** The position a segment cursor holds; one the store did not make is the caller's mistake (PONTE_BAD_REQUEST). */
export function decodeSegmentCursor(cursor: string): SegmentPosition {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 3 || v[0] !== 's' || !Number.isFinite(v[1]) || !Number.isSafeInteger(v[2])) {
    throw new PonteError('PONTE_BAD_REQUEST', 'cursor: not a segment cursor returned by this prediction log');
  }
  return { minTime: v[1] as number, seq: v[2] as number };
}

/** A `readSegments` limit as a store applies it: a whole number from 1 to MAX_SEGMENT_BATCH; anything else is PONTE_BAD_REQUEST. */
export function segmentBatchLimit(limit: number): number {
  if (typeof limit !== 'number' || !(limit >= 1)) throw new PonteError('PONTE_BAD_REQUEST', 'limit: must be a number >= 1');
  return Math.min(Math.floor(limit), MAX_SEGMENT_BATCH);
}
