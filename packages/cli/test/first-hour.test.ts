import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_MODELS, REPO_ROOT } from '@ponte/http/testing';
import { runCli, startServe } from './cli-process.js';

const BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'ponte.js');

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-first-hour-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls until nothing answers at `url` (connection refused) or the bound passes. */
async function closedWithin(url: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await fetch(`${url}/v2/health/live`, { signal: AbortSignal.timeout(1000) });
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

test('1. the ponte bin is a committed file, so npm links it at install time, before any build', async (t) => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin['ponte'], './bin/ponte.js');
  accessSync(BIN, constants.X_OK);
  const help = spawnSync(process.execPath, [BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /ponte serve/);

  // What npm does with it: a workspace holding the CLI's bin (and no build), installed then `npm ci`-ed offline.
  const dir = tempDir(t);
  mkdirSync(join(dir, 'packages', 'cli', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-clone', private: true, workspaces: ['packages/cli'] }));
  writeFileSync(join(dir, 'packages', 'cli', 'package.json'), JSON.stringify({ name: '@ponte/cli', version: '0.1.0', type: 'module', bin: pkg.bin }));
  copyFileSync(BIN, join(dir, 'packages', 'cli', 'bin', 'ponte.js'));
  for (const args of [['install'], ['ci']]) {
    const r = spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const link = join(dir, 'node_modules', '.bin', 'ponte');
    assert.ok(existsSync(link), `npm ${args[0]} linked node_modules/.bin/ponte`);
    assert.equal(realpathSync(link), realpathSync(join(dir, 'packages', 'cli', 'bin', 'ponte.js')));
  }
  // Not built yet: npx ponte says what to do instead of a stack trace.
  const npx = spawnSync('npx', ['ponte', '--help'], { cwd: dir, encoding: 'utf8' });
  assert.equal(npx.status, 1);
  assert.match(npx.stderr, /not built yet .*run `npm run build`/);

  // This checkout: once installed, the link resolves to the committed file and npx ponte runs.
  const link = join(REPO_ROOT, 'node_modules', '.bin', 'ponte');
  if (!existsSync(link)) {
    t.diagnostic('node_modules/.bin/ponte is not linked in this checkout yet (installed before the bin moved): run npm install once');
    return;
  }
  assert.equal(realpathSync(link), realpathSync(BIN));
  const real = spawnSync('npx', ['ponte', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(real.status, 0, real.stderr);
});

test('2. every port moves, by flag or by PONTE_* variable: the example config runs twice side by side', async (t) => {
  const flags = await startServe(['--config', 'config/ponte.yaml', '--port', '0', '--grpc-port', '0', '--health-port', '0']);
  t.after(() => flags.child.kill('SIGKILL'));
  const vars = await startServe(['--config', 'config/ponte.yaml'], 'server ready', { PONTE_PORT: '0', PONTE_GRPC_PORT: '0', PONTE_HEALTH_PORT: '0' });
  t.after(() => vars.child.kill('SIGKILL'));
  assert.notEqual(flags.url, vars.url);
  for (const s of [flags, vars]) {
    assert.equal((await fetch(`${s.url}/v2/health/ready`)).status, 200);
    assert.doesNotMatch(s.logs(), /:8080|:8081|"healthPort":8082/);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  }
  const bad = await runCli(['serve', '--config', 'config/ponte.yaml'], { PONTE_GRPC_PORT: 'eighty' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /PONTE_GRPC_PORT must be an integer between 0 and 65535, got "eighty"/);
});

test('3. config check reports five mistakes of four layers in one run', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 70000 }
plugins:
  - '@ponte/onnx'
  - package: '@ponte/validator-jsonschema'
    options: { colour: blue }
  - '@acme/not-installed'
repository: ${EXAMPLE_MODELS}
models:
  - { name: purchase, batching: { maxBatchSize: 0 } }
  - { name: ghost, source: ./nowhere }
`);
  const r = await runCli(['config', 'check', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /server\.port: must be <= 65535/);
  assert.match(r.stderr, /models\[0\]\.batching\.maxBatchSize: must be >= 1/);
  assert.match(r.stderr, /PONTE_PLUGIN_NOT_FOUND: plugins\[2\]: cannot import plugin "@acme\/not-installed"/);
  assert.match(r.stderr, /plugins\[1\]\.options\.colour: unknown key/);
  assert.match(r.stderr, /models\[1\]\.source: directory not found \(\.\/nowhere\)/);
});

test('3. config check loads every model: a corrupt model.onnx and features that do not fit the input are reported', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'models', 'broken', '1'), { recursive: true });
  writeFileSync(join(dir, 'models', 'broken', '1', 'model.onnx'), 'this is not an ONNX file');
  writeFileSync(join(dir, 'ponte.yaml'), `version: 1
plugins: ['@ponte/onnx']
repository: ./models
models:
  - { name: purchase, source: ${join(EXAMPLE_MODELS, 'purchase')}, features: [{ name: a }, { name: b }, { name: c }] }
`);
  const r = await runCli(['config', 'check', join(dir, 'ponte.yaml')]);
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /model "broken" version 1: does not load: /);
  assert.match(r.stderr, /model "purchase" version 1: .*has 8 columns but 3 features are configured/);
});

test('4. executor: auto, as documented, is accepted (plugin defaults and per model)', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ponte.yaml'), `version: 1
plugins:
  - package: '@ponte/onnx'
    options: { defaults: { executor: auto } }
models:
  - { name: purchase, source: ${join(EXAMPLE_MODELS, 'purchase')}, options: { executor: auto } }
`);
  const r = await runCli(['config', 'check', join(dir, 'ponte.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /OK \(1 plugins, 1 models, every model loaded\)/);
});

test('5. a plugin outside the repository imports @ponte/core; a missing dependency of it is not "plugin not found"', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'outside.mjs'), `import { definePlugin, Tokens } from '@ponte/core';
export default definePlugin({ name: 'outside', kind: 'other', register(ctx) { ctx.resolve(Tokens.ServerInfo); } });
`);
  writeFileSync(join(dir, 'needs-dep.mjs'), `import leftPad from 'left-pad-not-installed';
export default leftPad;
`);
  const config = (plugins: string): string => {
    const file = join(dir, `${plugins.replace(/\W/g, '')}.yaml`);
    writeFileSync(file, `version: 1\nplugins: [${plugins}]\n`);
    return file;
  };
  const ok = await runCli(['config', 'check', config("'./outside.mjs'")]);
  assert.equal(ok.code, 0, ok.stderr);
  const dep = await runCli(['config', 'check', config("'./needs-dep.mjs'")]);
  assert.equal(dep.code, 2);
  assert.match(dep.stderr, /PONTE_PLUGIN_IMPORT_FAILED: plugins\[0\]: plugin "\.\/needs-dep\.mjs" was found but importing it failed: .*left-pad-not-installed/);
  const missing = await runCli(['config', 'check', config("'./not-here.mjs'")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /PONTE_PLUGIN_NOT_FOUND: plugins\[0\]: cannot import plugin "\.\/not-here\.mjs": not found/);
});

/** Spawns a command that starts a server, waits for its URL, sends SIGTERM to the command (npm), and reports whether the server went away. */
async function sigtermLeavesNoServer(command: string, args: string[], cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, env: { ...process.env, PONTE_SINGLE_THREADED_GC: '0' } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server:\n${out}`)), 60_000);
    const read = (d: Buffer): void => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m && out.includes('"msg":"server ready"')) { clearTimeout(timer); resolve(m[1]!); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
  });
  try {
    assert.equal((await fetch(`${url}/v2/health/live`)).status, 200);
    child.kill('SIGTERM');
    assert.ok(await closedWithin(url, 20_000), `the server at ${url} still answers after SIGTERM to ${command}:\n${out}`);
  } finally {
    child.kill('SIGKILL');
  }
}

