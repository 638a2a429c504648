import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '@ponte/core';
import {
  checkGolden, loadGolden, parseWrkOutput, peerApi, ponteConfigYaml, POST_LUA, renderReport, runWrk, startPinned, writeReport,
  type BenchResults,
} from '../src/index.js';
import { groupMembers } from '../src/rss.js';
import { EXAMPLE_MODELS } from '../src/paths.js';

type Handler = (body: string) => { status: number; json: unknown };

async function tinyServer(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
      const { status, json } = handler(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  return { url: `http://127.0.0.1:${addr.port}`, server };
}

const close = (s: Server): Promise<void> => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); });

test('a short real wrk run against a node:http server is parsed into req/s and latencies', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-test-'));
  const { url, server } = await tinyServer(() => ({ status: 200, json: { probability: 0.5 } }));
  t.after(async () => { await close(server); rmSync(tmp, { recursive: true, force: true }); });
  const bodyFile = join(tmp, 'body.json');
  writeFileSync(bodyFile, JSON.stringify({ features: { a: 1 } }));

  const stats = await runWrk({ url: `${url}/predict`, bodyFile, luaScript: POST_LUA, connections: 2, durationS: 1, cpu: 0 });

  assert.ok(stats.requests > 0, `wrk made requests (${stats.requests})`);
  assert.ok(stats.rps > 0);
  assert.ok(stats.durationS > 0.5 && stats.durationS < 5, `duration ${stats.durationS}`);
  assert.ok(stats.p50Ms > 0 && stats.p50Ms <= stats.p99Ms && stats.p99Ms <= stats.maxMs);
  assert.equal(stats.errors, 0);
});

test('wrk output without a summary line is an error, not zeros', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /WRK_JSON/);
});

test('the golden checker accepts right answers and rejects a server that is off by 1e-3', async (t) => {
  const golden = loadGolden(join(EXAMPLE_MODELS, 'purchase', 'golden.json'));
  const rowOf = (body: string): number => {
    const f = (JSON.parse(body) as { features: Record<string, number> }).features;
    return golden.inputs_named.findIndex((r) => Object.keys(r).every((k) => r[k] === f[k]));
  };
  const right = await tinyServer((b) => ({ status: 200, json: { probability: golden.expected[rowOf(b)]![1] } }));
  const wrong = await tinyServer((b) => ({ status: 200, json: { probability: golden.expected[rowOf(b)]![1]! + 1e-3 } }));
  t.after(async () => { await close(right.server); await close(wrong.server); });

  const ok = await checkGolden(right.url, peerApi, 'purchase', golden);
  assert.equal(ok.ok, true, ok.failures.join('\n'));
  assert.equal(ok.rows, 10);

  const bad = await checkGolden(wrong.url, peerApi, 'purchase', golden);
  assert.equal(bad.ok, false);
  assert.equal(bad.failures.length, 10);
  assert.ok(Math.abs(bad.maxAbs - 1e-3) < 1e-9);
});

function results(soak: boolean): BenchResults {
  const stats = { requests: 1000, durationS: 1, rps: 1000, p50Ms: 1, p90Ms: 2, p99Ms: 3, maxMs: 4, errors: 0, non2xx: 0 };
  return {
    startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:05:00Z'), mode: 'test', commands: ['wrk ...'], notes: [],
    load: [
      { model: 'purchase', key: 'ponte-oip-on', label: 'Ponte OIP, batching on', connections: 32, status: 'ok', stats: { ...stats, rps: 20000 } },
      { model: 'purchase', key: 'naive', label: 'naive Hono', connections: 32, status: 'ok', stats: { ...stats, rps: 10000 } },
      { model: 'purchase', key: 'flask', label: 'Flask', connections: 32, status: 'ok', stats: { ...stats, rps: 2000 } },
    ],
    oneConnection: [], ceiling: [], ponteFacts: {}, loadAvg: { start: 0, end: 0 },
    ...(soak ? { soak: { status: 'ok' as const, minutes: 10, samples: [[60, 100], [600, 104]] as Array<[number, number]>, memory: { warmMb: 100, lastMinuteMb: 104, ratio: 1.04 } } } : {}),
  };
}

test('the report writer keeps the hand-written notes and the last soak, and regenerates the rest', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const file = join(tmp, 'benchmarks.md');
  writeReport(file, renderReport(results(true), [['CPU', 'test']]), true);
  const first = readFileSync(file, 'utf8');
  assert.match(first, /\| Ponte OIP, batching on \| 20,000 \|.*\| 2\.00× \| 10\.00× \|/);
  assert.match(first, /RSS over the second minute \(warm\): \*\*100 MB\*\* mean/);

  // The lead engineer writes analysis in the notes block.
  const edited = first.replace(/_Write the analysis[^]*?exactly as it is\._/, 'Batching wins on wide_mlp because …');
  writeFileSync(file, edited.replace('20,000', 'stale figure'));

  writeReport(file, renderReport(results(false), [['CPU', 'test']]), false);
  const second = readFileSync(file, 'utf8');
  assert.match(second, /Batching wins on wide_mlp because …/);
  assert.doesNotMatch(second, /_Write the analysis/);
  assert.doesNotMatch(second, /stale figure/);
  assert.match(second, /RSS over the second minute \(warm\): \*\*100 MB\*\* mean/, 'the soak of an earlier run is kept');
  assert.match(second, /purchase: Ponte OIP, batching on ≥ 1\.3× naive Hono req\/s \| 2\.00× \| ✅ pass/);
});

test('the generated Ponte config passes core\'s config validation', (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const file = join(tmp, 'ponte.yaml');
  writeFileSync(file, ponteConfigYaml({ model: 'wide_mlp', batching: false, prometheus: false }));
  const { config } = loadConfigFile(file);
  assert.equal(config.logging.requests, true);
  assert.deepEqual(config.models.map((m) => m.name).sort(), ['digits', 'house', 'purchase', 'wide_mlp']);
  assert.equal(config.models.find((m) => m.name === 'wide_mlp')?.batching?.enabled, false);
  assert.equal(config.models.find((m) => m.name === 'purchase')?.batching?.enabled, undefined);
});

test('stopping a started server stops its whole process group', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const proc = startPinned({ name: 'forking shell', command: 'sh', args: ['-c', 'sleep 30 & sleep 30'], logFile: join(tmp, 'log'), cpu: 0 });
  t.after(() => proc.stop());
  const deadline = Date.now() + 10_000;
  while (groupMembers(proc.pid).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(groupMembers(proc.pid).length >= 2, 'the shell and its background child run');

  await proc.stop();

  assert.equal(proc.hasExited(), true);
  const gone = Date.now() + 5000;
  while (groupMembers(proc.pid).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(groupMembers(proc.pid), []);
});
