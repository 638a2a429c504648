import { SCOPE_PATTERN } from '@ponte/core';
import { KEY_ID_PATTERN } from './key-format.js';
import { HASH_PATTERN, parseKeyHash, type KeyHash } from './key-hash.js';

/** One key as written in `options.keys` or in the keys file: never the key itself, only its hash. */
export interface KeyEntry {
  /** The principal id, also the middle of the key (`pnt_<id>_…`). */
  id: string;
  /** `scrypt$N$r$p$<salt>$<hash>`, as `ponte key create` prints it. */
  hash: string;
  /** `<action>:<model>` scopes, `*` allowed for either part. */
  scopes: string[];
}

/** A key entry ready to verify against: its hash parsed once. */
export interface LoadedKey {
  readonly id: string;
  readonly scopes: readonly string[];
  readonly hash: KeyHash;
}

/** JSON Schema of one entry (config `options.keys[i]`). */
export const KEY_ENTRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'hash', 'scopes'],
  properties: {
    id: { type: 'string', pattern: KEY_ID_PATTERN },
    hash: { type: 'string', pattern: HASH_PATTERN },
    scopes: { type: 'array', items: { type: 'string', pattern: SCOPE_PATTERN } },
  },
} as const;

const ID = new RegExp(KEY_ID_PATTERN);
const SCOPE = new RegExp(SCOPE_PATTERN);
const FIELDS = new Set(['id', 'hash', 'scopes']);

/**
 * Checks a list of entries read from somewhere (the keys file, or config
 * already checked by the schema) and parses their hashes. Every broken rule
 * is reported as `path: rule`; the hash's value is never echoed.
 *
 * @example
 * ```ts
 * const { keys, errors } = loadKeyEntries(parsedYaml, 'keys.yaml');
 * ```
 */
export function loadKeyEntries(value: unknown, path: string): { keys: LoadedKey[]; errors: string[] } {
  const keys: LoadedKey[] = [];
  const errors: string[] = [];
  if (!Array.isArray(value)) return { keys, errors: [`${path}: must be a list of { id, hash, scopes }`] };
  value.forEach((item: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push(`${at}: must be an object { id, hash, scopes }`);
      return;
    }
    const e = item as Record<string, unknown>;
    const before = errors.length;
    for (const k of Object.keys(e)) if (!FIELDS.has(k)) errors.push(`${at}.${k}: unknown key`);
    if (typeof e['id'] !== 'string' || !ID.test(e['id'])) errors.push(`${at}.id: must match ${KEY_ID_PATTERN}`);
    let hash: KeyHash | undefined;
    if (typeof e['hash'] !== 'string') errors.push(`${at}.hash: is required (a string)`);
    else {
      try { hash = parseKeyHash(e['hash']); } catch (err) { errors.push(`${at}.hash: ${(err as Error).message}`); }
    }
    if (!Array.isArray(e['scopes'])) errors.push(`${at}.scopes: must be a list of <action>:<model> scopes`);
    else {
      (e['scopes'] as unknown[]).forEach((s, j) => {
        if (typeof s !== 'string' || !SCOPE.test(s)) errors.push(`${at}.scopes[${j}]: must be <action>:<model> (action one of *, infer, explain, feedback, read, monitor, admin; model a name or *)`);
      });
    }
    if (errors.length === before && hash !== undefined) keys.push(Object.freeze({ id: e['id'] as string, scopes: Object.freeze([...(e['scopes'] as string[])]), hash }));
  });
  return { keys, errors };
}
