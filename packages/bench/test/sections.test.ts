import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfigFile } from '@ponte/core';
import {
  compareBatch, HealthProber, probeTargets, loadGolden, oipBatchBody, overloadChecks, parseBenchArgs, parseStatusCounts, parseWrkOutput, ponteConfigYaml,
  POST_STATUS_LUA, renderReport, requestDurations, runWrkOutput, startOtlpSink, summarizeTelemetry, telemetryChecks,
  type BenchResults, type LoadStats, type OverloadResult, type TelemetryResult,
} from '../src/index.js';
import { EXAMPLE_MODELS, PONTE_CLI } from '../src/paths.js';

const run = promisify(execFile);

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, server });
  }));
}
const close = (s: Server): Promise<void> => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); });
const tmpDir = (t: { after(fn: () => void): void }): string => {
  const d = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

test('wrk with post-status.lua counts 200s and 429s separately, and the 429s that carry Retry-After and PONTE_QUEUE_FULL', async (t) => {
  const tmp = tmpDir(t);
  // Every other request is "queue full" as Ponte answers it; every fifth of those lacks Retry-After.
  const served: Record<string, number> = { ok: 0, full: 0, noRetry: 0 };
  const { url, server } = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      const n = served['ok']! + served['full']!;
      if (n % 2 === 0) { served['ok']!++; res.writeHead(200, { 'content-type': 'application/json' }).end('{"outputs":[]}'); return; }
      served['full']!++;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (served['full']! % 5 !== 0) headers['Retry-After'] = '1'; else served['noRetry']!++;
      res.writeHead(429, headers).end('{"error":{"code":"PONTE_QUEUE_FULL","message":"queue of model is full"}}');
    });
  });
  t.after(() => close(server));
  const bodyFile = join(tmp, 'body.json');
  writeFileSync(bodyFile, '{"inputs":[]}');

  const out = await runWrkOutput({ url, bodyFile, luaScript: POST_STATUS_LUA, connections: 2, durationS: 1, cpu: 0 });
  const counts = parseStatusCounts(out);
  const stats = parseWrkOutput(out);

  const c200 = counts.byStatus['200'] ?? 0;
  const c429 = counts.byStatus['429'] ?? 0;
  assert.ok(c200 > 0 && c429 > 0, JSON.stringify(counts));
  assert.equal(c200 + c429, stats.requests, 'every answer wrk counted is in a status bucket');
  assert.equal(c429, stats.non2xx, 'wrk\'s non-2xx are exactly the 429s');
  assert.equal(counts.queueFull, c429);
  assert.ok(counts.retryAfter < c429 && counts.retryAfter >= c429 - served['noRetry']! - 2, `${counts.retryAfter} of ${c429} carried Retry-After`);
});

test('wrk output without the status line is an error, not zero rejections', () => {
  assert.throws(() => parseStatusCounts('WRK_JSON {"requests":1}\n'), /WRK_STATUS/);
});

test('the request log pass keeps the inference path inside the overload window, by status', () => {
  const line = (time: string, path: string, status: number, ms: number): string =>
    JSON.stringify({ level: 'info', time, pid: 1, requestId: 'x', method: 'POST', path, status, ms, msg: 'request' });
  const p = '/v2/models/wide_mlp/infer';
  const text = [
    JSON.stringify({ level: 'info', time: '2026-01-01T00:00:00.000Z', msg: 'server ready', ms: 700 }),
    line('2026-01-01T00:00:01.000Z', p, 200, 3), // golden check / warm-up: before the window
    line('2026-01-01T00:00:10.100Z', p, 200, 40),
    line('2026-01-01T00:00:10.200Z', p, 429, 0.2),
    line('2026-01-01T00:00:10.300Z', '/v2/health/live', 200, 0.1),
    line('2026-01-01T00:00:10.400Z', p, 200, 60),
    'not json',
    line('2026-01-01T00:00:30.000Z', p, 200, 5), // after the window
  ].join('\n');

  const d = requestDurations(text, p, { fromMs: Date.parse('2026-01-01T00:00:10.000Z'), toMs: Date.parse('2026-01-01T00:00:20.000Z') });

  assert.deepEqual(d.get(200), [40, 60]);
  assert.deepEqual(d.get(429), [0.2]);
  assert.equal(d.size, 2);
});