test('6. SIGTERM to npx ponte serve, or to npm start, stops the server too', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'ponte.yaml');
  writeFileSync(config, `version: 1\nserver: { port: 0 }\nplugins: ['@ponte/onnx']\nmodels: [{ name: purchase, source: ${join(EXAMPLE_MODELS, 'purchase')} }]\n`);
  // npx runs the bin as `sh -c 'ponte …'` below npm, exactly as `npm exec -c` does.
  await sigtermLeavesNoServer('npm', ['exec', '--offline', '-c', `node ${BIN} serve --config ${config}`], REPO_ROOT);
  // npm start: the root package's start script without its build step, from a package of its own.
  const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  assert.match(start, /&& exec node /, 'the start script execs node, so npm signals the server itself');
  const serve = start.replace(/^npm run build && /, '').replace('packages/cli/', `${REPO_ROOT}/packages/cli/`).replace('config/ponte.yaml', config);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'start-equivalent', private: true, scripts: { start: serve } }));
  await sigtermLeavesNoServer('npm', ['start'], dir);
});

test('7. an unknown model is a 404 whatever the body, on every inference route', async () => {
  const s = await startServe(['--config', 'config/ponte.yaml', '--port', '0', '--grpc-port', '0', '--health-port', '0']);
  try {
    for (const path of ['/v1/models/nope:predict', '/v1/models/nope/versions/1:predict', '/v2/models/nope/infer', '/v2/models/nope/versions/1/infer']) {
      for (const body of ['{}', '', 'not json', '{"inputs": []}']) {
        const res = await fetch(`${s.url}${path}`, { method: 'POST', body });
        assert.equal(res.status, 404, `${path} ${body}`);
        assert.equal(((await res.json()) as { code: string }).code, 'PONTE_MODEL_NOT_FOUND');
      }
    }
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
  }
});

test('8. config check names a custom route whose response asks the model for an output it does not have', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ponte.yaml'), `version: 1
plugins: ['@ponte/onnx']
models: [{ name: purchase, source: ${join(EXAMPLE_MODELS, 'purchase')} }]
routes:
  - { path: /prever_compra, model: purchase, response: { probabilidade_compra: probability, score: 'output:score' } }
`);
  const r = await runCli(['config', 'check', join(dir, 'ponte.yaml')]);
  assert.equal(r.code, 2, r.stdout);
  assert.match(r.stderr, /routes\[0\]\.response\.score: model "purchase" has no output "score" \(outputs: label, probabilities\)/);
  assert.doesNotMatch(r.stderr, /probabilidade_compra/);
});
