import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@ponte/http/testing';
import { runCli } from './cli-process.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-docker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A project as a user has it: a config, a model repository, a package-lock with @ponte/cli. */
function project(dir: string, config = `version: 1
server: { host: 127.0.0.1, port: 9000, shutdownTimeoutMs: 20000, health: { port: 9002 } }
plugins:
  - '@ponte/onnx'
  - package: '@ponte/grpc'
    options: { host: '\${env:PONTE_HOST:-127.0.0.1}', port: 9001 }
  - package: '@ponte/store-sqlite'
    options: { file: ./var/log.db }
repository: ./models
`): void {
  writeFileSync(join(dir, 'ponte.yaml'), config);
  mkdirSync(join(dir, 'models/purchase/1'), { recursive: true });
  cpSync(join(REPO_ROOT, 'examples/models/purchase/1/model.onnx'), join(dir, 'models/purchase/1/model.onnx'));
}

/** The build stage and the runtime stage of a two-stage Dockerfile. */
function stages(dockerfile: string): [string, string] {
  const froms = [...dockerfile.matchAll(/^FROM .*$/gm)];
  assert.equal(froms.length, 2, 'two stages');
  return [dockerfile.slice(froms[0]!.index, froms[1]!.index), dockerfile.slice(froms[1]!.index)];
}

