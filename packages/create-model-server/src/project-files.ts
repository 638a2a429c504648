import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Answers } from './answers.js';
import type { ServiceModel } from './service-model.js';

/** The compiler and Node types the project builds with (the versions Ponte itself builds with). */
const TYPESCRIPT = '^7.0.2';
const NODE_TYPES = '^20.19.0';

/** Where each `@ponte/*` package comes from: the registry (`^version`), or `file:` links into a Ponte checkout. */
export function ponteDependency(pkg: string, answers: Pick<Answers, 'pontePath'>, version: string): string {
  if (answers.pontePath === undefined) return `^${version}`;
  const dir = join(answers.pontePath, 'packages', pkg.replace(/^@ponte\//, ''));
  if (!existsSync(join(dir, 'package.json'))) throw new RangeError(`--ponte-path: ${answers.pontePath} has no ${pkg} (looked for ${dir}/package.json)`);
  return `file:${dir}`;
}

export interface PackageJsonInput {
  answers: Answers;
  model: ServiceModel;
  /** The plugins ponte.yaml loads. */
  plugins: readonly string[];
  ponteVersion: string;
  /** The reference data, relative to the project, when there is some (for `npm run profile`). */
  referenceData: string | undefined;
}

/** package.json: `npm start`, `npm test`, `npm run profile`, and the Ponte packages the config loads. */
export function renderPackageJson(p: PackageJsonInput): string {
  const dep = (name: string): [string, string] => [name, ponteDependency(name, p.answers, p.ponteVersion)];
  const runtime = [...new Set(['@ponte/cli', '@ponte/core', ...p.plugins])].sort();
  const scripts: Record<string, string> = {
    build: 'tsc -p tsconfig.json',
    start: 'npm run build --silent && ponte serve --config ponte.yaml',
    test: 'npm run build --silent && node --test --test-timeout=120000 dist/test/',
    check: 'npm run build --silent && ponte config check ponte.yaml',
  };
  if (p.referenceData !== undefined) scripts['profile'] = `npm run build --silent && ponte profile --config ponte.yaml --model ${p.model.name} --data ${p.referenceData}`;
  const pkg = {
    name: p.answers.name,
    version: '0.1.0',
    private: true,
    description: `Prediction service for the ${p.model.name} model, served by Ponte`,
    type: 'module',
    engines: { node: '>=20.6' },
    scripts,
    dependencies: Object.fromEntries(runtime.map(dep)),
    devDependencies: Object.fromEntries([dep('@ponte/http'), dep('@ponte/testing'), ['@types/node', NODE_TYPES], ['typescript', TYPESCRIPT]]),
    // onnxruntime-node's install script downloads CUDA files (its CPU runtime ships in the package);
    // better-sqlite3 needs its own to build.
    allowScripts: { 'onnxruntime-node': false, protobufjs: false, '@scarf/scarf': false, 'better-sqlite3': true },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export function renderTsconfig(): string {
  return `${JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      rootDir: '.',
      outDir: 'dist',
      sourceMap: true,
      skipLibCheck: true,
      forceConsistentCasingInFileNames: true,
    },
    include: ['src', 'test'],
  }, null, 2)}\n`;
}

export function renderGitignore(): string {
  return ['node_modules/', 'dist/', 'data/*.db', 'data/*.db-wal', 'data/*.db-shm', '*.tsbuildinfo', ''].join('\n');
}

export interface ReadmeInput {
  answers: Answers;
  model: ServiceModel;
  keyId: string | undefined;
  profiled: boolean;
  referenceData: string | undefined;
}

/** The project's README: what is in it, how to run, test, call, change and ship it. */
export function renderReadme(r: ReadmeInput): string {
  const { answers, model } = r;
  const auth = r.keyId !== undefined ? ` \\\n  -H "Authorization: Bearer $PONTE_API_KEY"` : '';
  const body = model.example
    ? `{"instances": [{"age": 39, "income": 52.7, "visits_last_30d": 0, "avg_session_minutes": 3.26, "pages_viewed": 3, "days_since_last_purchase": 365, "cart_items": 0, "is_returning": 0}]}`
    : undefined;
  const call = body !== undefined
    ? `curl -s localhost:8080/v1/models/${model.name}:predict${auth} \\\n  -d '${body}'`
    : `curl -s localhost:8080/v2/models/${model.name}${auth}            # its inputs and outputs\ncurl -s localhost:8080/v2/models/${model.name}/infer${auth} -d '{"inputs": [...]}'`;
  const lines: string[] = [
    `# ${answers.name}`,
    '',
    `A prediction service for the **${model.name}** model, served by [Ponte](https://www.npmjs.com/package/@ponte/cli)`,
    'over REST (the Open Inference Protocol v2 and a named-feature API). Made by `create-model-server`.',
    '',
    '## Run it',
    '',
    '```bash',
    'npm install',
    'npm start                      # http://127.0.0.1:8080 (npm start -- --port 9000 for another port)',
    'npm test                       # the custom plugin\'s test, against the real model',
    '```',
    '',
    '## Call it',
    '',
    '```bash',
    ...(r.keyId !== undefined ? ['export PONTE_API_KEY=pnt_…          # the key printed when the project was made'] : []),
    call,
    'curl -s localhost:8080/v2/health/ready',
    '```',
    '',
    'Swagger UI: <http://127.0.0.1:8080/docs>.',
    ...(r.keyId !== undefined ? [
      '',
      `Every route but the health probes needs an API key: \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`;`,
      'without one the answer is 401. The key was printed once; `ponte.yaml` holds only its scrypt hash. Make',
      'another (and paste its entry under `keys:`):',
      '',
      '```bash',
      `npx ponte key create --id billing --scopes infer:${model.name},read:${model.name}`,
      '```',
    ] : []),
    '',
    '## What is here',
    '',
    '```',
    'ponte.yaml                       the server: plugins, models, ports — every key in Ponte\'s docs/config.md',
    `models/${model.name}/model.yaml${' '.repeat(Math.max(1, 22 - model.name.length))}features (names, order, ranges), labels, task`,
    `models/${model.name}/1/${model.fileName}${' '.repeat(Math.max(1, 23 - model.name.length - model.fileName.length + 10))}the model, version 1 (add 2/ for the next version)`,
    ...(r.profiled ? [`models/${model.name}/1/profile.json${' '.repeat(Math.max(1, 19 - model.name.length))}its reference profile, what monitoring compares traffic with`] : []),
    ...(r.referenceData !== undefined ? [`${r.referenceData}${' '.repeat(Math.max(1, 33 - r.referenceData.length))}the reference data the profile was made from`] : []),
    'src/plugins/request-limits.ts    this service\'s own plugin (a validator), loaded by ponte.yaml from dist/',
    'test/request-limits.test.ts      its test: a real server, the real model',
    'Dockerfile, .dockerignore        the production image',
    'k8s/                             a Deployment and a Service',
    '```',
    '',
    '## Change it',
    '',
    `- **A new model version**: put it in \`models/${model.name}/2/${model.fileName}\`; the newest version serves unversioned requests.`,
    '- **Feature rules**: `model.yaml` (`min`, `max`, `enum`, `required`); a request breaking one gets a 400 naming the field.',
    '- **The plugin**: edit `src/plugins/request-limits.ts` and its test, or add plugins next to it and list them in `ponte.yaml`.',
    ...(answers.monitoring ? [
      r.referenceData !== undefined
        ? `- **Monitoring**: \`npm run profile\` remakes the reference profile from \`${r.referenceData}\`; \`npx ponte monitor report --model ${model.name}${r.keyId !== undefined ? ' --header "Authorization: Bearer $PONTE_API_KEY"' : ''}\` and <http://127.0.0.1:8080/dashboard> show drift, data quality and performance.`
        : `- **Monitoring**: starts once \`models/${model.name}/1/profile.json\` exists: \`npx ponte profile --config ponte.yaml --model ${model.name} --data YOUR_DATA.csv\`.`,
    ] : []),
    ...(answers.store === 'postgres' ? ['- **The prediction log** is in PostgreSQL: set `DATABASE_URL` (postgres://user:password@host:5432/db) before `npm start`.'] : []),
    ...(answers.store === 'sqlite' ? ['- **The prediction log** is `data/ponte.db` (SQLite): `curl localhost:8080/v2/models/' + model.name + '/predictions?limit=5`' + (r.keyId !== undefined ? ' with the key' : '') + '.'] : []),
    '',
    '## Ship it',
    '',
    '```bash',
    `docker build -t ${answers.name} .`,
    `docker run --rm -p 8080:8080 ${answers.name}`,
    `kubectl apply -f k8s/           # after pushing the image and setting its name in k8s/deployment.yaml`,
    '```',
    '',
    'The image builds the plugin, keeps only production dependencies, runs as a non-root user under',
    'tini (SIGTERM drains in-flight requests), and probes `/v2/health/ready`.',
    ...(answers.pontePath !== undefined ? [
      '',
      `This project depends on a local Ponte checkout (\`file:\` links to ${answers.pontePath}/packages): the`,
      'image cannot follow those links. Before building it, replace them in `package.json` with published',
      'versions (`"@ponte/cli": "^0.1.0"`, …) and run `npm install`.',
    ] : []),
    '',
  ];
  return lines.join('\n');
}
