import { createLocalJWKSet, createRemoteJWKSet, errors, jwksCache, type ExportedJWKSCache, type FlattenedJWSInput, type JWKSCacheInput, type JWSHeaderParameters, type RemoteJWKSet } from 'jose';

/** Thrown when no keys can be had: the caller gets 401 "invalid token", the server log says why. */
export class KeysUnavailable extends Error {
  constructor() {
    super('verification keys are unavailable');
    this.name = 'KeysUnavailable';
  }
}

export interface RemoteKeysSettings {
  cacheMaxAgeMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

type LocalKeys = ReturnType<typeof createLocalJWKSet>;
/** A public key as jose returns it. */
export type VerifyKey = Awaited<ReturnType<RemoteJWKSet>>;

/**
 * An identity provider's public keys, fetched from its JWKS URL (found by
 * `locate`, which may run OIDC discovery). jose's remote set caches them for
 * `cacheMaxAgeMs` and refetches on an unknown `kid` at most once per
 * `cooldownMs`; this adds what it leaves out for a server: a fetch that fails
 * is not retried before the cooldown (a down provider is not hammered at the
 * request rate), and meanwhile the keys last fetched keep verifying tokens.
 */
export class RemoteKeys {
  private remote: Promise<RemoteJWKSet> | undefined;
  private failedAt = Number.NEGATIVE_INFINITY;
  private readonly cache: JWKSCacheInput = {};
  private stale: { uat: number; keys: LocalKeys } | undefined;

  constructor(
    private readonly locate: () => Promise<URL>,
    private readonly settings: RemoteKeysSettings,
    private readonly onFailure: (err: unknown, servingStaleKeys: boolean) => void,
  ) {}

  /** Fetches the keys once so the first request does not wait; a failure is reported, never thrown. */
  async warmUp(): Promise<void> {
    try {
      await (await this.set()).reload();
    } catch (e) {
      this.failed(e);
    }
  }

  /** The key for a token's header: what `jwtVerify` calls. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerifyKey> => {
    if (Date.now() < this.failedAt + this.settings.cooldownMs) return this.fromStale(header, token);
    let remote: RemoteJWKSet;
    try {
      remote = await this.set();
    } catch (e) {
      this.failed(e);
      return this.fromStale(header, token);
    }
    try {
      return await remote(header, token);
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      this.failed(e);
      return this.fromStale(header, token);
    }
  };

  private set(): Promise<RemoteJWKSet> {
    this.remote ??= this.locate().then(
      (url) => createRemoteJWKSet(url, {
        cacheMaxAge: this.settings.cacheMaxAgeMs,
        cooldownDuration: this.settings.cooldownMs,
        timeoutDuration: this.settings.timeoutMs,
        [jwksCache]: this.cache,
      }),
      (e: unknown) => {
        // Discovery is retried (after the cooldown) rather than remembered as failed.
        this.remote = undefined;
        throw e;
      },
    );
    return this.remote;
  }

  private failed(e: unknown): void {
    this.failedAt = Date.now();
    this.onFailure(e, (this.cache as Partial<ExportedJWKSCache>).jwks !== undefined);
  }

  /** The keys of the last successful fetch, while the provider cannot be reached. */
  private async fromStale(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerifyKey> {
    const cached = this.cache as Partial<ExportedJWKSCache>;
    if (cached.jwks === undefined || cached.uat === undefined) throw new KeysUnavailable();
    if (this.stale?.uat !== cached.uat) this.stale = { uat: cached.uat, keys: createLocalJWKSet(cached.jwks) };
    return this.stale.keys(header, token);
  }
}

/**
 * Whether a key lookup failed because the provider could not be reached or
 * answered nonsense (network error, timeout, non-200, not a JWKS) — as
 * opposed to the token naming a key or algorithm the set does not have.
 */
function isUnreachable(e: unknown): boolean {
  if (!(e instanceof errors.JOSEError)) return true;
  return e.code === 'ERR_JOSE_GENERIC' || e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid;
}
