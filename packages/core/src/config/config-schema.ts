/**
 * JSON Schema of the core config sections. Plugins add their own schema for
 * `plugins[i].options`, and formats for `models[i].options`; defaults live here,
 * so the loaded config is complete and code never re-states a default.
 */
const featureSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    type: { enum: ['number', 'integer', 'string', 'boolean'], default: 'number' },
    description: { type: 'string' },
    min: { type: 'number' },
    max: { type: 'number' },
    enum: { type: 'array', minItems: 1, items: { type: ['string', 'number'] } },
    required: { type: 'boolean', default: true },
    nullable: { type: 'boolean', default: false },
    default: { type: ['string', 'number', 'boolean'] },
    input: { type: 'string', minLength: 1 },
  },
} as const;

export const batchingSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    maxBatchSize: { type: 'integer', minimum: 1, maximum: 65536 },
    maxQueueDelayMicros: { type: 'integer', minimum: 0, maximum: 10000000 },
    preferredBatchSizes: { type: 'array', items: { type: 'integer', minimum: 1 } },
    maxQueueSize: { type: 'integer', minimum: 1 },
  },
} as const;

const versionPolicySchema = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['latest'], properties: { latest: { type: 'integer', minimum: 1 } } },
    { type: 'object', additionalProperties: false, required: ['all'], properties: { all: { const: true } } },
    { type: 'object', additionalProperties: false, required: ['specific'], properties: { specific: { type: 'array', minItems: 1, items: { type: ['string', 'integer'] } } } },
  ],
} as const;

/** Properties a model entry and a `model.yaml` share. */
const modelProperties = {
  format: { type: 'string', minLength: 1 },
  versionPolicy: versionPolicySchema,
  required: { type: 'boolean' },
  task: { enum: ['binary_classification', 'multiclass_classification', 'regression', 'other'] },
  description: { type: 'string' },
  features: { type: 'array', items: featureSchema },
  labels: { type: 'array', minItems: 1, items: { type: ['string', 'number'] } },
  mainOutput: { type: 'string', minLength: 1 },
  warmup: { type: 'object', additionalProperties: false, properties: { runs: { type: 'integer', minimum: 0, maximum: 1000 } } },
  batching: batchingSchema,
  logging: {
    type: 'object',
    additionalProperties: false,
    description: 'The prediction log of this model (needs a prediction store plugin).',
    properties: {
      predictions: { type: 'boolean', description: 'Log this model\'s predictions (default true when a store is loaded).' },
      sampleRate: { type: 'number', minimum: 0, maximum: 1, description: 'Share of requests logged (default 1).' },
      redact: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'Feature names dropped from logged records.' },
    },
  },
  options: { type: 'object' },
} as const;

export const MODEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';

/** Schema of a `model.yaml` next to a model's versions. */
export const modelFileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string', pattern: MODEL_NAME_PATTERN }, ...modelProperties },
} as const;

export const coreConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1 },
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        name: { type: 'string', default: 'ponte' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        bodyLimitBytes: { type: 'integer', minimum: 1, default: 10485760 },
        shutdownTimeoutMs: { type: 'integer', minimum: 0, default: 10000 },
        requestTimeoutMs: { type: 'integer', minimum: 1, default: 30000 },
        processes: { oneOf: [{ type: 'integer', minimum: 1, maximum: 64 }, { const: 'auto' }], default: 1 },
        health: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            port: { type: ['integer', 'null'], minimum: 0, maximum: 65535, default: null },
            host: { type: 'string', minLength: 1 },
            stallMs: { type: 'integer', minimum: 100, default: 10000 },
          },
        },
      },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        requests: { type: 'boolean', default: true },
      },
    },
    plugins: {
      type: 'array',
      default: [],
      items: {
        oneOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            required: ['package'],
            properties: { package: { type: 'string', minLength: 1 }, options: { type: 'object' } },
          },
        ],
      },
    },
    repository: { type: 'string', minLength: 1 },
    models: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', pattern: MODEL_NAME_PATTERN }, source: { type: 'string', minLength: 1 }, ...modelProperties },
      },
    },
  },
} as const;