test('the root Dockerfile and .dockerignore are what `ponte docker --from-source` writes for the example config', async (t) => {
  // Regenerated from a copy of the config and an (empty) repository at the same relative places.
  const dir = tempDir(t);
  mkdirSync(join(dir, 'config'));
  mkdirSync(join(dir, 'examples/models'), { recursive: true });
  cpSync(join(REPO_ROOT, 'config/ponte.yaml'), join(dir, 'config/ponte.yaml'));
  const run = await runCli(['docker', '--from-source', '--config', join(dir, 'config/ponte.yaml'), '--out', join(dir, 'Dockerfile')]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'), readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'the root Dockerfile is stale: run `node packages/cli/dist/src/main.js docker --from-source --config config/ponte.yaml` (delete .dockerignore first to regenerate it too)');
  assert.equal(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'), readFileSync(join(dir, '.dockerignore'), 'utf8'));
});

test('ponte docker writes a two-stage production Dockerfile: compilers in the build stage only, non-root, health-checked, exec-form node', async (t) => {
  const dir = tempDir(t);
  project(dir);
  const run = await runCli(['docker', '--config', join(dir, 'ponte.yaml'), '--out', join(dir, 'Dockerfile')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /wrote .*Dockerfile/);
  assert.match(run.stdout, /models: models baked in at \/mnt\/models \(linked from \/app\/models\)/);
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const [build, runtime] = stages(dockerfile);

  assert.match(build, /^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS build$/m);
  assert.match(dockerfile, /^ARG NODE_VERSION=20$/m);
  assert.match(build, /apt-get install -y --no-install-recommends python3 make g\+\+ tini/);
  assert.match(build, /^ENV ONNXRUNTIME_NODE_INSTALL=skip$/m);
  assert.match(build, /npm ci --omit=dev/);
  assert.doesNotMatch(build, /tsc -b/, 'a project installs Ponte built, it does not compile it');
  // Models baked in at /mnt/models, where the config's ./models points.
  assert.match(build, /cp -a models\/\. \/mnt\/models\//);
  assert.match(build, /ln -s \/mnt\/models \/app\/models/);

  assert.match(runtime, /^FROM node:\$\{NODE_VERSION\}-bookworm-slim$/m);
  assert.doesNotMatch(runtime, /apt-get|g\+\+|python3/, 'no compilers in the runtime image');
  assert.match(runtime, /^USER 10001:10001$/m);
  assert.match(runtime, /useradd --uid 10001/);
  assert.match(runtime, /^COPY --from=build \/usr\/bin\/tini-static \/usr\/bin\/tini$/m);
  assert.match(runtime, /^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
  const cmd = /^CMD (.*)$/m.exec(runtime)?.[1];
  assert.deepEqual(JSON.parse(cmd!), ['node', '/app/node_modules/@ponte/cli/dist/src/main.js', 'serve', '--config', '/app/ponte.yaml', '--host', '0.0.0.0'], 'exec form, node itself (not npm), so the signal reaches Ponte');
  assert.match(runtime, /^STOPSIGNAL SIGTERM$/m);
  // Probed on the health port, answered off the event loop.
  assert.match(runtime, /HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:9002\/v2\/health\/ready'\)/);
  assert.match(runtime, /^EXPOSE 9000 9001 9002$/m);
  // The SQLite log's folder is the only place the service user may write.
  assert.match(runtime, /chown 10001:10001 \/app\/var/);
  assert.match(runtime, /drains in-flight requests \(server\.shutdownTimeoutMs = 20000 ms\)/);

  const ignore = readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['**/node_modules', '.git', '**/*.db']) assert.ok(ignore.includes(entry), entry);
  assert.ok(!ignore.includes('models'), 'baked models stay in the context');
});

test('ponte docker --mount bakes no model: the repository comes from a volume at /mnt/models', async (t) => {
  const dir = tempDir(t);
  project(dir);
  const run = await runCli(['docker', '--config', join(dir, 'ponte.yaml'), '--out', join(dir, 'Dockerfile'), '--mount', '--node-version', '22']);
  assert.equal(run.code, 0, run.stderr);
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  assert.doesNotMatch(dockerfile, /cp -a/);
  assert.match(dockerfile, /^RUN mkdir -p \/mnt\/models$/m);
  assert.match(dockerfile, /ln -s \/mnt\/models \/app\/models/);
  assert.match(dockerfile, /^ARG NODE_VERSION=22$/m);
  assert.ok(readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n').includes('models'), 'mounted models stay out of the build context');
});

test('ponte docker keeps an existing .dockerignore and takes --models-dir for a config with an absolute repository', async (t) => {
  const dir = tempDir(t);
  project(dir, 'version: 1\nplugins: [\'@ponte/onnx\']\nrepository: /mnt/models\n');
  writeFileSync(join(dir, '.dockerignore'), 'mine\n');
  const run = await runCli(['docker', '--config', join(dir, 'ponte.yaml'), '--out', join(dir, 'Dockerfile'), '--models-dir', join(dir, 'models')]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(join(dir, '.dockerignore'), 'utf8'), 'mine\n');
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /cp -a models\/\. \/mnt\/models\//);
  assert.doesNotMatch(dockerfile, /ln -s/, 'the config already reads /mnt/models');
  assert.match(dockerfile, /127\.0\.0\.1:8080\/v2\/health\/ready/, 'no health port: the data-plane port is probed');
});

test('ponte docker refuses what it cannot build, with a usage error saying why', async (t) => {
  const dir = tempDir(t);
  project(dir, 'version: 1\nplugins: [\'@ponte/onnx\']\nrepository: /srv/models\n');
  const cases: [string[], RegExp][] = [
    [['--config', join(dir, 'missing.yaml'), '--out', join(dir, 'Dockerfile')], /cannot read .*missing\.yaml/],
    [['--config', join(dir, 'ponte.yaml'), '--out', join(dir, 'Dockerfile')], /no model repository to bake in: pass --models-dir DIR, or --mount/],
    [['--config', join(dir, 'ponte.yaml'), '--out', join(dir, 'sub/Dockerfile'), '--mount'], /must be inside the build context/],
    [['--config', join(dir, 'ponte.yaml'), '--out', join(dir, 'Dockerfile'), '--mount', '--node-version', 'latest'], /--node-version must be a Node\.js version/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(['docker', ...args]);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, message);
  }
  assert.equal(existsSync(join(dir, 'Dockerfile')), false, 'nothing written on a refusal');
});
