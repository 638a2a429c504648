import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  evaluateTargets, hs256Jwt, maxBehindS, measureMonitorMemory, monitoringChecks, monitoringRounds, monitorMemoryOf, parseBenchArgs, ponteConfigYaml, POST_LUA,
  readNumericCsv, renderReport, runWrk, securityChecks, SECURITY, summarizeMonitoring, summarizeSecurity, wrkCommandLine,
  type BenchResults, type LoadStats, type MonitoringResult, type MonitorMemory, type MonitorRunFigures, type SecurityResult,
} from '../src/index.js';
import type { MonitorEngine, ProfileShape } from '../src/monitor-memory.js';
import { EXAMPLE_MODELS, PONTE_CLI, REPO_ROOT } from '../src/paths.js';

const run = promisify(execFile);

const tmpDir = (t: { after(fn: () => void): void }): string => {
  const d = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

const stats = (rps: number, o: Partial<LoadStats> = {}): LoadStats => ({ requests: rps * 6, durationS: 6, rps, p50Ms: 2, p90Ms: 3, p99Ms: 8, maxMs: 20, errors: 0, non2xx: 0, ...o });

function securityResult(apikey: number[], o: { apikeyStats?: Partial<LoadStats> } = {}): SecurityResult {
  return {
    model: 'purchase', connections: 32, variants: [
      { key: 'off', label: 'auth off', status: 'ok', runs: [stats(10000), stats(9000), stats(11000)] },
      { key: 'apikey', label: 'API key (@ponte/auth-apikey)', status: 'ok', runs: apikey.map((x) => stats(x, o.apikeyStats)) },
      { key: 'jwt', label: 'JWT, HS256 (@ponte/auth-jwt)', status: 'ok', runs: [stats(8000)] },
      { key: 'ratelimit', label: 'rate limit (@ponte/ratelimit)', status: 'ok', runs: [stats(9900)] },
    ],
  };
}

/** A monitored run that kept up: 10 windows of 1,000 rows closed in a 10 s run, 9 s behind at its end. */
const kept = (o: Partial<MonitorRunFigures> = {}): MonitorRunFigures => ({ windowsClosed: 10, rowsMonitored: 10_000, rowsLogged: 10_500, runS: 10, windowsTotal: 20, behindS: 9, ...o });

const memory: MonitorMemory = {
  status: 'ok', features: 8, rowsAdded: 100_000, windowBytes: 9000, windowBytesPerFeature: 700, maxWindowBytesPerFeature: 900, outputWindowBytes: 2500,
  profileBytes: 8000, profileBytesPerFeature: 800, perFeature: { age: { window: 700, profile: 800 } }, source: 'test rows',
};

function monitoringResult(monitored: number[], runs: MonitorRunFigures[] = monitored.map(() => kept())): MonitoringResult {
  return {
    model: 'purchase', connections: 32, windowRows: 1000, tickS: 5, lagS: 5, warmupS: 10, durationS: 10, memory, variants: [
      { key: 'off', label: 'log and monitor off', status: 'ok', runs: [stats(10000), stats(9000), stats(11000)] },
      { key: 'sqlite', label: 'SQLite log', status: 'ok', runs: [stats(9300)] },
      { key: 'sqlite-monitor', label: 'SQLite log + monitor', status: 'ok', runs: monitored.map((x) => stats(x)), monitor: runs },
    ],
  };
}

const report = (o: Partial<BenchResults>): BenchResults => ({
  startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:05:00Z'), mode: 'test', commands: [], notes: [], load: [], oneConnection: [], ceiling: [], ponteFacts: {}, loadAvg: { start: 0, end: 0 }, ...o,
});

test('each security and monitoring set-up gets its own plugins, and every config passes `ponte config check`', async (t) => {
  const tmp = tmpDir(t);
  const base = { model: 'purchase', batching: true, prometheus: true };
  const { createKey } = (await import('@ponte/auth-apikey' as string)) as { createKey(i: { id: string; scopes: readonly string[] }): Promise<{ id: string; hash: string; scopes: string[] }> };
  const k = await createKey({ id: 'bench', scopes: SECURITY.scopes });
  const secretFile = join(tmp, 'jwt-secret');
  writeFileSync(secretFile, 'x'.repeat(43));
  const sqlite = { kind: 'sqlite' as const, file: join(tmp, 'log.sqlite') };
  const configs = {
    apikey: ponteConfigYaml({ ...base, auth: { kind: 'apikey', keys: [{ id: k.id, hash: k.hash, scopes: k.scopes }] } }),
    jwt: ponteConfigYaml({ ...base, auth: { kind: 'jwt', secretFile, issuer: 'ponte-bench', audience: 'ponte' } }),
    ratelimit: ponteConfigYaml({ ...base, rateLimit: SECURITY.rateLimit }),
    monitor: ponteConfigYaml({ ...base, store: sqlite, monitorWindowRows: 1000 }),
  };
  assert.ok(configs.apikey.includes(`  - package: '@ponte/auth-apikey'\n    options:\n      keys:\n        - { id: "bench", hash: ${JSON.stringify(k.hash)}, scopes: ["infer:purchase"] }\n`), configs.apikey);
  assert.ok(configs.jwt.includes(`options: { secret: "\${file:${secretFile}}", issuer: "ponte-bench", audience: "ponte" }`), configs.jwt);
  assert.doesNotMatch(configs.jwt, /x{43}/, 'the secret stays in its file');
  assert.ok(configs.ratelimit.includes(`options: { limits: [{ per: model, models: [purchase], rate: 10000000, perSeconds: 1 }] }`), configs.ratelimit);
  assert.ok(configs.monitor.includes(`  - package: '@ponte/store-sqlite'\n    options: { file: ${JSON.stringify(sqlite.file)} }\n  - '@ponte/monitor'\n`), configs.monitor);
  assert.ok(configs.monitor.includes('  - { name: purchase, monitoring: { window: { rows: 1000 } } }\n  - { name: house }'), configs.monitor);
  assert.ok(ponteConfigYaml({ ...base, batching: false, monitorWindowRows: 500, store: sqlite }).includes('  - { name: purchase, batching: { enabled: false }, monitoring: { window: { rows: 500 } } }'));

  for (const [name, yaml] of Object.entries(configs)) {
    const file = join(tmp, `${name}.yaml`);
    writeFileSync(file, yaml);
    const { stdout } = await run(process.execPath, [PONTE_CLI, 'config', 'check', file], { timeout: 60_000, cwd: REPO_ROOT });
    assert.match(stdout, new RegExp(`OK \\(${name === 'monitor' ? 5 : 4} plugins, 4 models, every model loaded\\)`), `${name}: ${stdout}`);
  }
});

test('the bench\'s HS256 token is one auth-jwt\'s verifier (jose) accepts, with its issuer, audience and scopes', async () => {
  const secret = 'a-secret-of-at-least-thirty-two-characters';
  const token = hs256Jwt({ sub: 'bench', iss: 'ponte-bench', aud: 'ponte', scope: 'infer:purchase', exp: Math.floor(Date.now() / 1000) + 60 }, secret);
  const jose = (await import('jose' as string)) as { jwtVerify(t: string, k: Uint8Array, o: object): Promise<{ payload: Record<string, unknown>; protectedHeader: Record<string, unknown> }> };
  const { payload, protectedHeader } = await jose.jwtVerify(token, new TextEncoder().encode(secret), { issuer: 'ponte-bench', audience: 'ponte', algorithms: ['HS256'] });
  assert.equal(protectedHeader['alg'], 'HS256');
  assert.equal(payload['scope'], 'infer:purchase');
  await assert.rejects(jose.jwtVerify(token, new TextEncoder().encode(`${secret}!`), { algorithms: ['HS256'] }), /signature/);
});

test('wrk sends the set-up\'s headers on every request (beside post.lua\'s), and the printed command line hides the credential', async (t) => {
  const tmp = tmpDir(t);
  let withKey = 0;
  let without = 0;
  const server = createServer((req, res) => {
    if (req.headers.authorization === 'Bearer pnt_bench_s3cret' && req.headers['content-type'] === 'application/json') withKey++;
    else without++;
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const bodyFile = join(tmp, 'body.json');
  writeFileSync(bodyFile, '{"x":1}');
  const w = { url: `http://127.0.0.1:${port}/p`, bodyFile, luaScript: POST_LUA, connections: 2, durationS: 1, cpu: 0, headers: { Authorization: 'Bearer pnt_bench_s3cret' } };
  const s = await runWrk(w);
  assert.ok(s.requests > 0 && withKey >= s.requests, `${withKey} requests with the key, ${s.requests} counted by wrk`);
  assert.equal(without, 0);
  const line = wrkCommandLine(w);
  assert.match(line, / -H 'Authorization: Bearer <credential>' --latency /);
  assert.doesNotMatch(line, /s3cret/);
});

test('security is judged on the API-key row only: 96% passes, 94% misses, refused requests miss; JWT and rate limit are figures', () => {
  const ok = securityResult([9600, 20000, 5000]);
  const sums = summarizeSecurity(ok);
  assert.equal(sums[1]!.ratio, 0.96, 'the median, not the mean');
  assert.equal(sums[2]!.ratio, 0.8);
  let checks = securityChecks(ok);
  assert.equal(checks.length, 1);
  assert.deepEqual(checks.map((c) => [c.pass, c.measured]), [[true, '96.0%']]);
  assert.match(checks[0]!.target, /API key \(@ponte\/auth-apikey\) req\/s ≥ 95% of auth off \(median of 3\)/);
  assert.deepEqual(securityChecks(securityResult([9400])).map((c) => c.pass), [false]);
  checks = securityChecks(securityResult([9900], { apikeyStats: { non2xx: 12, errors: 12 } }));
  assert.deepEqual(checks.map((c) => [c.pass, c.measured]), [[false, '99.0%, but 12 non-2xx answers']]);
  const skipped = securityResult([]);
  skipped.variants[1] = { key: 'apikey', label: 'API key', status: 'skipped', note: '@ponte/auth-apikey is not built or does not load', runs: [] };
  assert.deepEqual(securityChecks(skipped).map((c) => c.pass), [undefined]);
  skipped.variants[1] = { key: 'apikey', label: 'API key', status: 'failed', note: 'run 1: wrong answers, not measured: row 0: HTTP 401', runs: [] };
  assert.deepEqual(securityChecks(skipped).map((c) => [c.pass, c.measured]), [[false, 'failed: run 1: wrong answers, not measured: row 0: HTTP 401']]);
});

test('monitoring is judged on log + monitor vs both off, round by round (86% passes, 84% misses), and only when the monitor kept up', () => {
  const r = monitoringResult([8600, 9000, 5000], [kept(), kept({ windowsClosed: 8, rowsMonitored: 8000, behindS: 11 }), kept()]);
  const s = summarizeMonitoring(r);
  assert.equal(s[1]!.ratio, 0.93);
  assert.equal(s[2]!.ratio, 0.86);
  assert.equal(s[2]!.windowsClosed, 28);
  assert.equal(s[2]!.minWindowsClosed, 8);
  assert.equal(s[2]!.monitoredPerS, 1000);
  assert.equal(s[2]!.loggedPerS, 1050);
  assert.equal(s[2]!.maxBehindS, 11);
  assert.equal(s[2]!.keptUp, true);
  assert.deepEqual(monitoringChecks(r).map((c) => [c.pass, c.measured]), [[true, '86.0% (ratio of medians 86.0%)']]);
  assert.deepEqual(monitoringChecks(monitoringResult([8400])).map((c) => c.pass), [false]);

  assert.equal(maxBehindS(r), 15, 'lag + 2 ticks');
  const behind = monitoringChecks(monitoringResult([9500], [kept({ behindS: 16 })]));
  assert.deepEqual(behind.map((c) => [c.pass, c.measured]), [[false, '95.0% (ratio of medians 95.0%), but the monitor was 16.0 s behind the log (at most 15 s)']]);
  const idle = monitoringChecks(monitoringResult([9900, 9900], [kept(), { windowsClosed: 0, rowsMonitored: 0, rowsLogged: 9000, runS: 10, windowsTotal: 0 }]));
  assert.deepEqual(idle.map((c) => [c.pass, c.measured]), [[false, '104.5% (ratio of medians 99.0%), but a run closed no monitoring window']]);
});

test('the monitoring section warms up for a tick + lag and runs whole ticks, in quick and full runs', () => {
  assert.deepEqual(monitoringRounds(parseBenchArgs(['--quick'])), { runs: 1, durationS: 10, warmupS: 10 });
  assert.deepEqual(monitoringRounds(parseBenchArgs([])), { runs: 7, durationS: 10, warmupS: 10 });
  assert.deepEqual(monitoringRounds({ runs: 3, durationS: 30, warmupS: 2 }), { runs: 7, durationS: 10, warmupS: 10 }, 'at most 6 s → 10 s, as the telemetry rounds');
  assert.deepEqual(monitoringRounds({ runs: 2, durationS: 12, warmupS: 2 }), { runs: 2, durationS: 15, warmupS: 10 });
});

test('memory per monitored feature: the window state of purchase\'s profile is measured exactly, the same every time, and does not grow with rows', async () => {
  const engine = (await import('@ponte/monitor' as string)) as MonitorEngine;
  const profile = JSON.parse(readFileSync(join(EXAMPLE_MODELS, 'purchase', '1', 'profile.json'), 'utf8')) as ProfileShape;
  const rows = readNumericCsv(readFileSync(join(REPO_ROOT, 'examples', 'data', 'purchase', 'reference.csv'), 'utf8'));
  assert.equal(rows.length, 5000);
  assert.deepEqual(rows[0], { age: 52, income: 44.6, visits_last_30d: 2, avg_session_minutes: 8.07, pages_viewed: 11, days_since_last_purchase: 365, cart_items: 2, is_returning: 0, purchased: 1 });
  const a = monitorMemoryOf(engine, profile, rows, 100_000, 'test');
  const b = await measureMonitorMemory('purchase');
  assert.equal(b.status, 'ok', b.note);
  assert.deepEqual({ ...b, source: 'test' }, a, 'deterministic');
  assert.equal(a.features, 8);
  assert.equal(a.rowsAdded, 100_000);
  assert.deepEqual(Object.keys(a.perFeature), profile.feature_order);
  const sum = Object.values(a.perFeature).reduce((x, f) => x + f.window, 0);
  assert.equal(a.windowBytesPerFeature, sum / 8);
  assert.ok(a.windowBytes > sum + a.outputWindowBytes, 'the whole state holds every feature and the output');
  assert.ok(a.windowBytesPerFeature > 50 && a.windowBytesPerFeature < 10_000, `${a.windowBytesPerFeature} B`);
  assert.ok(a.profileBytes < readFileSync(join(EXAMPLE_MODELS, 'purchase', '1', 'profile.json'), 'utf8').length, 'compact JSON');
  const small = monitorMemoryOf(engine, profile, rows, 10_000, 'test');
  assert.ok(a.windowBytes < small.windowBytes * 1.2, `100,000 rows: ${a.windowBytes} B; 10,000 rows: ${small.windowBytes} B`);
  const failed = await measureMonitorMemory('no-such-model');
  assert.equal(failed.status, 'failed');
  assert.match(failed.note ?? '', /ENOENT/);
});

test('the report has the security and monitoring tables, the memory per feature, and their targets', () => {
  const security = securityResult([9700]);
  security.variants[2] = { key: 'jwt', label: 'JWT, HS256 (@ponte/auth-jwt)', status: 'skipped', note: '@ponte/auth-jwt is not built or does not load', runs: [] };
  const md = renderReport(report({ security, monitoring: monitoringResult([8000]) }), [['CPU', 'test']]);
  assert.match(md, /## Security cost\n\nPonte OIP \(batching on\) on purchase, 32 connections/);
  assert.match(md, /\| auth off \| 3 \| 10,000 \| 100\.0% \| 2\.00 \/ 8\.00 \| 20\.0% \| 0 \| 10,000, 9,000, 11,000 \|/);
  assert.match(md, /\| API key \(@ponte\/auth-apikey\) \| 1 \| 9,700 \| 97\.0% ✅ \|/);
  assert.match(md, /\| JWT, HS256 \(@ponte\/auth-jwt\) — \*\*skipped\*\* \[1\] \| 0 \| – \| – \|/);
  assert.match(md, /\| rate limit \(@ponte\/ratelimit\) \| 1 \| 9,900 \| 99\.0% \| /);
  assert.match(md, /## Monitoring cost\n\nPonte OIP \(batching on\) on purchase, 32 connections \(wrk\), one fresh server per run with its golden check and a 10 s warm-up, then one 10 s run/);
  assert.match(md, /\| SQLite log \| 1 \| 9,300 \| 93\.0% \| 2\.00 \/ 8\.00 \| 0\.0% \| – \| – \| – \| 9,300 \|/);
  assert.match(md, /\| SQLite log \+ monitor \| 1 \| 8,000 \| 80\.0% ❌ \| 2\.00 \/ 8\.00 \| 0\.0% \| 10 \(10\) \| 1,000 \/ 1,050 \| 9\.0 \| 8,000 \|/);
  assert.match(md, /\| window state per feature \(mean of 8; largest 900\) \| 700 \|/);
  assert.match(md, /\| reference profile per feature \(mean of 8\) \| 800 \|/);
  assert.match(md, /## Targets[^]*API key \(@ponte\/auth-apikey\) req\/s ≥ 95% of auth off \(median of 1\) \| 97\.0% \| ✅ pass[^]*SQLite log \+ monitor req\/s ≥ 85% of log and monitor off \(median over 1 rounds of the ratio within the round\), the monitor keeping up \| 80\.0% \(ratio of medians 80\.0%\) \| ❌ miss[^]*## Throughput/);
  assert.equal(evaluateTargets(report({ security, monitoring: monitoringResult([8000]) })).filter((c) => /^(security|monitoring) /.test(c.target)).length, 2);
  assert.match(renderReport(report({}), [['CPU', 'test']]), /## Security cost\n\nNot measured in this run\.\n\n## Monitoring cost\n\nNot measured in this run\./);
});

test('--sections takes security and monitoring, and a full run includes both', () => {
  assert.deepEqual(parseBenchArgs(['--sections', 'security,monitoring']).sections, ['security', 'monitoring']);
  const all = parseBenchArgs([]).sections;
  assert.ok(all.includes('security') && all.includes('monitoring'));
  assert.ok(all.indexOf('prediction-log') < all.indexOf('security') && all.indexOf('monitoring') < all.indexOf('overload'));
});
