import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const WORKSPACE = join(PACKAGE_DIR, '..', '..');
const BIN = join(PACKAGE_DIR, 'dist', 'src', 'main.js');
/**
 * npm and the generated project's own steps: nothing downloaded by onnxruntime-node; and without
 * NODE_TEST_CONTEXT, which would make the project's `node --test` report to this runner instead of stdout.
 */
const { NODE_TEST_CONTEXT: _ownRunner, ...ENV } = process.env;
const NPM_ENV = { ...ENV, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
const PURCHASE_ROW = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}/v2/health/ready`)).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready within ${ms} ms:\n${log()}`);
}

/** Stops `npm start` and what it started (npm → sh → node): they share the process group made for them. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch { /* already gone */ }
  const timer = setTimeout(() => {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

test('npx create-model-server my-service --yes makes a service that installs, passes its test, serves with the printed key and refuses without it', { timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cms-test-'));
  let server: ChildProcess | undefined;
  try {
    const dir = join(tmp, 'my-service');
    const made = await run(process.execPath, [BIN, dir, '--yes', '--ponte-path', WORKSPACE], { cwd: tmp, timeout: 120_000 });
    assert.match(made.stdout, /✔ Reference profile: models\/purchase\/1\/profile\.json/);
    assert.match(made.stdout, /Next:\n {2}cd my-service\n {2}npm install\n {2}npm start/);
    const key = /\n {2}(pnt_owner_[A-Za-z0-9_-]{43})\n/.exec(made.stdout)?.[1];
    assert.ok(key !== undefined, `the key is printed on a line of its own:\n${made.stdout}`);

    for (const f of ['ponte.yaml', 'package.json', 'tsconfig.json', 'README.md', 'Dockerfile', '.dockerignore', 'k8s/deployment.yaml', 'k8s/service.yaml',
      'models/purchase/model.yaml', 'models/purchase/1/model.onnx', 'models/purchase/1/profile.json', 'data/reference.csv',
      'src/plugins/request-limits.ts', 'test/request-limits.test.ts']) {
      assert.ok(existsSync(join(dir, f)), `${f} is written`);
    }
    const configText = readFileSync(join(dir, 'ponte.yaml'), 'utf8');
    assert.ok(!configText.includes(key), 'the key itself is never written, only its hash');
    const config = parse(configText) as { plugins: Array<string | { package: string; options: { keys?: Array<{ id: string; hash: string }> } }> };
    const auth = config.plugins.find((p) => typeof p !== 'string' && p.package === '@ponte/auth-apikey');
    assert.ok(typeof auth === 'object' && auth.options.keys?.[0]?.hash.startsWith('scrypt$'), 'the key\'s scrypt hash is in ponte.yaml');
    const profile = JSON.parse(readFileSync(join(dir, 'models/purchase/1/profile.json'), 'utf8')) as { features: unknown };
    assert.ok(profile.features !== undefined, 'the profile describes the features');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(pkg.dependencies['@ponte/cli'], `file:${join(WORKSPACE, 'packages', 'cli')}`);

    // Offline when the npm cache has what it needs; the @ponte packages are links to the workspace.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: NPM_ENV, timeout: 300_000 });
    const tested = await run('npm', ['test'], { cwd: dir, env: NPM_ENV, timeout: 180_000 });
    // The plugin's own test and its conformance suite from @ponte/testing.
    assert.match(tested.stdout, /# pass [2-9]\d*\n# fail 0/);
    assert.match(tested.stdout, /Validator conformance: request-limits/);

    const port = await freePort();
    let log = '';
    server = spawn('npm', ['start', '--', '--port', String(port)], { cwd: dir, env: { ...NPM_ENV, PONTE_PORT: String(port), PONTE_LOG_LEVEL: 'warn' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
    server.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, server, () => log);

    const predict = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ instances: [PURCHASE_ROW] }) });

    const without = await predict({});
    assert.equal(without.status, 401);
    assert.equal(((await without.json()) as { code: string }).code, 'PONTE_UNAUTHENTICATED');

    const wrong = await predict({ authorization: `Bearer ${key.slice(0, -4)}AAAA` });
    assert.equal(wrong.status, 401);

    const answered = await predict({ authorization: `Bearer ${key}` });
    assert.equal(answered.status, 200, await answered.clone().text());
    const body = (await answered.json()) as { predictions: Array<{ label: string; probability: number }> };
    assert.equal(body.predictions.length, 1);
    assert.ok(['no', 'yes'].includes(body.predictions[0]!.label));
    assert.ok(answered.headers.get('x-prediction-id'), 'the prediction is logged (SQLite store)');

    const viaHeader = await predict({ 'x-api-key': key });
    assert.equal(viaHeader.status, 200);
  } finally {
    if (server !== undefined) await stopGroup(server);
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('flags choose the parts: no auth, no store (so no monitoring), no exporters, a model file of your own', { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cms-test-'));
  try {
    const dir = join(tmp, 'Digits Service');
    const modelFile = join(tmp, 'digits.onnx');
    writeFileSync(modelFile, readFileSync(join(WORKSPACE, 'examples', 'models', 'digits', '1', 'model.onnx')));
    const made = await run(process.execPath, [BIN, dir, '--no-auth', '--store', 'none', '--exporters', 'none', '--model', modelFile], { cwd: tmp, timeout: 60_000 });
    assert.doesNotMatch(made.stdout, /pnt_/, 'no key without auth');
    const config = parse(readFileSync(join(dir, 'ponte.yaml'), 'utf8')) as { plugins: Array<string | { package: string }>; models: Array<{ name: string; monitoring?: unknown }> };
    const names = config.plugins.map((p) => (typeof p === 'string' ? p : p.package));
    assert.deepEqual(names, ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi', './dist/src/plugins/request-limits.js']);
    assert.equal(config.models[0]!.name, 'digits');
    assert.ok(existsSync(join(dir, 'models', 'digits', '1', 'model.onnx')));
    assert.ok(!existsSync(join(dir, 'models', 'digits', '1', 'profile.json')), 'no reference data, no profile');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    assert.equal(pkg.name, 'digits-service', 'the npm name is made from the folder name');
    assert.equal(pkg.dependencies['@ponte/cli'], '^0.1.0', 'published packages without --ponte-path');
    assert.doesNotMatch(readFileSync(join(dir, 'k8s', 'deployment.yaml'), 'utf8'), /emptyDir/, 'no SQLite file to keep');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a bad answer stops before anything is written, naming the flag', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cms-test-'));
  try {
    const fail = async (args: string[]): Promise<{ code: number; stderr: string }> => {
      try {
        await run(process.execPath, [BIN, ...args], { cwd: tmp, timeout: 60_000 });
        return { code: 0, stderr: '' };
      } catch (e) {
        const err = e as { code: number; stderr: string };
        return { code: err.code, stderr: err.stderr };
      }
    };
    let r = await fail(['svc', '--store', 'mongo']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--store must be one of sqlite, postgres, none, got "mongo"/);
    r = await fail(['svc', '--yes', '--store', 'none', '--monitoring']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--monitoring needs a prediction store/);
    r = await fail(['svc', '--yes', '--model', 'model.pkl']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--model: model\.pkl is not a model file Ponte serves/);
    assert.ok(!existsSync(join(tmp, 'svc')), 'nothing written');

    mkdirSync(join(tmp, 'taken'));
    writeFileSync(join(tmp, 'taken', 'notes.txt'), 'mine');
    r = await fail(['taken', '--yes']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /taken exists and is not empty: choose another folder, or pass --force/);
    assert.equal(readFileSync(join(tmp, 'taken', 'notes.txt'), 'utf8'), 'mine');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
