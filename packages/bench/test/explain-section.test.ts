import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXPLAIN, evaluateTargets, explainChecks, parseBenchArgs, ponteConfigYaml, renderReport, type BenchResults, type ExplainResult, type LoadStats } from '../src/index.js';
import { PONTE_CLI, REPO_ROOT } from '../src/paths.js';

const run = promisify(execFile);

const stats = (rps: number): LoadStats => ({ requests: rps * 6, durationS: 6, rps, p50Ms: 2, p90Ms: 3, p99Ms: 8, maxMs: 20, errors: 0, non2xx: 0 });

function explainResult(o: { purchaseP50?: number; houseP50?: number; explained?: number[] } = {}): ExplainResult {
  const latency = (p50: number) => ({ count: 200, p50Ms: p50, p99Ms: p50 * 3, maxMs: p50 * 4 });
  return {
    warmup: 5,
    latency: [
      { model: 'purchase', label: '8 features, Kernel SHAP exhaustive', status: 'ok', p50TargetMs: 50, method: 'kernel_shap', exact: true, coalitions: 254, modelRows: 5080, features: 8, jobs: 0, latency: latency(o.purchaseP50 ?? 4) },
      { model: 'digits', label: '64 features, Kernel SHAP sampled', status: 'ok', method: 'kernel_shap', exact: false, coalitions: 2154, modelRows: 43080, features: 64, jobs: 1, latency: latency(400) },
      { model: 'house', label: 'TreeSHAP', status: 'failed', note: 'HTTP 409 no reference', p50TargetMs: 5, jobs: 0 },
    ],
    throughput: {
      model: 'purchase', connections: 32, sampleRate: 0.01,
      variants: [
        { key: 'off', label: 'SQLite log, explain off', status: 'ok', runs: [stats(10000), stats(9000), stats(11000)] },
        { key: 'explain', label: 'SQLite log + @ponte/explain', status: 'ok', runs: (o.explained ?? [9700, 9600, 9800]).map(stats) },
      ],
      explained: [{ logged: 60000, explained: 590 }],
    },
  };
}

const report = (explain: ExplainResult): BenchResults => ({
  startedAt: new Date('2026-01-01T00:00:00Z'), finishedAt: new Date('2026-01-01T00:05:00Z'), mode: 'test', commands: [], notes: [], load: [], oneConnection: [], ceiling: [], ponteFacts: {}, loadAvg: { start: 0, end: 0 }, explain,
});

test('`--sections explain` is a section of its own', () => {
  assert.deepEqual(parseBenchArgs(['--sections', 'explain']).sections, ['explain']);
});

test('the explain targets: purchase and house p50 against 50 and 5 ms, and background explanations costing at most 5 % of req/s', () => {
  const checks = explainChecks(explainResult());
  assert.equal(checks.length, 3);
  assert.equal(checks[0]!.pass, true, checks[0]!.measured);
  assert.match(checks[0]!.target, /purchase .*p50 < 50 ms/);
  assert.equal(checks[1]!.pass, false, 'a failed row misses');
  assert.match(checks[1]!.measured, /failed: HTTP 409/);
  assert.equal(checks[2]!.pass, true, checks[2]!.measured); // 9,700 of 10,000: 3 % cost
  assert.match(checks[2]!.measured, /cost 3\.0%/);

  const slow = explainChecks(explainResult({ purchaseP50: 60, explained: [9000, 9400, 9200] }));
  assert.equal(slow[0]!.pass, false);
  assert.equal(slow[2]!.pass, false, slow[2]!.measured); // 8 % cost
  assert.ok(evaluateTargets(report(explainResult())).some((c) => c.target.startsWith('explain latency, purchase')));
});

test('the report shows the latency table with the method and cost per row, and the throughput table with what was explained', () => {
  const md = renderReport(report(explainResult()), []);
  const section = md.slice(md.indexOf('## Explanations'), md.indexOf('## Overload'));
  assert.match(section, /\| purchase \| 8 features, Kernel SHAP exhaustive \| kernel_shap \| 254 \(all\) → 5,080 \| 200 \| 4\.00 ✅ \(< 50\) \|/);
  assert.match(section, /\| digits \| 64 features, Kernel SHAP sampled \| kernel_shap \| 2,154 sampled → 43,080 \| 200 \| 400\.00 \|/);
  assert.match(section, /\| house — \*\*failed\*\* \[1\] \|/);
  assert.match(section, /\| SQLite log \+ @ponte\/explain \| 3 \| 9,700 \| 97\.0% ✅ \|.*\| 590 \/ 60,000 \|/);
  assert.match(section, /\[1\] house: HTTP 409 no reference/);
  assert.match(renderReport((({ explain: _x, ...rest }) => rest)(report(explainResult())), []), /## Explanations\n\nNot measured in this run\./);
});

test('the explained set-up loads @ponte/explain after the store, and its config passes `ponte config check`', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-explain-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const yaml = ponteConfigYaml({ model: 'purchase', batching: true, prometheus: false, store: { kind: 'sqlite', file: join(tmp, 'log.sqlite') }, explain: { house: '{ background: { file: reference.csv } }' } });
  assert.match(yaml, /  - package: '@ponte\/store-sqlite'\n    options: \{ file: "[^"]+" \}\n  - '@ponte\/explain'\n/);
  assert.match(yaml, /  - \{ name: house, explain: \{ background: \{ file: reference.csv \} \} \}/);
  assert.match(yaml, /  - \{ name: purchase \}/);
  assert.equal(EXPLAIN.defaultSampleRate, 0.01);
  const file = join(tmp, 'explain.yaml');
  writeFileSync(file, yaml);
  const { stdout } = await run(process.execPath, [PONTE_CLI, 'config', 'check', file], { timeout: 60_000, cwd: REPO_ROOT });
  assert.match(stdout, /OK \(4 plugins, 4 models, every model loaded\)/, stdout);
});