const lat = (p50: number, p99: number, max: number, count = 100) => ({ count, p50Ms: p50, p99Ms: p99, maxMs: max });
const wrkStats = (o: Partial<LoadStats> = {}): LoadStats => ({ requests: 20000, durationS: 10, rps: 2000, p50Ms: 10, p90Ms: 40, p99Ms: 80, maxMs: 100, errors: 15000, non2xx: 15000, ...o });

function healthyOverload(): OverloadResult {
  return {
    status: 'ok', model: 'wide_mlp', connections: 128, durationS: 10, maxBatchSize: 32, maxQueueSize: 64,
    wrk: wrkStats(),
    statuses: { byStatus: { '200': 5000, '429': 15000 }, retryAfter: 15000, queueFull: 15000 },
    serverAccepted: lat(45, 70, 80, 5000), // bound: 2 × 96 / 500 per s = 384 ms
    serverRejected: lat(0.1, 0.3, 4, 15000),
    probes: [
      { path: '/v2/health/live', probes: 500, failures: 0, latency: lat(20, 44, 48), maxAtS: 3 },
      { path: '/v2/health/ready', probes: 500, failures: 0, latency: lat(20, 45, 49), maxAtS: 5 },
    ],
    rssBeforeMb: 170, rssPeakMb: 180, rssAfterMb: 176,
  };
}

test('a well-behaved overload run passes every overload target', () => {
  const checks = overloadChecks(healthyOverload());
  assert.equal(checks.length, 6);
  for (const c of checks) assert.equal(c.pass, true, `${c.target}: ${c.measured}`);
});

test('each overload failure fails its own target: a 500, 429s without Retry-After, a slow probe, memory growth, slow accepted requests', () => {
  const o = healthyOverload();
  const miss = (r: OverloadResult): string[] => overloadChecks(r).filter((c) => c.pass === false).map((c) => c.target.replace(/^overload \([^)]*\): /, ''));

  assert.deepEqual(miss({ ...o, statuses: { ...o.statuses!, byStatus: { ...o.statuses!.byStatus, '500': 1 } } }), ['no 5xx answers']);
  assert.deepEqual(miss({ ...o, statuses: { ...o.statuses!, retryAfter: 14999 } }), ['a full queue answers 429/503 with Retry-After and PONTE_QUEUE_FULL, p99 ≤ 5 ms in the server']);
  assert.deepEqual(miss({ ...o, serverRejected: lat(2, 30, 40) }), ['a full queue answers 429/503 with Retry-After and PONTE_QUEUE_FULL, p99 ≤ 5 ms in the server']);
  assert.deepEqual(miss({ ...o, probes: [o.probes![0]!, { ...o.probes![1]!, latency: lat(20, 45, 620) }] }), ['health probes max ≤ 50 ms']);
  assert.deepEqual(miss({ ...o, probes: [{ ...o.probes![0]!, failures: 1 }, o.probes![1]!] }), ['health probes p99 ≤ 50 ms, none failed']);
  assert.deepEqual(miss({ ...o, rssPeakMb: 2 * 170 + 101 }), ['peak RSS ≤ 2× RSS before + 100 MB']);
  assert.deepEqual(miss({ ...o, serverAccepted: lat(300, 400, 500, 5000) }), ['accepted requests\' p99 in the server ≤ 2× (queue + batch) / accepted rate']);
});

