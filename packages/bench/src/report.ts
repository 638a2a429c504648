import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine.js';
import { batchedSection } from './report-batched.js';
import { overloadSection } from './report-overload.js';
import { monitoringSection } from './report-monitoring.js';
import { predictionLogSection } from './report-prediction-log.js';
import { securitySection } from './report-security.js';
import { explainSection } from './report-explain.js';
import { telemetrySection } from './report-telemetry.js';
import { mergeReport, section } from './report-sections.js';
import type { BenchResults, LoadRow } from './results.js';
import { medianReadyMs } from './startup.js';
import { evaluateTargets, loadTargetChecks, okRow, ratio, SOAK_TOLERANCE, type TargetCheck } from './targets.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | undefined, d = 2): string => (n === undefined ? '–' : n.toFixed(d));
const times = (n: number | undefined): string => (n === undefined ? '–' : `${n.toFixed(2)}×`);
const verdict = (p: boolean | undefined): string => (p === undefined ? '– not measured' : p ? '✅ pass' : '❌ miss');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const DEFAULT_NOTES = `## Analysis (hand-written)

_Write the analysis of the figures here. \`npm run bench\` regenerates everything outside this
block and keeps this block exactly as it is._`;

function goldenCell(r: LoadRow): string {
  if (r.golden === 'n/a') return 'n/a (constant answer)';
  if (r.golden === undefined) return '–';
  return r.golden.ok ? `${r.golden.rows}/${r.golden.rows} ok` : `❌ ${r.golden.failures.length}/${r.golden.rows} wrong`;
}

function rowTargets(rows: LoadRow[], r: LoadRow): string {
  if (!r.key.startsWith('ponte-') || r.status !== 'ok') return '';
  return loadTargetChecks(rows, r).map((t) => (t.pass === undefined ? '–' : t.pass ? '✅' : '❌')).join(' ');
}

function loadTable(r: BenchResults, model: string): string[] {
  const rows = r.load.filter((x) => x.model === model);
  const naive = okRow(rows, model, 'naive');
  const flask = okRow(rows, model, 'flask');
  const out = [
    `### ${model}`,
    '',
    '| server | req/s | p50 ms | p99 ms | × naive Hono | × Flask | peak RSS MB | golden | targets (×naive, ×Flask, p99) |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  const notes: string[] = [];
  for (const row of rows) {
    const s = row.status === 'ok' ? row.stats : undefined;
    const mark = row.note ? ` [${notes.push(`${row.label}: ${row.note}`)}]` : '';
    const status = row.status === 'ok' ? '' : ` — **${row.status === 'todo' ? 'TODO' : row.status}**`;
    out.push(`| ${cell(row.label)}${status}${mark} | ${s ? int(s.rps) : '–'} | ${ms(s?.p50Ms)} | ${ms(s?.p99Ms)} | ${times(ratio(row, naive))} | ${times(ratio(row, flask))} | ${row.peakRssMb ? int(row.peakRssMb) : '–'} | ${goldenCell(row)} | ${rowTargets(rows, row)} |`);
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}`).map((n) => `${n}  `));
  const facts = Object.entries(r.ponteFacts).filter(([k]) => k.endsWith(`/${model}`));
  if (facts.length) {
    out.push('', `Ponte's ONNX executor for ${model} (chosen at load by \`executor: auto\`): ` +
      facts.map(([k, f]) => `${k.split('/')[0]} → ${f.executors[model] ?? '?'}`).join('; ') + '.');
  }
  return out;
}

function ceilingTable(r: BenchResults): string[] {
  if (!r.ceiling.length) return ['Not measured in this run.'];
  const batches = [...new Set(r.ceiling.flatMap((c) => Object.keys(c.rowsPerSec)))].sort((a, b) => Number(a) - Number(b));
  const out = [
    `| model | ${batches.map((b) => `batch ${b}: rows/s (µs/call)`).join(' | ')} | best Ponte req/s (32 conn.) as % of batch-1 rows/s |`,
    `|---|${batches.map(() => '---:').join('|')}|---:|`,
  ];
  for (const c of r.ceiling) {
    if (c.status !== 'ok') { out.push(`| ${c.model} | failed: ${cell(c.note ?? '?')} |`); continue; }
    const best = Math.max(0, ...r.load.filter((x) => x.model === c.model && x.key.startsWith('ponte-') && x.stats).map((x) => x.stats!.rps));
    const b1 = c.rowsPerSec['1'];
    out.push(`| ${c.model} | ${batches.map((b) => (c.rowsPerSec[b] ? `${int(c.rowsPerSec[b])} (${c.microsPerCall[b]!.toFixed(1)})` : '–')).join(' | ')} | ${best && b1 ? `${((100 * best) / b1).toFixed(1)} %` : '–'} |`);
  }
  return out;
}

