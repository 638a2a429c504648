export { default } from './ratelimit-plugin.js';
export { RATE_LIMIT_OPTIONS_SCHEMA, type LimitKey, type LimitScope, type QuotaOptions, type RateLimitOptions, type RateLimitPluginOptions, type RedisStoreOptions } from './ratelimit-options.js';