test('a queue that never filled leaves the rejection target unmeasured, and a failed run fails', () => {
  const o = healthyOverload();
  const never = overloadChecks({ ...o, statuses: { byStatus: { '200': 20000 }, retryAfter: 0, queueFull: 0 } });
  const rejection = never.find((c) => c.target.includes('Retry-After'))!;
  assert.equal(rejection.pass, undefined);
  assert.match(rejection.measured, /never filled/);

  const failed = overloadChecks({ ...o, status: 'failed', note: 'did not start' });
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.pass, false);
});

test('with a health port, the health targets are judged on its probes; the data-plane probes are reported only', () => {
  const o = healthyOverload();
  const onPort = (port: 'health' | 'data-plane', maxMs: number): NonNullable<OverloadResult['probes']> =>
    o.probes!.map((p) => ({ ...p, port, latency: lat(20, Math.min(45, maxMs), maxMs) }));
  const judged = (r: OverloadResult): Array<[string, boolean | undefined]> => overloadChecks(r).filter((c) => c.target.includes('health')).map((c) => [c.measured, c.pass]);
  const fastPortSlowPlane = judged({ ...o, probes: [...onPort('health', 4), ...onPort('data-plane', 70)] });
  assert.deepEqual(fastPortSlowPlane.map(([, pass]) => pass), [true, true]);
  assert.equal(fastPortSlowPlane[1]![0], '4.00 ms');
  const slowPort = judged({ ...o, probes: [...onPort('health', 70), ...onPort('data-plane', 4)] });
  assert.deepEqual(slowPort.map(([, pass]) => pass), [true, false], 'a slow health port misses even when the data-plane port was fast');
});

test('the health prober counts probes and failures of each endpoint against a real server', async (t) => {
  const { url, server } = await listen((req, res) => { res.writeHead(req.url === '/ready' ? 503 : 200).end('{}'); });
  t.after(() => close(server));
  const prober = new HealthProber(probeTargets(url, ['/live', '/ready'], 'health'), 20).start();
  await new Promise((r) => setTimeout(r, 500));
  const [live, ready] = await prober.stop();

  assert.equal(live!.path, '/live');
  assert.equal(live!.port, 'health');
  assert.ok(live!.probes >= 5, `${live!.probes} probes in 0.5 s`);
  assert.equal(live!.failures, 0);
  assert.ok(live!.latency.p50Ms > 0 && live!.latency.p50Ms <= live!.latency.maxMs);
  assert.equal(ready!.failures, ready!.probes, 'a 503 is a failed probe');
});

test('telemetry rows are judged on medians against the off row: 96% passes, 94% misses', () => {
  const s = (rps: number): LoadStats => wrkStats({ rps, errors: 0, non2xx: 0 });
  const t: TelemetryResult = {
    model: 'purchase', connections: 32, variants: [
      { key: 'off', label: 'telemetry off', status: 'ok', runs: [s(10000), s(9000), s(11000)] },
      { key: 'metrics', label: 'metrics on', status: 'ok', runs: [s(9600), s(20000), s(5000)] },
      { key: 'metrics-tracing', label: 'metrics + tracing on', status: 'ok', runs: [s(9400), s(9300), s(9500)], traceExports: [3, 3, 3] },
    ],
  };
  const sum = summarizeTelemetry(t);
  assert.equal(sum[0]!.medianRps, 10000);
  assert.equal(sum[0]!.spread, 0.2);
  assert.equal(sum[1]!.ratio, 0.96, 'the median, not the mean, of a noisy row');
  const checks = telemetryChecks(t);
  assert.deepEqual(checks.map((c) => c.pass), [true, false]);
  assert.deepEqual(checks.map((c) => c.measured), ['96.0%', '94.0%']);

  const skipped = telemetryChecks({ ...t, variants: [t.variants[0]!, { key: 'metrics', label: 'metrics on', status: 'skipped', runs: [] }] });
  assert.equal(skipped[0]!.pass, undefined);
});

