import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitRule } from './limit-rule.js';
import type { RedisConnection } from './redis-connection.js';

/** What a rule draws from: resolves when a request is counted, rejects with a `RateLimiterRes` when the bucket is empty. */
export interface Bucket {
  consume(key: string): Promise<RateLimiterRes>;
}

/** Where counters live: this process's memory, or Redis shared by `sharedBy` processes. */
export type CounterStore = { kind: 'memory' } | { kind: 'redis'; connection: RedisConnection; keyPrefix: string; sharedBy: number };

/**
 * The bucket of one rule. A window of `perSeconds` holds `requests` points, refilled whole when
 * it ends (rate-limiter-flexible's counters; an idle key expires with its window, so memory
 * holds only keys seen in their current window). A burst is a second, longer window drawn on
 * once the first is empty.
 */
export function makeBucket(rule: LimitRule, store: CounterStore): Bucket {
  const main = makeWindow(store, `${rule.id}`, rule.requests, rule.perSeconds);
  if (rule.burst === undefined) return main;
  return new BurstyRateLimiter(main, makeWindow(store, `${rule.id}b`, rule.burst.requests, rule.burst.perSeconds));
}

function makeWindow(store: CounterStore, id: string, points: number, duration: number): RateLimiterAbstract {
  if (store.kind === 'memory') return new RateLimiterMemory({ keyPrefix: id, points, duration });
  return new RateLimiterRedis({
    storeClient: store.connection.client,
    keyPrefix: `${store.keyPrefix}${id}`,
    points,
    duration,
    // Not connected: straight to the local limit, without waiting on a command.
    rejectIfRedisNotReady: true,
    // Redis failing (down, slow, refusing): this process's share of the limit, counted here.
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${id}-local`, points: Math.max(1, Math.ceil(points / store.sharedBy)), duration }),
  });
}
