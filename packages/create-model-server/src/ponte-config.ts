import type { Answers } from './answers.js';
import type { ServiceModel } from './service-model.js';

/** The API key's entry for `@ponte/auth-apikey` (the key itself is never written). */
export interface KeyEntry {
  id: string;
  hash: string;
  scopes: readonly string[];
}

export interface ConfigInput {
  answers: Answers;
  model: ServiceModel;
  key: KeyEntry | undefined;
  /** Whether the model got a reference profile (its monitoring section is written then). */
  profiled: boolean;
}

/** The path, relative to the project, of the built custom plugin that ponte.yaml loads. */
export const CUSTOM_PLUGIN = './dist/src/plugins/request-limits.js';

/** The plugins the config loads, as npm package names (the project depends on each). */
export function configPackages(answers: Answers, model: ServiceModel): string[] {
  return [
    model.formatPlugin,
    '@ponte/validator-jsonschema',
    '@ponte/openapi',
    ...(answers.auth ? ['@ponte/auth-apikey'] : []),
    ...(answers.exporters.includes('prometheus') ? ['@ponte/exporter-prometheus'] : []),
    ...(answers.exporters.includes('otel') ? ['@ponte/exporter-otel'] : []),
    ...(answers.store === 'sqlite' ? ['@ponte/store-sqlite'] : answers.store === 'postgres' ? ['@ponte/store-postgres'] : []),
    ...(answers.monitoring ? ['@ponte/monitor', '@ponte/dashboard'] : []),
  ];
}

/** `ponte.yaml`, commented for the person who will change it. */
export function renderPonteConfig(c: ConfigInput): string {
  const { answers, model, key } = c;
  const plugins: string[] = [
    `  - '${model.formatPlugin}'`,
    `  - '@ponte/validator-jsonschema'   # feature rules from models/*/model.yaml: bad input is a 400 naming the field`,
    `  - '@ponte/openapi'                # /openapi.json and Swagger UI at /docs`,
  ];
  if (key !== undefined) {
    plugins.push(
      `  - package: '@ponte/auth-apikey'  # every route but the health probes needs a key (Authorization: Bearer <key>)`,
      `    options:`,
      `      keys:                         # scrypt hashes only; make more with: npx ponte key create --id ID --scopes infer:${model.name}`,
      `        - id: '${key.id}'`,
      `          hash: '${key.hash}'`,
      `          scopes: [${key.scopes.map((s) => `'${s}'`).join(', ')}]`,
      `      # keysFile: ./keys.yaml         # or a watched file: keys added and revoked without a restart`,
    );
  }
  if (answers.exporters.includes('prometheus')) plugins.push(`  - '@ponte/exporter-prometheus'    # /metrics${key !== undefined ? ' (a monitor:* scope; options: { public: true } opens it)' : ''}`);
  if (answers.exporters.includes('otel')) {
    plugins.push(
      `  - package: '@ponte/exporter-otel'  # traces and metrics over OTLP/HTTP`,
      `    options: { endpoint: '\${env:OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4318}' }`,
    );
  }
  if (answers.store === 'sqlite') {
    plugins.push(
      `  - package: '@ponte/store-sqlite'  # the prediction log: every prediction gets an id (X-Prediction-Id), labels join later`,
      `    options: { file: ./data/ponte.db, retention: { maxAgeDays: 30 } }`,
    );
  } else if (answers.store === 'postgres') {
    plugins.push(
      `  - package: '@ponte/store-postgres'  # the prediction log, shared by every replica`,
      `    options: { connectionString: '\${env:DATABASE_URL}', retention: { maxAgeDays: 30 } }`,
    );
  }
  if (answers.monitoring) {
    plugins.push(
      `  - '@ponte/monitor'               # drift, data quality, performance: GET /v2/models/${model.name}/monitoring`,
      `  - '@ponte/dashboard'             # the same as charts at /dashboard`,
    );
  }
  plugins.push(
    `  - package: ${CUSTOM_PLUGIN}   # this service's own plugin: src/plugins/request-limits.ts (npm run build)`,
    `    options: { maxRows: 1000 }`,
  );

  const monitoring = !answers.monitoring ? [] : c.profiled ? [
    `    # Compared with models/${model.name}/1/profile.json, made from data/reference.csv (npm run profile remakes it).`,
    `    monitoring:`,
    `      window: { rows: 1000, seconds: 3600 }`,
    `      alerts:`,
    `        - { when: drift, windows: 2, severity: warning }`,
    ...(model.example ? [`        - { when: performance, metric: accuracy, windows: 1, severity: critical }`] : []),
  ] : [
    `    # Monitoring starts once the version folder holds a profile.json: npx ponte profile --config ponte.yaml --model ${model.name} --data YOUR_DATA.csv`,
  ];

  return `# ${answers.name}: a Ponte prediction service, made by create-model-server.
# Every key is described in Ponte's docs/config.md; \`npx ponte config check ponte.yaml\` checks this file
# (build first: it loads the plugin in dist/), \`npx ponte config print ponte.yaml\` shows the defaults.
version: 1

server:
  name: ${answers.name}
  host: \${env:PONTE_HOST:-127.0.0.1}   # the Dockerfile sets PONTE_HOST=0.0.0.0
  port: 8080                         # npm start -- --port N
  shutdownTimeoutMs: 10000           # how long SIGTERM waits for in-flight requests

logging:
  level: \${env:PONTE_LOG_LEVEL:-info}
  requests: true                     # one JSON line per request

plugins:
${plugins.join('\n')}

# <repository>/<model>/<version>/${model.fileName}, with <model>/model.yaml for features and labels.
repository: ./models

models:
  - name: ${model.name}
    required: true                   # /v2/health/ready waits for it
    versionPolicy: { latest: 1 }
${monitoring.join('\n')}
`;
}
