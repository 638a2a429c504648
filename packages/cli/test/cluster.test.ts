import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_MODELS } from '@ponte/http/testing';
import { processCount } from '../src/cluster-primary.js';
import { runCli, startServe } from './cli-process.js';

function config(extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-cluster-'));
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0, processes: 2 }
plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/exporter-prometheus']
repository: ${JSON.stringify(EXAMPLE_MODELS)}
models: [{ name: wide_mlp, required: false, versionPolicy: { specific: [99] } }]
${extra}`);
  return file;
}

test('with server.processes: 2, two processes share the port, metrics add up across them, and SIGTERM drains both', async (t) => {
  const { child, url, logs, exited } = await startServe(['--config', config('')], 'all server processes ready');
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const n = 40;
  for (let i = 0; i < n; i++) {
    // A new connection each time, so the kernel spreads them over both processes.
    const res = await fetch(`${url}/v1/models/purchase:predict`, {
      method: 'POST',
      headers: { Connection: 'close' },
      body: JSON.stringify({ instances: [[39, 52.7, 0, 3.26, 3, 365, 0, 0]] }),
    });
    assert.equal(res.status, 200);
  }
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('ponte_requests_total{protocol="rest",endpoint="predict",model="purchase",version="1",code="200"}'));
  assert.equal(line?.split(' ').pop(), String(n), metrics.slice(0, 2000));

  // Access lines are written in batches (at most every 200 ms per process): wait until all n are in.
  const answeredBy = (): { lines: number; pids: Set<number> } => {
    const pids = new Set<number>();
    let lines = 0;
    for (const l of logs().trim().split('\n')) {
      const entry = JSON.parse(l) as { msg?: string; path?: string; pid?: number };
      if (entry.msg === 'request' && entry.path === '/v1/models/purchase:predict') { lines++; pids.add(entry.pid!); }
    }
    return { lines, pids };
  };
  for (const until = Date.now() + 5000; answeredBy().lines < n && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
  const { lines, pids } = answeredBy();
  assert.equal(lines, n, 'one access line per request');
  assert.equal(pids.size, 2, `requests were answered by ${[...pids].join(', ')}`);

  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(logs(), /"msg":"all server processes stopped"/);
});

test('with several processes, an invalid plugin option stops them all with exit code 2', async () => {
  const file = config('');
  writeFileSync(file, `${(await import('node:fs')).readFileSync(file, 'utf8').replace("'@ponte/exporter-prometheus']", "{ package: '@ponte/exporter-prometheus', options: { colour: red } }]")}`);
  const r = await runCli(['serve', '--config', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /plugins\[2\]\.options\.colour: unknown key/);
});

test('with several processes and server.health.port, the primary answers probes for all of them and fails liveness when one is stuck', async (t) => {
  const file = config('');
  writeFileSync(file, (await import('node:fs')).readFileSync(file, 'utf8').replace('server: { port: 0, processes: 2 }', 'server: { port: 0, processes: 2, health: { port: 0, stallMs: 500 } }'));
  const { child, logs, exited } = await startServe(['--config', file], 'all server processes ready');
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const port = /"port":(\d+),"msg":"health listener on the primary"/.exec(logs())?.[1];
  assert.ok(port !== undefined, logs().slice(0, 2000));
  const health = `http://127.0.0.1:${port}`;
  type Body = { ready?: boolean; live?: boolean; reason?: string; processes: Array<{ pid: number; ready: boolean }> };
  const get = async (path: string): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${health}${path}`);
    return { status: res.status, body: (await res.json()) as Body };
  };

  // Each process reports every 200 ms; the primary may have heard from one only.
  let ready = await get('/v2/health/ready');
  for (const until = Date.now() + 5000; ready.status !== 200 && Date.now() < until; ready = await get('/v2/health/ready')) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.equal(ready.body.processes.length, 2);
  assert.ok(ready.body.processes.every((p) => p.ready));

  // A process whose event loop stops (here: the whole process, SIGSTOP) fails liveness after stallMs, naming it.
  const stuck = ready.body.processes[0]!.pid;
  process.kill(stuck, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, 900));
    const live = await get('/v2/health/live');
    assert.equal(live.status, 503, JSON.stringify(live.body));
    assert.match(live.body.reason ?? '', new RegExp(`process ${stuck} has not run for \\d+ ms`));
    assert.equal((await get('/v2/health/ready')).status, 503);
  } finally {
    process.kill(stuck, 'SIGCONT');
  }
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await get('/v2/health/live')).status, 200, 'live again once the process runs');

  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('processes: auto forks one per usable CPU, rounding a fractional container limit up; a number is taken as given', () => {
  assert.equal(processCount('auto', 2), 2);
  assert.equal(processCount('auto', 1.5), 2);
  assert.equal(processCount('auto', 0.5), 1);
  assert.equal(processCount(3, 64), 3);
});
