const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `id` is a UUID in its canonical text form. Checked before an id
 * reaches SQL: PostgreSQL refuses a malformed `uuid` with an error that would
 * fail a whole statement, where a lookup should simply find nothing.
 *
 * @example
 * ```ts
 * isUuid('0193a5d2-3c4b-7000-8f3e-0123456789ab'); // true
 * ```
 */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
