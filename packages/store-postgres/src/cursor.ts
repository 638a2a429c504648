import { PonteError } from '@ponte/core';
import { isUuid } from './is-uuid.js';

/** Where a page ended: the (time, id) of its last prediction, the key the log is ordered by. */
export interface CursorPosition {
  readonly time: number;
  readonly id: string;
}

/**
 * Encodes a page's end as the opaque cursor callers pass back: base64url of
 * `[time, id]`. Keyset, not offset: a page costs the same however deep it is,
 * and appends or prunes between pages neither repeat nor skip a prediction.
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor({ time: 1768046400000, id })); // { time: 1768046400000, id }
 * ```
 */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.time, position.id])).toString('base64url');
}

/** The position a cursor holds; a cursor this store did not make is the caller's mistake (PONTE_BAD_REQUEST). */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'number' || !Number.isFinite(parsed[0]) || typeof parsed[1] !== 'string' || !isUuid(parsed[1])) {
    throw new PonteError('PONTE_BAD_REQUEST', 'cursor is not one this prediction log returned');
  }
  return { time: parsed[0], id: parsed[1] };
}

