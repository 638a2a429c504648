import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The stored form of a key: `scrypt$<N>$<r>$<p>$<salt>$<hash>`, salt and hash
 * unpadded base64url, the hash being scrypt(key as UTF-8, salt, N, r, p).
 * A format of its own (not PHC) so that it needs no parser beyond `split('$')`.
 */
export const HASH_PATTERN = '^scrypt\\$[0-9]{1,8}\\$[0-9]{1,3}\\$[0-9]{1,3}\\$[A-Za-z0-9_-]{16,128}\\$[A-Za-z0-9_-]{22,128}$';

/** Cost parameters new hashes get: ~16 MiB and a few tens of milliseconds per hash, once per key thanks to the cache. */
export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
// Beyond these a stored hash could make every verification cost seconds or gigabytes.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

export interface KeyHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/**
 * Reads a stored hash; throws a RangeError saying which rule it breaks.
 *
 * @example
 * ```ts
 * parseKeyHash('scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$…').N; // 16384
 * ```
 */
export function parseKeyHash(text: string): KeyHash {
  if (!new RegExp(HASH_PATTERN).test(text)) throw new RangeError('must be scrypt$N$r$p$<salt base64url>$<hash base64url> (from `ponte key create`)');
  const [, n, r, p, salt, hash] = text.split('$') as [string, string, string, string, string, string];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (params.N < 2 || params.N > MAX_N || (params.N & (params.N - 1)) !== 0) throw new RangeError(`scrypt N must be a power of 2 between 2 and ${MAX_N}`);
  if (params.r < 1 || params.r > MAX_R) throw new RangeError(`scrypt r must be between 1 and ${MAX_R}`);
  if (params.p < 1 || params.p > MAX_P) throw new RangeError(`scrypt p must be between 1 and ${MAX_P}`);
  return { ...params, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

function derive(key: string, salt: Buffer, length: number, o: { N: number; r: number; p: number }): Promise<Buffer> {
  // Node refuses scrypt above maxmem (32 MiB by default): allow what the parameters need.
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(key, salt, length, options, (err, out) => (err ? reject(err) : resolve(out))));
}

/**
 * Hashes a key for storage, with a fresh random salt.
 *
 * @example
 * ```ts
 * const stored = await hashKey('pnt_billing_…'); // 'scrypt$16384$8$1$…$…'
 * ```
 */
export async function hashKey(key: string, params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(key, salt, HASH_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Whether `key` hashes to `stored`, compared in constant time.
 *
 * @example
 * ```ts
 * await verifyKeyHash(key, parseKeyHash(entry.hash)); // true or false
 * ```
 */
export async function verifyKeyHash(key: string, stored: KeyHash): Promise<boolean> {
  const derived = await derive(key, stored.salt, stored.hash.length, stored);
  return timingSafeEqual(derived, stored.hash);
}
