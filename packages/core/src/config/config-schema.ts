import { SHA256_PATTERN } from '../registry/model-integrity.js';

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
  monitoring: { type: 'object', description: 'How the monitor plugin (@ponte/monitor) watches this model: profile, window, alerts. The plugin validates it.' },
  explain: { type: 'object', description: 'How the explain plugin (@ponte/explain) explains this model: method, background, samples, budgetMs, link, output, sampleRate. The plugin validates it.' },
  options: { type: 'object' },
  sha256: {
    description: 'The sha256 (hex) of the model file: one for every version, or one per version ({ "1": "…" }). A mismatch leaves the version not ready.',
    oneOf: [
      { type: 'string', pattern: SHA256_PATTERN },
      { type: 'object', minProperties: 1, additionalProperties: false, patternProperties: { '^[0-9]+$': { type: 'string', pattern: SHA256_PATTERN } } },
    ],
  },
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
        limits: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Limits on what one REST request may ask of the server (docs/security.md, Hardening).',
          properties: {
            jsonDepth: { type: 'integer', minimum: 2, maximum: 10000, default: 64, description: 'Deepest nesting of arrays and objects a JSON body may have (400 past it).' },
            tensorElements: { type: 'integer', minimum: 1, default: 16777216, description: 'Most elements one input tensor may declare (400 past it).' },
            headerBytes: { type: 'integer', minimum: 1024, maximum: 1048576, default: 16384, description: "Largest request head (request line and headers) the REST listener reads (Node's maxHeaderSize; 431 past it)." },
          },
        },
        cors: {
          type: 'object',
          additionalProperties: false,
          required: ['origins'],
          description: 'Cross-origin requests from browsers: off when absent; allowed for the listed origins only.',
          properties: {
            origins: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^(\\*|https?://[^/\\s]+)$' }, description: 'Origins allowed (scheme://host[:port]), or "*" for any.' },
            headers: { type: 'array', items: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }, description: 'Request headers a browser may send (default: authorization, content-type, x-api-key, x-request-id, x-request-timeout-ms, inference-header-content-length).' },
            methods: { type: 'array', minItems: 1, items: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] }, description: 'Methods allowed cross-origin (default: the methods the route answers).' },
            maxAgeSeconds: { type: 'integer', minimum: 0, maximum: 86400, default: 600, description: 'How long a browser may cache a preflight answer.' },
          },
        },
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
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          description: 'TLS for every protocol: PEM files relative to the config file, reloaded when they change.',
          properties: {
            cert: { type: 'string', minLength: 1 },
            key: { type: 'string', minLength: 1 },
            ca: { type: 'string', minLength: 1 },
            clientCertificates: { enum: ['none', 'request', 'require'], default: 'none' },
          },
          if: { properties: { clientCertificates: { enum: ['request', 'require'] } }, required: ['clientCertificates'] },
          then: { required: ['ca'] },
        },
        audit: {
          type: 'object',
          additionalProperties: false,
          required: ['path'],
          description: 'The audit log: authentication failures, refusals and admin actions as JSON lines. Off when absent.',
          properties: {
            path: { type: 'string', minLength: 1, description: 'A file (relative to the config file, appended to), stderr or stdout.' },
            maxPerSecond: { type: 'integer', minimum: 1, default: 10, description: 'Refusal lines per second per reason; the rest are counted in the next line.' },
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
    routes: {
      type: 'array',
      default: [],
      description: 'REST routes of your own (read by @ponte/http): a path, a model, and the body and answer shapes your clients already use.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'model', 'response'],
        properties: {
          path: { type: 'string', minLength: 2, description: 'A literal path, such as /prever_compra; POST only.' },
          model: { type: 'string', pattern: MODEL_NAME_PATTERN },
          version: { type: 'string', pattern: '^[0-9]+$' },
          request: { enum: ['features', 'instances', 'oip'], default: 'features', description: 'features: one object of named features; instances: {"instances": [{…}]}; oip: an OIP infer body.' },
          response: {
            type: 'object',
            minProperties: 1,
            description: 'Answer field → probability, label, probabilities, prediction or output:<name>.',
            additionalProperties: { type: 'string', pattern: '^(probability|label|probabilities|prediction|output:.+)$' },
          },
          summary: { type: 'string', description: 'The route\'s summary in the OpenAPI document.' },
        },
      },
    },
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
