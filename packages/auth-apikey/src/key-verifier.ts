import { createHash } from 'node:crypto';
import { PonteError, type Principal } from '@ponte/core';
import { BoundedCache } from './bounded-cache.js';
import { keyIdOf } from './key-format.js';
import { verifyKeyHash } from './key-hash.js';
import type { LoadedKey } from './key-entries.js';

export interface KeyVerifierLimits {
  /** Most keys remembered as verified, and most remembered as refused. */
  cacheSize: number;
  /** How long a refused key is answered from memory without hashing. */
  refusedTtlMs: number;
  /** Most scrypt computations at once (each takes a libuv thread and ~16 MiB). */
  maxConcurrentHashes: number;
  /** Most verifications waiting for one of those; beyond, a key not yet verified is refused. */
  maxWaiting: number;
}

export const DEFAULT_LIMITS: KeyVerifierLimits = { cacheSize: 10_000, refusedTtlMs: 60_000, maxConcurrentHashes: 2, maxWaiting: 256 };

interface Candidate {
  readonly key: LoadedKey;
  readonly principal: Principal;
}

/**
 * The one answer to any bad key: it says nothing about the key nor which part was wrong.
 * A 401 must carry a challenge (RFC 9110 §11.6.1), as core's "credentials required" does.
 */
export function invalidKey(): PonteError {
  return new PonteError('PONTE_UNAUTHENTICATED', 'invalid API key', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
}

/**
 * Checks presented keys against the current key set. scrypt costs more than a
 * small model's inference, so each distinct key is hashed once: a verified key
 * is remembered (by its SHA-256, never the key) until the key set changes, a
 * refused one for `refusedTtlMs`, both in bounded LRU caches; concurrent
 * requests with one key share one computation; and scrypt runs at most
 * `maxConcurrentHashes` at a time, so a flood of made-up keys for a known id
 * costs bounded CPU. A key whose id is unknown is refused without hashing.
 */
export class KeyVerifier {
  private byId = new Map<string, Candidate[]>();
  /** Bumped on every key set change; a verification that straddles one is redone. */
  private generation = 0;
  /**
   * Keys verified since the key set last changed, by the key as presented:
   * a hit costs one Map lookup and no hashing, so a verified key is as cheap
   * as no auth. Only keys that passed scrypt get here, so it holds at most
   * one entry per configured key (bounded anyway).
   */
  private readonly accepted: BoundedCache<string, Principal>;
  private readonly refused: BoundedCache<string, number>;
  private readonly inflight = new Map<string, Promise<Principal | null>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** `hashMatches` is scrypt's check; tests pass one that counts its calls. */
  constructor(
    private readonly limits: KeyVerifierLimits = DEFAULT_LIMITS,
    private readonly hashMatches: (key: string, stored: LoadedKey['hash']) => Promise<boolean> = verifyKeyHash,
  ) {
    this.accepted = new BoundedCache(limits.cacheSize);
    this.refused = new BoundedCache(limits.cacheSize);
  }

  /** Replaces the key set; what was remembered about keys is forgotten, so a revoked key fails on its next request. */
  setKeys(keys: readonly LoadedKey[]): void {
    const byId = new Map<string, Candidate[]>();
    for (const key of keys) {
      const principal: Principal = Object.freeze({ id: key.id, scheme: 'apikey', scopes: key.scopes });
      const list = byId.get(key.id);
      if (list === undefined) byId.set(key.id, [{ key, principal }]);
      else list.push({ key, principal });
    }
    this.byId = byId;
    this.generation++;
    this.accepted.clear();
    this.refused.clear();
    this.inflight.clear();
  }

  /** How many key entries are loaded. */
  get size(): number {
    let n = 0;
    for (const list of this.byId.values()) n += list.length;
    return n;
  }

  /** The principal of a presented key; throws `PONTE_UNAUTHENTICATED` "invalid API key" otherwise. */
  verify(presented: string): Principal | Promise<Principal> {
    return this.accepted.peek(presented) ?? this.verifyUncached(presented);
  }

  private async verifyUncached(presented: string): Promise<Principal> {
    const id = keyIdOf(presented);
    if (id === undefined || !this.byId.has(id)) throw invalidKey();
    const digest = createHash('sha256').update(presented).digest('base64');
    const until = this.refused.get(digest);
    if (until !== undefined) {
      if (until > Date.now()) throw invalidKey();
      this.refused.delete(digest);
    }
    let pending = this.inflight.get(digest);
    if (pending === undefined) {
      const p = this.check(presented, id, digest);
      pending = p;
      this.inflight.set(digest, p);
      void p.then(() => { if (this.inflight.get(digest) === p) this.inflight.delete(digest); });
    }
    const principal = await pending;
    if (principal === null) throw invalidKey();
    return principal;
  }

  /** Hashes against the id's entries; never rejects. */
  private async check(presented: string, id: string, digest: string): Promise<Principal | null> {
    // Redone when the key set changed meanwhile, so a key revoked during its check is not accepted.
    for (let attempt = 0; attempt < 3; attempt++) {
      const generation = this.generation;
      const candidates = this.byId.get(id) ?? [];
      if (candidates.length === 0) return null;
      if (!(await this.acquire())) return null;
      let found: Candidate | undefined;
      try {
        for (const c of candidates) {
          if (await this.hashMatches(presented, c.key.hash)) { found = c; break; }
        }
      } catch {
        found = undefined;
      } finally {
        this.release();
      }
      if (generation !== this.generation) continue;
      if (found !== undefined) {
        this.accepted.set(presented, found.principal);
        return found.principal;
      }
      this.refused.set(digest, Date.now() + this.limits.refusedTtlMs);
      return null;
    }
    return null;
  }

  private acquire(): Promise<boolean> {
    if (this.running < this.limits.maxConcurrentHashes) {
      this.running++;
      return Promise.resolve(true);
    }
    if (this.waiting.length >= this.limits.maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => this.waiting.push(() => { this.running++; resolve(true); }));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
