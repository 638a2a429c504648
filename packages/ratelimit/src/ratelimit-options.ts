import type { Action } from '@ponte/core';

/** What a limit counts requests by: one bucket per principal, per model, per both, or one for the server. */
export type LimitKey = 'principal' | 'model' | 'principal+model' | 'global';

/** Which requests a limit or quota counts; every filter left out matches everything. */
export interface LimitScope {
  per: LimitKey;
  /** Route actions counted (`infer`, `explain`, `feedback`, `read`, `monitor`, `admin`); default all. */
  actions?: Action[];
  /** Models counted (the model the route names); default all, and routes naming no model too. */
  models?: string[];
  /** Principal ids counted; default all. */
  principals?: string[];
}

/** A rate limit: `rate` requests every `perSeconds` seconds, plus an optional burst allowance. */
export interface RateLimitOptions extends LimitScope {
  rate: number;
  perSeconds: number;
  /** Extra requests once `rate` is used up, refilled every `burst.perSeconds` (a longer window). */
  burst?: { requests: number; perSeconds: number };
}

/** A quota: like a rate limit, over a long window (a day by default), reported as a quota. */
export interface QuotaOptions extends LimitScope {
  requests: number;
  perSeconds: number;
}

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (write `${env:REDIS_URL}` when it holds a password). */
  url: string;
  /** Prefix of every key this plugin writes. */
  keyPrefix: string;
  /**
   * How many server processes (replicas × `server.processes`) share the limits: while Redis is
   * unreachable each process allows `rate / sharedBy` on its own, so together they stay near the limit.
   */
  sharedBy: number;
  connectTimeoutMs: number;
  /** A Redis command slower than this counts as an outage for that request (the local limit answers). */
  commandTimeoutMs: number;
}

/** Options of `@ponte/ratelimit`. */
export interface RateLimitPluginOptions {
  store: 'memory' | 'redis';
  redis: RedisStoreOptions;
  limits: RateLimitOptions[];
  quotas: QuotaOptions[];
}

const ACTIONS = ['infer', 'explain', 'feedback', 'read', 'monitor', 'admin'];

const scopeProperties = {
  per: { enum: ['principal', 'model', 'principal+model', 'global'] },
  actions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ACTIONS } },
  models: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
  principals: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
};

/**
 * JSON Schema of the options. Windows are whole seconds because the Redis store keeps a counter's
 * expiry in seconds (a fraction would be rounded down, to no expiry at all below one second).
 */
export const RATE_LIMIT_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    store: { enum: ['memory', 'redis'], default: 'memory' },
    redis: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: 'string', pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' },
        keyPrefix: { type: 'string', minLength: 1, default: 'ponte:ratelimit:' },
        sharedBy: { type: 'integer', minimum: 1, default: 1 },
        connectTimeoutMs: { type: 'integer', minimum: 1, default: 1000 },
        commandTimeoutMs: { type: 'integer', minimum: 1, default: 200 },
      },
    },
    limits: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['per', 'rate'],
        properties: {
          ...scopeProperties,
          rate: { type: 'integer', minimum: 1 },
          perSeconds: { type: 'integer', minimum: 1, default: 1 },
          burst: {
            type: 'object',
            additionalProperties: false,
            required: ['requests', 'perSeconds'],
            properties: { requests: { type: 'integer', minimum: 1 }, perSeconds: { type: 'integer', minimum: 1 } },
          },
        },
      },
    },
    quotas: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['per', 'requests'],
        properties: {
          ...scopeProperties,
          requests: { type: 'integer', minimum: 1 },
          perSeconds: { type: 'integer', minimum: 1, default: 86400 },
        },
      },
    },
  },
} as const;
