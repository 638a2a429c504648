import { PonteError } from '@ponte/core';

/**
 * The position after the last item of a page, as an opaque string: the
 * base64url of `[time, id]`, the key the log is read by. Keyset pagination:
 * a page costs the same however deep it is, and records appended meanwhile
 * are not repeated.
 *
 * @example
 * ```ts
 * encodeCursor(1767960000000, '0193a5d2-…'); // 'WzE3Njc5NjAwMDAwMDAsIjAxOTNhNWQyLeKApiJd'
 * ```
 */
export function encodeCursor(time: number, id: string): string {
  return Buffer.from(JSON.stringify([time, id]), 'utf8').toString('base64url');
}

/** The `[time, id]` a cursor holds; a string this store did not make is a bad request. */
export function decodeCursor(cursor: string): { readonly time: number; readonly id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && Number.isFinite(value[0]) && typeof value[1] === 'string') {
    return { time: value[0], id: value[1] };
  }
  throw new PonteError('PONTE_BAD_REQUEST', 'cursor: not a cursor returned by this prediction log');
}
