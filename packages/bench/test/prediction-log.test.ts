import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfigFile } from '@ponte/core';
import {
  evaluateTargets, parseBenchArgs, parseLogDrops, ponteConfigYaml, predictionLogChecks, renderReport, summarizePredictionLog,
  type BenchResults, type LoadStats, type LogWrites, type PredictionLogResult,
} from '../src/index.js';
import { sqliteReader } from '../src/log-stores.js';
import { roundOrder } from '../src/round-order.js';
import { PONTE_CLI } from '../src/paths.js';

const run = promisify(execFile);

const tmpDir = (t: { after(fn: () => void): void }): string => {
  const d = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

const stats = (rps: number, o: Partial<LoadStats> = {}): LoadStats => ({ requests: rps * 6, durationS: 6, rps, p50Ms: 2, p90Ms: 3, p99Ms: 8, maxMs: 20, errors: 0, non2xx: 0, ...o });
/** A run whose store kept up: every answered prediction stored, none dropped. */
const wrote = (rps: number, o: Partial<LogWrites> = {}): LogWrites => {
  const answered = 10 + rps * 2 + rps * 6;
  return { answered, stored: answered, storedDuringRun: rps * 6, storedAtRunEnd: answered - 100, runS: 6, dropped: {}, stopMs: 80, exit: 0, storeBytes: answered * 800, bytesPerRecord: 800, ...o };
};

function logResult(sqlite: number[], postgres: number[]): PredictionLogResult {
  return {
    model: 'purchase', connections: 32, variants: [
      { key: 'off', label: 'log off', status: 'ok', runs: [stats(10000), stats(9000), stats(11000)] },
      { key: 'sqlite', label: 'SQLite log', status: 'ok', runs: sqlite.map((x) => stats(x)), writes: sqlite.map((x) => wrote(x)) },
      { key: 'postgres', label: 'PostgreSQL log', status: 'ok', runs: postgres.map((x) => stats(x)), writes: postgres.map((x) => wrote(x)) },
    ],
  };
}

test('each prediction-log set-up gets its own config: no store, the SQLite file, the PostgreSQL schema; all pass `ponte config check`', async (t) => {
  const tmp = tmpDir(t);
  const base = { model: 'purchase', batching: true, prometheus: true };
  const off = ponteConfigYaml(base);
  const sqlite = ponteConfigYaml({ ...base, store: { kind: 'sqlite', file: join(tmp, 'log.sqlite') } });
  const postgres = ponteConfigYaml({ ...base, store: { kind: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:5432/test', schema: 'ponte_bench_0a1b2c3d' } });

  assert.doesNotMatch(off, /store-/);
  assert.ok(sqlite.includes(`  - package: '@ponte/store-sqlite'\n    options: { file: ${JSON.stringify(join(tmp, 'log.sqlite'))} }\n`), sqlite);
  assert.ok(postgres.includes(`  - package: '@ponte/store-postgres'\n    options: { connectionString: "postgres://postgres@127.0.0.1:5432/test", schema: "ponte_bench_0a1b2c3d" }\n`), postgres);
  assert.doesNotMatch(postgres, /store-sqlite/);

  for (const [name, yaml] of [['off', off], ['sqlite', sqlite], ['postgres', postgres]] as const) {
    const file = join(tmp, `${name}.yaml`);
    writeFileSync(file, yaml);
    const { config } = loadConfigFile(file);
    assert.equal(config.plugins.length, name === 'off' ? 3 : 4);
    // The CLI's check validates each plugin's options against its schema (without starting it).
    const { stdout } = await run(process.execPath, [PONTE_CLI, 'config', 'check', file], { timeout: 60_000 });
    assert.match(stdout, new RegExp(`OK \\(${name === 'off' ? 3 : 4} plugins, 4 models, every model loaded\\)`));
  }
});

test('a store is judged on its ratio to log off within each round, the median of them: 92% passes, 88% misses', () => {
  const r = logResult([9200, 20000, 5000], [8800, 8700, 8900]);
  const sums = summarizePredictionLog(r);
  assert.equal(sums[0]!.medianRps, 10000);
  assert.equal(sums[1]!.ratio, 0.92, 'the median, not the mean, of a noisy row');
  assert.equal(sums[1]!.pairedRatio, 0.92, 'rounds: 9200/10000, 20000/9000, 5000/11000');
  assert.equal(sums[1]!.medianRun!.rps, 9200, 'p50/p99 come from the median run');
  const checks = predictionLogChecks(r);
  assert.deepEqual(checks.map((c) => c.pass), [true, false]);
  assert.deepEqual(checks.map((c) => c.measured), ['92.0% (ratio of medians 92.0%)', '88.0% (ratio of medians 88.0%)']);
  assert.match(checks[0]!.target, /SQLite log req\/s ≥ 90% of log off \(median over 3 rounds of the ratio within the round\)/);
});

test('a slow spell that catches more of one set-up\'s runs than of log off\'s does not decide the verdict: each round compares runs seconds apart', () => {
  const r = logResult([19000, 9500, 9500], [17000, 8500, 8000]);
  r.variants[0]!.runs = [stats(20000), stats(10000), stats(20000)];
  const [, sqlite, postgres] = summarizePredictionLog(r);
  assert.equal(sqlite!.ratio, 9500 / 20000, 'the ratio of medians pairs a slow run with a fast one');
  assert.equal(sqlite!.pairedRatio, 0.95);
  assert.deepEqual(predictionLogChecks(r).map((c) => c.pass), [true, false], `PostgreSQL's rounds: 85%, 85%, 40%`);
  assert.equal(postgres!.pairedRatio, 0.85);
});

test('a store that is skipped is not measured, one whose server failed misses, and one that did not store what it answered misses', () => {
  const r = logResult([9500], [9500]);
  const skipped = predictionLogChecks({ ...r, variants: [r.variants[0]!, r.variants[1]!, { key: 'postgres', label: 'PostgreSQL log', status: 'skipped', note: '@ponte/store-postgres is not built or does not load', runs: [], writes: [] }] });
  assert.deepEqual(skipped.map((c) => c.pass), [true, undefined]);
  assert.equal(skipped[1]!.measured, 'not measured: @ponte/store-postgres is not built or does not load');

  const failed = predictionLogChecks({ ...r, variants: [r.variants[0]!, { ...r.variants[1]!, status: 'failed', note: 'run 2: did not start' }, r.variants[2]!] });
  assert.deepEqual(failed.map((c) => c.pass), [false, true]);
  assert.match(failed[0]!.measured, /^failed: run 2: did not start/);

  const dropping = logResult([9500], [9500]);
  dropping.variants[1]!.writes = [wrote(9500, { stored: 40000, dropped: { queue_full: 36010 } })];
  const d = predictionLogChecks(dropping);
  assert.equal(d[0]!.pass, false, 'fast because it did not log');
  assert.match(d[0]!.measured, /^95\.0% \(ratio of medians 95\.0%\), but only 52\.6% of answered predictions stored$/);

  const noOff = predictionLogChecks({ ...r, variants: [{ ...r.variants[0]!, status: 'failed', runs: [] }, r.variants[1]!, r.variants[2]!] });
  assert.deepEqual(noOff.map((c) => c.pass), [undefined, undefined]);
});

test('the store figures: records/s during the run, share logged over every run, drops and missing rows, bytes per record of the fullest store', () => {
  const r = logResult([9000, 9600], [9000]);
  r.variants[1]!.writes = [
    wrote(9000, { storedDuringRun: 54000, dropped: { queue_full: 0 } }),
    wrote(9600, { storedDuringRun: 60000, stored: wrote(9600).answered - 50, dropped: { queue_full: 20, store_error: 10 }, bytesPerRecord: 770, storedAtRunEnd: 1000 }),
  ];
  const s = summarizePredictionLog(r)[1]!;
  assert.equal(s.recordsPerS, (9000 + 10000) / 2);
  assert.equal(s.dropped, 30);
  assert.equal(s.missing, 20, 'answered, neither stored nor counted dropped');
  assert.equal(s.bytesPerRecord, 770);
  assert.equal(s.maxDrained, wrote(9600).answered - 50 - 1000);
  const answered = wrote(9000).answered + wrote(9600).answered;
  assert.equal(s.shareLogged, (answered - 50) / answered);

  const noMetrics = logResult([9000], [9000]);
  delete noMetrics.variants[1]!.writes![0]!.dropped;
  assert.equal(summarizePredictionLog(noMetrics)[1]!.missing, undefined, 'without the drop counter, missing is unknown');
});

test('the drop counter is read from a Prometheus scrape by reason', () => {
  const text = [
    '# HELP ponte_prediction_log_dropped_total Predictions the prediction log did not store',
    '# TYPE ponte_prediction_log_dropped_total counter',
    'ponte_prediction_log_dropped_total{model="purchase",reason="queue_full"} 12',
    'ponte_prediction_log_dropped_total{model="house",reason="queue_full"} 3',
    'ponte_prediction_log_dropped_total{model="purchase",reason="store_error"} 256',
    'ponte_sink_records_dropped_total{sink="prediction-log"} 15',
  ].join('\n');
  assert.deepEqual(parseLogDrops(text), { queue_full: 15, store_error: 256 });
  assert.deepEqual(parseLogDrops('ponte_up 1\n'), {});
});

test('the SQLite reader counts predictions and sizes the file with its -wal, and reads 0 before the table exists', async (t) => {
  const tmp = tmpDir(t);
  const file = join(tmp, 'log.sqlite');
  const reader = await sqliteReader(file);
  assert.equal(await reader.count(), 0, 'no file yet');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  assert.equal(await reader.count(), 0, 'no table yet');
  db.exec('CREATE TABLE prediction_segments (seq INTEGER PRIMARY KEY, count INTEGER NOT NULL, body BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO prediction_segments (count, body) VALUES (?, ?)');
  db.transaction(() => { for (let i = 0; i < 5; i++) ins.run(100, Buffer.alloc(100 * 100, 1)); })();
  assert.equal(await reader.count(), 500, 'read beside an open writer');
  const open = await reader.bytes();
  db.close();
  const closed = await reader.bytes();
  assert.ok(open > closed && closed > 500 * 100, `${open} B with the -wal, ${closed} B after the last close checkpointed it`);
});

test('--sections takes prediction-log', () => {
  assert.deepEqual(parseBenchArgs(['--sections', 'telemetry,prediction-log']).sections, ['telemetry', 'prediction-log']);
  assert.ok(parseBenchArgs([]).sections.includes('prediction-log'));
});

test('the report has the prediction-log table and its targets, a skipped store marked not measured', () => {
  const p = logResult([9500], [8000]);
  p.variants.push({ key: 'postgres-2', label: 'PostgreSQL log (replica)', status: 'skipped', note: 'PostgreSQL at postgres://postgres@127.0.0.1:5432/test cannot be reached: ECONNREFUSED', runs: [], writes: [] });
  const r: BenchResults = {
    startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:05:00Z'), mode: 'test', commands: [], notes: [], load: [], oneConnection: [], ceiling: [], ponteFacts: {}, loadAvg: { start: 0, end: 0 },
    predictionLog: p,
  };
  const md = renderReport(r, [['CPU', 'test']]);
  assert.match(md, /## Prediction log cost\n\nPonte OIP \(batching on\) on purchase, 32 connections/);
  assert.match(md, /\| log off \| 3 \| 10,000 \| 100\.0% \| 2\.00 \/ 8\.00 \| 20\.0% \| – \| – \| – \| – \| – \| 10,000, 9,000, 11,000 \|/);
  assert.match(md, /\| SQLite log \| 1 \| 9,500 \| 95\.0% ✅ \(95\.0%\) \| 2\.00 \/ 8\.00 \| 0\.0% \| 9,500 \| 100\.0% \| 0 \/ 0 \| 100; 80 \| 800 \| 9,500 \|/);
  assert.match(md, /\| PostgreSQL log \| 1 \| 8,000 \| 80\.0% ❌ \(80\.0%\) \|/);
  assert.match(md, /\| PostgreSQL log \(replica\) — \*\*skipped\*\* \[1\] \| 0 \| – \|/);
  assert.match(md, /\[1\] PostgreSQL log \(replica\): PostgreSQL at .* cannot be reached: ECONNREFUSED/);
  assert.match(md, /## Targets[^]*SQLite log req\/s ≥ 90% of log off \(median over 1 rounds of the ratio within the round\) \| 95\.0% \(ratio of medians 95\.0%\) \| ✅ pass[^]*PostgreSQL log req\/s ≥ 90% of log off \(median over 1 rounds of the ratio within the round\) \| 80\.0% \(ratio of medians 80\.0%\) \| ❌ miss[^]*PostgreSQL log \(replica\) req\/s ≥ 90% of log off \(median over 0 rounds of the ratio within the round\) \| not measured: .* \| – not measured[^]*## Throughput/);
  assert.equal(evaluateTargets(r).filter((c) => c.target.startsWith('prediction log')).length, 3);
});

test('set-ups take turns at running first: over as many rounds as set-ups, each runs at every position once', () => {
  const setups = ['off', 'sqlite', 'postgres'];
  const rounds = [0, 1, 2].map((i) => roundOrder(setups, i));
  assert.deepEqual(rounds.map((r) => r.map(([, s]) => s)), [['off', 'sqlite', 'postgres'], ['sqlite', 'postgres', 'off'], ['postgres', 'off', 'sqlite']]);
  for (const r of rounds) for (const [k, s] of r) assert.equal(setups[k], s, 'each keeps its index, so its runs go to its own row');
});