function oneConnTable(r: BenchResults): string[] {
  if (!r.oneConnection.length) return ['Not measured in this run.'];
  const out = ['| model | server | p50 ms | p99 ms | req/s | p50 − naive p50 |', '|---|---|---:|---:|---:|---:|'];
  for (const row of r.oneConnection) {
    const s = row.status === 'ok' ? row.stats : undefined;
    const n = okRow(r.oneConnection, row.model, 'naive')?.stats?.p50Ms;
    const d = s && n !== undefined && row.key !== 'naive' ? `${s.p50Ms - n >= 0 ? '+' : ''}${(s.p50Ms - n).toFixed(3)} ms` : '';
    out.push(`| ${row.model} | ${cell(row.label)}${row.status !== 'ok' ? ` — **${row.status}**: ${cell(row.note ?? '')}` : ''} | ${ms(s?.p50Ms, 3)} | ${ms(s?.p99Ms, 3)} | ${s ? int(s.rps) : '–'} | ${d} |`);
  }
  return out;
}

function startupTable(r: BenchResults): string[] {
  const s = r.startup;
  if (!s) return ['Not measured in this run.'];
  if (s.status !== 'ok') return [`Failed: ${s.note ?? '?'}`];
  const peak = Math.max(0, ...r.load.filter((x) => x.key.startsWith('ponte-') && x.peakRssMb).map((x) => x.peakRssMb!));
  return [
    '| figure | value |',
    '|---|---:|',
    `| process start → first 200 from /v2/health/ready (median of ${s.readyMs.length}; each: ${s.readyMs.map((v) => Math.round(v)).join(', ')} ms) | ${int(medianReadyMs(s)!)} ms |`,
    ...(s.selfReportedMs !== undefined ? [`| Ponte's own "server ready" log line (listen → all models ready, last start) | ${int(s.selfReportedMs)} ms |`] : []),
    `| idle RSS, 3 s after ready (${s.models.join(', ')}) | ${s.idleRssMb?.toFixed(0) ?? '–'} MB |`,
    `| peak RSS under load (largest sample over every Ponte row above, sampled every 250 ms) | ${peak ? `${int(peak)} MB` : '–'} |`,
  ];
}

function soakSection(r: BenchResults): string {
  const s = r.soak;
  if (!s) return 'No soak has been run yet (`npm run bench -- --soak`).';
  if (s.status !== 'ok') return `Soak of ${s.minutes} min failed: ${s.note ?? '?'}`;
  const m = s.memory!;
  const ok = Math.abs(m.ratio - 1) <= SOAK_TOLERANCE;
  return [
    `Run ${r.startedAt.toISOString().slice(0, 10)}: ${s.minutes} min of 32-connection load on Ponte (purchase, OIP, batching on), RSS sampled every 5 s. ` +
      'Under steady load RSS rises and falls by tens of MB between major garbage collections, so each figure is a mean over a minute (a leak still shows as a higher last minute).',
    '',
    `RSS over the second minute (warm): **${m.warmMb.toFixed(0)} MB** mean; over the last minute: **${m.lastMinuteMb.toFixed(0)} MB** mean; ratio ${m.ratio.toFixed(3)} (${ok ? '✅ within 10 %' : '❌ outside 10 %'}). ` +
      (s.stats ? `Load: ${int(s.stats.rps)} req/s, p50 ${ms(s.stats.p50Ms)} ms, p99 ${ms(s.stats.p99Ms)} ms, ${s.stats.errors} errors.` : ''),
    '',
    `Samples (s: MB): ${s.samples.map(([t, mb]) => `${t}: ${mb.toFixed(0)}`).join(', ')}`,
  ].join('\n');
}

function targetsTable(checks: TargetCheck[]): string[] {
  return ['| target | measured | result |', '|---|---|---|', ...checks.map((t) => `| ${cell(t.target)} | ${cell(t.measured)} | ${verdict(t.pass)} |`)];
}

