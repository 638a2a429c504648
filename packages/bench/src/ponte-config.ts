import { EXAMPLE_MODEL_NAMES, EXAMPLE_MODELS } from './paths.js';

/** A prediction store for the log (the prediction-log section): a SQLite file, or a PostgreSQL schema. */
export type PonteStore =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; connectionString: string; schema: string };

/**
 * An auth plugin (the security section): `@ponte/auth-apikey` with key
 * entries (scrypt hashes), or `@ponte/auth-jwt` with an HMAC secret read from
 * `secretFile` through `${file:…}` (not in the config, nor in the command line
 * the report prints, as an environment variable would be).
 */
export type PonteAuth =
  | { kind: 'apikey'; keys: ReadonlyArray<{ id: string; hash: string; scopes: readonly string[] }> }
  | { kind: 'jwt'; secretFile: string; issuer: string; audience: string };

/** One Ponte set-up under test. */
export interface PonteVariant {
  /** The model whose entry gets `batching: { enabled: false }` when `batching` is false. */
  model: string;
  batching: boolean;
  /** Add '@ponte/exporter-prometheus' (metrics on), when it exists and loads. */
  prometheus: boolean;
  /** Add '@ponte/grpc' listening on this port (the gRPC row). */
  grpcPort?: number;
  /** Extra `batching` keys of the measured model's entry, e.g. the overload section's `{ maxBatchSize: 32, maxQueueSize: 64 }`. */
  batchingOptions?: Record<string, number>;
  /** Add '@ponte/exporter-otel' exporting OTLP/HTTP to this base URL (the telemetry section's sink); its other options keep their defaults. */
  otelEndpoint?: string;
  /** With otelEndpoint: false turns the OTel plugin's own metrics off (traces only). */
  otelMetrics?: boolean;
  repository?: string;
  /** `server.health.port`: liveness and readiness on their own listener, off the event loop. */
  healthPort?: number;
  /** Add a prediction store plugin: every prediction is logged (the models' `logging` defaults: all of them). */
  store?: PonteStore;
  /** Add an auth plugin: every inference request must then carry credentials. */
  auth?: PonteAuth;
  /** Add '@ponte/ratelimit' (memory store) with one limit on the measured model: `rate` requests per `perSeconds`. */
  rateLimit?: { rate: number; perSeconds: number };
  /** Add '@ponte/monitor' (its default tick and lag) after the store, and `monitoring: { window: { rows } }` on the measured model's entry; needs `store`. */
  monitorWindowRows?: number;
  /** Add '@ponte/explain' (its default options) after the store, and `explain: <YAML flow map>` on the entries of the models named here (none: every model keeps the defaults). */
  explain?: Readonly<Record<string, string>>;
}

/** The plugin entry of a prediction store. */
function storePlugin(s: PonteStore): string[] {
  return s.kind === 'sqlite'
    ? [`  - package: '@ponte/store-sqlite'`, `    options: { file: ${JSON.stringify(s.file)} }`]
    : [`  - package: '@ponte/store-postgres'`, `    options: { connectionString: ${JSON.stringify(s.connectionString)}, schema: ${JSON.stringify(s.schema)} }`];
}

/** The plugin entry of an auth plugin. */
function authPlugin(a: PonteAuth): string[] {
  if (a.kind === 'jwt') {
    return [`  - package: '@ponte/auth-jwt'`, `    options: { secret: ${JSON.stringify(`\${file:${a.secretFile}}`)}, issuer: ${JSON.stringify(a.issuer)}, audience: ${JSON.stringify(a.audience)} }`];
  }
  return [
    `  - package: '@ponte/auth-apikey'`,
    '    options:',
    '      keys:',
    ...a.keys.map((k) => `        - { id: ${JSON.stringify(k.id)}, hash: ${JSON.stringify(k.hash)}, scopes: ${JSON.stringify(k.scopes)} }`),
  ];
}

/**
 * The YAML config of a Ponte variant: the four example models, ONNX with one
 * intra-op thread (the server is pinned to one core) and `executor` left to
 * `auto` (which stays inline on one core), JSON Schema validation
 * on, one log line per request (stdout goes to a file), metrics on when the
 * Prometheus plugin is there, a prediction store when `store` is set, and
 * the security and monitoring sections' plugins (auth, rate limit, monitor)
 * when theirs are.
 *
 * @example ponteConfigYaml({ model: 'purchase', batching: false, prometheus: false })
 */
export function ponteConfigYaml(v: PonteVariant): string {
  const plugins = [
    `  - package: '@ponte/onnx'`,
    `    options: { defaults: { intraOpNumThreads: 1, interOpNumThreads: 1 } }`,
    `  - '@ponte/validator-jsonschema'`,
    ...(v.prometheus ? [`  - '@ponte/exporter-prometheus'`] : []),
    ...(v.otelEndpoint !== undefined ? [`  - package: '@ponte/exporter-otel'`, `    options: { endpoint: ${JSON.stringify(v.otelEndpoint)}${v.otelMetrics === false ? ', metrics: false' : ''} }`] : []),
    ...(v.grpcPort !== undefined ? [`  - package: '@ponte/grpc'`, `    options: { host: 127.0.0.1, port: ${v.grpcPort} }`] : []),
    ...(v.store !== undefined ? storePlugin(v.store) : []),
    ...(v.monitorWindowRows !== undefined ? [`  - '@ponte/monitor'`] : []),
    ...(v.explain !== undefined ? [`  - '@ponte/explain'`] : []),
    ...(v.auth !== undefined ? authPlugin(v.auth) : []),
    ...(v.rateLimit !== undefined ? [`  - package: '@ponte/ratelimit'`, `    options: { limits: [{ per: model, models: [${v.model}], rate: ${v.rateLimit.rate}, perSeconds: ${v.rateLimit.perSeconds} }] }`] : []),
  ];
  const batching = !v.batching ? { enabled: false } : v.batchingOptions;
  const yamlMap = (o: Record<string, unknown>): string => `{ ${Object.entries(o).map(([k, x]) => `${k}: ${String(x)}`).join(', ')} }`;
  const entry = (m: string): string[] => [
    `name: ${m}`,
    ...(m === v.model && batching ? [`batching: ${yamlMap(batching)}`] : []),
    ...(m === v.model && v.monitorWindowRows !== undefined ? [`monitoring: { window: { rows: ${v.monitorWindowRows} } }`] : []),
    ...(v.explain?.[m] !== undefined ? [`explain: ${v.explain[m]}`] : []),
  ];
  const models = EXAMPLE_MODEL_NAMES.map((m) => `  - { ${entry(m).join(', ')} }`);
  return [
    `# Generated by packages/bench for: ${v.model}, batching ${v.batching ? 'on' : 'off'}${v.store ? `, prediction log in ${v.store.kind}` : ''}${v.monitorWindowRows !== undefined ? ', monitored' : ''}${v.explain !== undefined ? ', explained' : ''}${v.auth ? `, auth ${v.auth.kind}` : ''}${v.rateLimit ? ', rate limit' : ''}`,
    'version: 1',
    `server: { host: 127.0.0.1${v.healthPort !== undefined ? `, health: { port: ${v.healthPort} }` : ''} }`,
    'logging: { level: info, requests: true }',
    'plugins:',
    ...plugins,
    `repository: ${JSON.stringify(v.repository ?? EXAMPLE_MODELS)}`,
    'models:',
    ...models,
    '',
  ].join('\n');
}
