import { createHash } from 'node:crypto';
import type { Principal, RouteAction } from '@ponte/core';
import type { LimitKey, QuotaOptions, RateLimitOptions } from './ratelimit-options.js';

/**
 * One configured limit or quota: which requests it counts, what it counts them by, and how it
 * words a refusal. The bucket arithmetic is the store's (see `limiter-factory.ts`).
 */
export class LimitRule {
  /** Stable across processes with the same config, so they share Redis counters; a changed limit starts afresh. */
  readonly id: string;
  readonly kind: 'rate limit' | 'quota';
  readonly per: LimitKey;
  readonly requests: number;
  readonly perSeconds: number;
  readonly burst: { requests: number; perSeconds: number } | undefined;
  /** Counted after the gate: the rule keys on or filters by the principal. */
  readonly needsPrincipal: boolean;
  private readonly actions: ReadonlySet<string> | undefined;
  private readonly models: ReadonlySet<string> | undefined;
  private readonly principals: ReadonlySet<string> | undefined;

  private constructor(kind: 'rate limit' | 'quota', options: RateLimitOptions | QuotaOptions, requests: number) {
    this.kind = kind;
    this.per = options.per;
    this.requests = requests;
    this.perSeconds = options.perSeconds;
    this.burst = 'burst' in options ? options.burst : undefined;
    this.actions = options.actions === undefined ? undefined : new Set(options.actions);
    this.models = options.models === undefined ? undefined : new Set(options.models);
    this.principals = options.principals === undefined ? undefined : new Set(options.principals);
    this.needsPrincipal = this.per === 'principal' || this.per === 'principal+model' || this.principals !== undefined;
    const definition = JSON.stringify([kind, this.per, requests, this.perSeconds, this.burst ?? null, options.actions ?? null, options.models ?? null, options.principals ?? null]);
    this.id = `${kind === 'quota' ? 'q' : 'r'}${createHash('sha256').update(definition).digest('hex').slice(0, 12)}`;
  }

  static limit(options: RateLimitOptions): LimitRule {
    return new LimitRule('rate limit', options, options.rate);
  }

  static quota(options: QuotaOptions): LimitRule {
    return new LimitRule('quota', options, options.requests);
  }

  /**
   * The bucket this request draws from, or undefined when the rule does not count it.
   * `knownModel` guards per-model keys: a per-model bucket is made only for a configured
   * model, so made-up names in paths cannot grow the store.
   */
  keyOf(action: RouteAction, model: string | undefined, principal: Principal | undefined, knownModel: (name: string) => boolean): string | undefined {
    if (this.actions !== undefined && !this.actions.has(action)) return undefined;
    if (this.models !== undefined && (model === undefined || !this.models.has(model))) return undefined;
    if (this.principals !== undefined && (principal === undefined || !this.principals.has(principal.id))) return undefined;
    switch (this.per) {
      case 'global':
        return '*';
      case 'principal':
        return principal === undefined ? undefined : `p:${principal.id}`;
      case 'model':
        return model === undefined || !knownModel(model) ? undefined : `m:${model}`;
      case 'principal+model':
        return principal === undefined || model === undefined || !knownModel(model) ? undefined : `pm:${model}:${principal.id}`;
    }
  }

  /** The refusal's message: which limit, never who or with what credentials. */
  describe(action: RouteAction, model: string | undefined): string {
    const on = model === undefined ? '' : ` on ${model}`;
    const per = this.per === 'global' ? 'for the server' : `per ${this.per}`;
    return `${this.kind} exceeded for ${action}${on} (${per}): ${this.requests} requests per ${this.perSeconds} s`;
  }
}