/**
 * The whole docs/benchmarks.md for a run (before the hand-written notes and
 * an older soak are put back by `writeReport`).
 */
export function renderReport(r: BenchResults, machine: MachineInfo): string {
  const minutes = (r.finishedAt.getTime() - r.startedAt.getTime()) / 60000;
  const models = [...new Set(r.load.map((x) => x.model))];
  return [
    '# Benchmarks',
    '',
    section('notes', DEFAULT_NOTES),
    '',
    '<!-- Everything below is generated by `npm run bench` (packages/bench) and rewritten on every run. -->',
    '',
    `**Run** ${r.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC · ${r.mode} · took ${minutes.toFixed(1)} min. ` +
      'Ratios compare rows of this same run. How to run and what each figure means: `packages/bench/README.md`.',
    '',
    ...(r.notes.length ? ['**Notes from this run**', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    '## Targets',
    '',
    `Throughput and latency targets are judged on Ponte's default set-up (OIP, batching on), against the naive Hono server and Flask of the same run; the telemetry, prediction-log, security, monitoring, explanation and overload targets on their own sections below.`,
    '',
    ...targetsTable(evaluateTargets(r)),
    '',
    '## Throughput: one-row requests, 32 connections',
    '',
    'Each server pinned to CPU 0 (`taskset -c 0`), wrk pinned to CPU 1; every request POSTs golden row 0. ' +
      'Before a server is measured, all 10 golden rows are sent and checked within golden.json\'s tolerance; a server with a wrong answer is reported as failing and not measured.',
    '',
    ...(models.length ? models.flatMap((m) => [...loadTable(r, m), '']) : ['Not measured in this run.', '']),
    '## Batched requests: 32 rows per request, 8 connections',
    '',
    ...batchedSection(r),
    '',
    '## In-process ONNX Runtime ceiling',
    '',
    'One `InferenceSession` (1 intra-op thread, pinned to CPU 0) calling `session.run` back to back in a child process: no HTTP, no JSON — what no server can exceed.',
    '',
    ...ceilingTable(r),
    '',
    '## One connection (no concurrency)',
    '',
    'The same one-row requests, one at a time (`wrk -c1`): the latency a lone client sees.',
    '',
    ...oneConnTable(r),
    '',
    '## Start-up and memory',
    '',
    ...startupTable(r),
    '',
    '## Telemetry cost',
    '',
    ...telemetrySection(r),
    '',
    '## Prediction log cost',
    '',
    ...predictionLogSection(r),
    '',
    '## Security cost',
    '',
    ...securitySection(r),
    '',
    '## Monitoring cost',
    '',
    ...monitoringSection(r),
    '',
    '## Explanations',
    '',
    ...explainSection(r),
    '',
    '## Overload and backpressure',
    '',
    ...overloadSection(r),
    '',
    '## Soak',
    '',
    section('soak', soakSection(r)),
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    ...machine.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    `| load average (1 min), start / end of run | ${r.loadAvg.start.toFixed(2)} / ${r.loadAvg.end.toFixed(2)} |`,
    '',
    '## Method and exact commands',
    '',
    '- Loopback only (127.0.0.1); each server started fresh for each round of a row (the load tables measure every contender once per round, in rounds), its whole process group stopped afterwards.',
    '- Ponte: the built CLI with a generated config (plugins `@ponte/onnx` with `intraOpNumThreads: 1` and `executor` left to `auto`, `@ponte/validator-jsonschema`, and `@ponte/exporter-prometheus` when it loads; `logging.requests: true` with stdout to a file; the four example models from `examples/models`). "Batching off" sets `batching: { enabled: false }` on the measured model.',
    '- The bench process itself runs on CPU 1 with wrk, so that nothing but the server uses CPU 0.',
    '',
    'Commands of this run (ports and temp paths are this run\'s):',
    '',
    '```sh',
    ...r.commands,
    '```',
    '',
  ].join('\n');
}

/**
 * Writes the report, keeping the previous file's hand-written notes and, when
 * this run had no soak, its last soak section.
 */
export function writeReport(file: string, generated: string, ranSoak: boolean): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, mergeReport(previous, generated, ranSoak ? ['notes'] : ['notes', 'soak']));
}
