import { randomBytes } from 'node:crypto';

/**
 * A key is `pnt_<id>_<secret>`: the prefix tells this plugin's keys from other
 * bearer tokens (a JWT starts `eyJ`), the id finds the one entry to hash
 * against, and the secret is 32 random bytes as 43 base64url characters.
 */
export const KEY_PREFIX = 'pnt_';

/** What a key id may be: it is part of the key and the principal id seen in logs. */
export const KEY_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';

const SECRET_BYTES = 32;
const SECRET_CHARS = 43;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const ID = new RegExp(KEY_ID_PATTERN);

/** Whether a bearer token is meant for this plugin (it may still be malformed or wrong). */
export function looksLikeKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}

/**
 * The id inside a presented key, or undefined when the key is not of our shape.
 *
 * @example
 * ```ts
 * keyIdOf('pnt_billing_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG'); // 'billing'
 * ```
 */
export function keyIdOf(key: string): string | undefined {
  const secretStart = key.length - SECRET_CHARS;
  if (!key.startsWith(KEY_PREFIX) || secretStart <= KEY_PREFIX.length + 1 || key.charCodeAt(secretStart - 1) !== 0x5f /* _ */) return undefined;
  const id = key.slice(KEY_PREFIX.length, secretStart - 1);
  return ID.test(id) && SECRET.test(key.slice(secretStart)) ? id : undefined;
}

/** A new random key for `id` (which must match `KEY_ID_PATTERN`). */
export function newKey(id: string): string {
  if (!ID.test(id)) throw new RangeError(`id: must match ${KEY_ID_PATTERN} (letters, digits, _ and -, at most 64)`);
  return `${KEY_PREFIX}${id}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}