test('a 32-row answer is checked row by row against the golden rows it repeats', () => {
  const golden = loadGolden(join(EXAMPLE_MODELS, 'purchase', 'golden.json'));
  const body = oipBatchBody(golden, 32);
  assert.deepEqual(body.inputs[0]!.shape, [32, golden.inputs[0]!.length]);
  assert.deepEqual(body.inputs[0]!.data.slice(10 * golden.inputs[0]!.length, 11 * golden.inputs[0]!.length), golden.inputs[0]);

  const right = Array.from({ length: 32 }, (_, i) => golden.expected[i % 10]!).flat();
  assert.equal(compareBatch(right, golden, 32).ok, true);

  const wrong = [...right];
  wrong[13 * golden.expected[0]!.length] = wrong[13 * golden.expected[0]!.length]! + 1e-2;
  const bad = compareBatch(wrong, golden, 32);
  assert.equal(bad.ok, false);
  assert.match(bad.failures[0]!, /^row 13:/);
  assert.equal(compareBatch(right.slice(0, -1), golden, 32).ok, false, 'a missing value is a failure');
});

test('Ponte rows keep one intra-op thread and leave the executor to auto; the overload and tracing configs pass `ponte config check`', async (t) => {
  const tmp = tmpDir(t);
  const plain = ponteConfigYaml({ model: 'purchase', batching: true, prometheus: true });
  assert.match(plain, /defaults: \{ intraOpNumThreads: 1, interOpNumThreads: 1 \}/);
  assert.doesNotMatch(plain, /executor/);

  const file = join(tmp, 'ponte.yaml');
  writeFileSync(file, ponteConfigYaml({ model: 'wide_mlp', batching: true, prometheus: true, batchingOptions: { maxBatchSize: 32, maxQueueSize: 64 }, otelEndpoint: 'http://127.0.0.1:4999' }));
  const { config } = loadConfigFile(file);
  const wide = config.models.find((m) => m.name === 'wide_mlp');
  assert.equal(wide?.batching?.maxQueueSize, 64);
  assert.equal(wide?.batching?.maxBatchSize, 32);
  const onnx = config.plugins.find((p) => typeof p === 'object' && p.package === '@ponte/onnx');
  assert.deepEqual(typeof onnx === 'object' ? onnx.options : undefined, { defaults: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  assert.ok(!config.models.some((m) => m.options && 'executor' in m.options));

  // The CLI's own check also validates each plugin's options (the OTel endpoint among them).
  // It exits 2 (and run() rejects) on an unknown or invalid option.
  const { stdout } = await run(process.execPath, [PONTE_CLI, 'config', 'check', file], { timeout: 60_000 });
  assert.match(stdout, /OK \(4 plugins, 4 models, every model loaded\)/);
});

test('the OTLP sink answers 200 to trace and metric exports, counts them, and 404s anything else', async () => {
  const sink = await startOtlpSink();
  try {
    const post = (path: string) => fetch(sink.url + path, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([1, 2, 3]) });
    assert.equal((await post('/v1/traces')).status, 200);
    assert.equal((await post('/v1/traces')).status, 200);
    assert.equal((await post('/v1/metrics')).status, 200);
    assert.equal((await fetch(sink.url + '/v1/traces')).status, 404);
    assert.deepEqual(sink.received, { '/v1/traces': 2, '/v1/metrics': 1 });
    assert.equal(sink.bytes, 9);
  } finally {
    await sink.close();
  }
});

test('--sections picks sections and refuses unknown ones', () => {
  assert.deepEqual(parseBenchArgs(['--sections', 'overload,telemetry']).sections, ['overload', 'telemetry']);
  assert.ok(parseBenchArgs([]).sections.includes('batched'));
  assert.throws(() => parseBenchArgs(['--sections', 'overlaod']), /unknown section 'overlaod'/);
});

test('the report has the overload, telemetry and batched tables, and their targets in the targets table', () => {
  const r: BenchResults = {
    startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:05:00Z'), mode: 'test', commands: [], notes: [], load: [], oneConnection: [], ceiling: [], ponteFacts: {}, loadAvg: { start: 0, end: 0 },
    overload: healthyOverload(),
    telemetry: { model: 'purchase', connections: 32, variants: [{ key: 'off', label: 'telemetry off', status: 'ok', runs: [wrkStats({ rps: 10000 })] }, { key: 'metrics', label: 'metrics on', status: 'ok', runs: [wrkStats({ rps: 9000 })] }] },
    batched: [{ model: 'purchase', protocol: 'rest', label: 'Ponte OIP REST, 32 rows/request', rowsPerRequest: 32, connections: 8, status: 'ok', stats: wrkStats({ rps: 1000 }) }],
  };
  const md = renderReport(r, [['CPU', 'test']]);
  assert.match(md, /\| 429 rejected \(with Retry-After \/ with PONTE_QUEUE_FULL\) \| 15,000 \(15,000 \/ 15,000\) \|/);
  assert.match(md, /\| metrics on \| 1 \| 9,000 \| .* \| 90\.0% ❌ \|/);
  assert.match(md, /\| purchase \| Ponte OIP REST, 32 rows\/request \| 8 \| 1,000 \| 32,000 \|/);
  assert.match(md, /## Targets[^]*overload \(wide_mlp, queue 64, 128 conn\.\): no 5xx answers \| 0 5xx \| ✅ pass[^]*## Throughput/);
  assert.match(md, /## Targets[^]*telemetry \(purchase, 32 conn\.\): metrics on req\/s ≥ 95% of telemetry off \(median of 1\) \| 90\.0% \| ❌ miss/);
});

test('the soak compares a warm minute with the last minute, so a GC sawtooth is not read as growth, but a leak is', async () => {
  const { soakMemory } = await import('../src/index.js');
  // RSS swinging 165–197 MB every 30 s for ten minutes, no trend.
  const sawtooth: Array<[number, number]> = [];
  for (let t = 0; t <= 600; t += 5) sawtooth.push([t, 165 + ((t % 30) / 30) * 32]);
  const flat = soakMemory(sawtooth, 10)!;
  assert.ok(Math.abs(flat.ratio - 1) < 0.02, `sawtooth without trend reads as flat, got ${flat.ratio}`);
  // The same sawtooth on a 20 MB-a-minute leak.
  const leaking = soakMemory(sawtooth.map(([t, mb]) => [t, mb + (t / 60) * 20]), 10)!;
  assert.ok(leaking.ratio > 1.5, `a leak shows, got ${leaking.ratio}`);
  assert.equal(soakMemory([[60, 100], [70, 100]], 10), undefined, 'no last minute, no verdict');
});

test('interleaved rounds make one row: every run kept, the median shown, a failed round fails the row', async () => {
  const { mergeRounds } = await import('../src/load-rounds.js');
  const stats = (rps: number) => ({ requests: rps * 10, durationS: 10, rps, p50Ms: 1, p90Ms: 2, p99Ms: 3, maxMs: 4, errors: 0, non2xx: 0 });
  const round = (rps: number, peak: number) => ({ model: 'purchase', key: 'naive', label: 'naive Hono', connections: 32, status: 'ok' as const, stats: stats(rps), runs: [stats(rps)], peakRssMb: peak, golden: 'n/a' as const });
  const row = mergeRounds([round(100, 50), round(300, 70), round(200, 60)]);
  assert.equal(row.stats!.rps, 200, 'the median run');
  assert.equal(row.runs!.length, 3);
  assert.equal(row.peakRssMb, 70);
  const failed = mergeRounds([round(100, 50), { ...round(0, 0), status: 'failed', note: 'exited during the run' }]);
  assert.equal(failed.status, 'failed');
  assert.match(failed.note!, /round 2 of 2: exited during the run/);
});
