import { PonteError, type AdmissionCheck, type Logger, type RequestContext, type RouteAction } from '@ponte/core';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Bucket } from './limiter-factory.js';
import type { LimitRule } from './limit-rule.js';

/** A rule and the bucket it draws from. */
export interface CountedRule {
  readonly rule: LimitRule;
  readonly bucket: Bucket;
}

/**
 * An admission check over some rules: each rule that counts the request takes one point from its
 * bucket, in config order; the first empty bucket refuses the request with 429
 * `PONTE_RATE_LIMITED` and `Retry-After` (whole seconds, at least 1). Rules counted before the
 * refusing one keep their point: a refused request still costs the caller in those buckets.
 * A store that fails in a way its local fallback does not cover lets the request through:
 * a limiter must never be why a request fails.
 */
export function rateLimitCheck(name: string, needsPrincipal: boolean, rules: readonly CountedRule[], knownModel: (name: string) => boolean, logger: Logger): AdmissionCheck {
  let lastFailureLog = 0;
  return {
    name,
    needsPrincipal,
    async admit(ctx: RequestContext, action: RouteAction, model: string | undefined): Promise<void> {
      for (const { rule, bucket } of rules) {
        const key = rule.keyOf(action, model, ctx.principal, knownModel);
        if (key === undefined) continue;
        try {
          await bucket.consume(key);
        } catch (e) {
          if (e instanceof RateLimiterRes) {
            const retryAfter = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
            throw new PonteError('PONTE_RATE_LIMITED', rule.describe(action, model), { headers: { 'Retry-After': String(retryAfter) } });
          }
          const now = Date.now();
          if (now - lastFailureLog >= 60_000) {
            lastFailureLog = now;
            logger.warn({ err: (e as Error).message, requestId: ctx.requestId }, 'rate limit store failed: request let through');
          }
        }
      }
    },
  };
}
