import { SCOPE_PATTERN } from '@ponte/core';
import { KEY_ID_PATTERN, newKey } from './key-format.js';
import { hashKey } from './key-hash.js';
import type { KeyEntry } from './key-entries.js';

/** A new key and the entry that admits it: `key` is shown once and stored nowhere, `hash` goes in config. */
export interface CreatedKey extends KeyEntry {
  key: string;
}

const SCOPE = new RegExp(SCOPE_PATTERN);

/**
 * Makes a random key for `id` with `scopes`, and its scrypt hash. Throws a
 * RangeError naming the field when the id or a scope breaks its rule.
 *
 * @example
 * ```ts
 * const { key, hash } = await createKey({ id: 'billing', scopes: ['infer:purchase'] });
 * ```
 */
export async function createKey(input: { id: string; scopes: readonly string[] }): Promise<CreatedKey> {
  if (!new RegExp(KEY_ID_PATTERN).test(input.id)) throw new RangeError(`id: must be 1 to 64 letters, digits, _ or -, starting with a letter or digit (got ${JSON.stringify(input.id)})`);
  if (input.scopes.length === 0) throw new RangeError('scopes: at least one scope, <action>:<model>');
  input.scopes.forEach((s, i) => {
    if (!SCOPE.test(s)) throw new RangeError(`scopes[${i}]: ${JSON.stringify(s)} must be <action>:<model>, action one of *, infer, explain, feedback, read, monitor, admin, model a name or *`);
  });
  const key = newKey(input.id);
  return { id: input.id, key, hash: await hashKey(key), scopes: [...input.scopes] };
}
