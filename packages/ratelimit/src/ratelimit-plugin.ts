import { definePlugin, Tokens } from '@ponte/core';
import { LimitRule } from './limit-rule.js';
import { makeBucket, type CounterStore } from './limiter-factory.js';
import { rateLimitCheck, type CountedRule } from './rate-limit-check.js';
import { RATE_LIMIT_OPTIONS_SCHEMA, type RateLimitPluginOptions } from './ratelimit-options.js';
import { RedisConnection } from './redis-connection.js';

/**
 * Rate limits and quotas per principal, per model, per both or for the whole server, checked at
 * the admit stage — before the body is read — and refused with 429 `PONTE_RATE_LIMITED` and
 * `Retry-After`. Counters live in memory, or in Redis so that every process and replica shares
 * one limit; while Redis is unreachable each process falls back to its share of the limit.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/ratelimit'
 *     options:
 *       store: redis
 *       redis: { url: '${env:REDIS_URL}', sharedBy: 4 }
 *       limits: [{ per: principal, rate: 100, perSeconds: 1 }, { per: model, models: [purchase], rate: 1000, perSeconds: 1 }]
 *       quotas: [{ per: principal, requests: 100000 }]
 * ```
 */
export default definePlugin<RateLimitPluginOptions>({
  name: '@ponte/ratelimit',
  // An AdmissionCheck is what the auth kind promises among its implementations.
  kind: 'auth',
  core: '^0.1.0',
  description: 'Rate limits and quotas per principal and per model, in memory or shared through Redis',
  configSchema: RATE_LIMIT_OPTIONS_SCHEMA,
  register(ctx) {
    const o = ctx.options;
    if (o.limits.length === 0 && o.quotas.length === 0) throw new Error('options.limits: give at least one limit or quota');
    const rules = [...o.limits.map((l) => LimitRule.limit(l)), ...o.quotas.map((q) => LimitRule.quota(q))];
    const connection = o.store === 'redis' ? new RedisConnection(o.redis, ctx.logger) : undefined;
    const store: CounterStore = connection === undefined ? { kind: 'memory' } : { kind: 'redis', connection, keyPrefix: o.redis.keyPrefix, sharedBy: o.redis.sharedBy };
    const counted: CountedRule[] = rules.map((rule) => ({ rule, bucket: makeBucket(rule, store) }));
    const registry = ctx.later(Tokens.ModelRegistry);
    const knownModel = (name: string): boolean => registry().has(name);

    // Limits that need no principal run before the gate (cheaper: no credential check for a
    // refused request); the others right after it, both before the body is read.
    const early = counted.filter((c) => !c.rule.needsPrincipal);
    const late = counted.filter((c) => c.rule.needsPrincipal);
    if (early.length > 0) ctx.provide(Tokens.AdmissionCheck, rateLimitCheck('ratelimit', false, early, knownModel, ctx.logger));
    if (late.length > 0) ctx.provide(Tokens.AdmissionCheck, rateLimitCheck('ratelimit-principal', true, late, knownModel, ctx.logger));

    return {
      start: () => connection?.start(),
      stop: () => connection?.stop(),
    };
  },
});
