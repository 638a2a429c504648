import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { roundOrder } from './round-order.js';
import { join } from 'node:path';
import { launch } from './contender.js';
import { sqliteReader } from './log-stores.js';
import { measureLoad, type LoadPlan } from './load.js';
import { goldenOf } from './models.js';
import { EXAMPLE_MODEL_NAMES, EXAMPLE_MODELS, REPO_ROOT } from './paths.js';
import { latencySummary } from './percentile.js';
import type { PonteVariant } from './ponte-config.js';
import { PREDICTION_LOG } from './prediction-log.js';
import type { ExplainLatencyRow, ExplainResult, SetupVariant } from './results.js';
import { sectionPonte } from './section-ponte.js';
import { telemetryRounds } from './telemetry.js';

/**
 * The explain section: the issue's three latency rows (purchase explained by
 * exhaustive Kernel SHAP, digits by sampled Kernel SHAP, house by TreeSHAP,
 * every setting at its default) and the throughput cost of background
 * explanations on purchase at saturation. house and digits have no reference
 * profile in examples/models: their background is the monitor's reference
 * sample of each (packages/monitor/test/fixtures/<m>/reference.csv, the
 * plugin's `background: { file }`, K = 20 as by default).
 */
export const EXPLAIN = {
  latency: [
    { model: 'purchase', label: '8 features, Kernel SHAP exhaustive', p50TargetMs: 50, requests: 200, quickRequests: 40 },
    { model: 'digits', label: '64 features, Kernel SHAP sampled', requests: 40, quickRequests: 10 },
    { model: 'house', label: 'TreeSHAP', p50TargetMs: 5, requests: 200, quickRequests: 40 },
  ],
  warmup: 5,
  referenceOf: { house: 'house', digits: 'digits' } as Readonly<Record<string, string>>,
  throughput: { model: 'purchase', connections: 32 },
  /** `models[].explain.sampleRate`'s default (packages/explain/src/explain-config.ts). */
  defaultSampleRate: 0.01,
  /** Background explanations may cost prediction throughput at most this share (the issue's target). */
  maxThroughputCost: 0.05,
  /** How long one explanation (with its job polling) may take before the row fails, ms. */
  requestTimeoutMs: 60_000,
} as const;

/** Which plugins of the section load here (packages written in parallel may not be built). */
export interface ExplainPlugins {
  sqlite: boolean;
  explain: boolean;
}

/**
 * A model repository for the section: every example model linked from
 * examples/models, with the monitor's reference sample copied beside house
 * and digits (their explainer's background).
 */
function explainRepository(tmp: string): string {
  const dir = join(tmp, 'explain-models');
  if (existsSync(dir)) return dir;
  for (const m of EXAMPLE_MODEL_NAMES) {
    mkdirSync(join(dir, m), { recursive: true });
    for (const f of readdirSync(join(EXAMPLE_MODELS, m))) symlinkSync(join(EXAMPLE_MODELS, m, f), join(dir, m, f));
    const ref = EXPLAIN.referenceOf[m];
    if (ref !== undefined) cpSync(join(REPO_ROOT, 'packages/monitor/test/fixtures', ref, 'reference.csv'), join(dir, m, 'reference.csv'));
  }
  return dir;
}

/** The `explain` entries of the section's config: the reference sample for the models without a profile. */
function explainEntries(): Record<string, string> {
  return Object.fromEntries(Object.keys(EXPLAIN.referenceOf).map((m) => [m, '{ background: { file: reference.csv } }']));
}

interface ExplainAnswer {
  explanations?: Array<Array<{ method?: string; feature_names?: string[]; parameters?: Record<string, unknown> }>>;
  job_id?: string;
  status?: string;
  url?: string;
  error?: string;
}

/** One explanation, following a `202` job to its end; throws with the server's words on an error. */
async function explainOnce(baseUrl: string, model: string, row: Record<string, number>): Promise<{ answer: ExplainAnswer; job: boolean }> {
  const signal = AbortSignal.timeout(EXPLAIN.requestTimeoutMs);
  const res = await fetch(`${baseUrl}/v1/models/${model}:explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [row] }), signal });
  let answer = (await res.json()) as ExplainAnswer;
  if (res.status === 202 && answer.url !== undefined) {
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      const poll = await fetch(baseUrl + answer.url, { signal });
      const body = (await poll.json()) as ExplainAnswer;
      if (poll.status !== 200) throw new Error(`job: HTTP ${poll.status} ${body.error ?? ''}`);
      if (body.status === 'pending') continue;
      if (body.status === 'failed') throw new Error(`job failed: ${body.error ?? '?'}`);
      answer = body;
      break;
    }
    return { answer, job: true };
  }
  if (res.status !== 200) throw new Error(`HTTP ${res.status} ${answer.error ?? ''}`);
  return { answer, job: false };
}

/**
 * Latency of one model: a Ponte (the load tables' set-up, plus
 * `@ponte/explain` with its defaults) pinned to the server CPU; a few warm-up
 * explanations (the first reads the reference and probes the model), then
 * `requests` one-row explanations one after the other, the golden rows in
 * turn, timed by the bench around each HTTP request.
 */
async function measureLatency(plan: LoadPlan, prometheus: boolean, spec: (typeof EXPLAIN.latency)[number], quick: boolean): Promise<ExplainLatencyRow> {
  const row: ExplainLatencyRow = { model: spec.model, label: spec.label, status: 'ok', jobs: 0, ...('p50TargetMs' in spec ? { p50TargetMs: spec.p50TargetMs } : {}) };
  const variant: PonteVariant = { model: spec.model, batching: true, prometheus, repository: explainRepository(plan.tmp), explain: explainEntries() };
  const c = sectionPonte(variant, `explain-latency-${spec.model}`, `Ponte, @ponte/explain (${spec.model})`);
  let launched;
  try {
    launched = await launch(c, plan.tmp);
  } catch (e) {
    return { ...row, status: 'failed', note: `did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    plan.onCommand?.(`${c.label}`, launched.proc.commandLine);
    const golden = goldenOf(spec.model);
    const rows = golden.inputs_named;
    const n = quick ? spec.quickRequests : spec.requests;
    const times: number[] = [];
    for (let i = 0; i < EXPLAIN.warmup + n; i++) {
      const t0 = performance.now();
      const { answer, job } = await explainOnce(launched.baseUrl, spec.model, rows[i % rows.length]!);
      const ms = performance.now() - t0;
      if (i < EXPLAIN.warmup) continue;
      times.push(ms);
      if (job) row.jobs++;
      const first = answer.explanations?.[0]?.[0];
      if (row.method === undefined && first !== undefined) {
        row.method = first.method ?? '?';
        const p = first.parameters ?? {};
        if (typeof p['exact'] === 'boolean') row.exact = p['exact'];
        if (typeof p['coalitions'] === 'number') row.coalitions = p['coalitions'];
        if (typeof p['model_rows'] === 'number') row.modelRows = p['model_rows'];
        row.features = first.feature_names?.length ?? 0;
      }
    }
    row.latency = latencySummary(times);
    plan.log?.(`  ${spec.model.padEnd(9)} ${row.method ?? '?'}: p50 ${row.latency.p50Ms.toFixed(2)} ms, p99 ${row.latency.p99Ms.toFixed(2)} ms over ${times.length} explanations${row.jobs ? ` (${row.jobs} as jobs)` : ''}`);
    return row;
  } catch (e) {
    return { ...row, status: 'failed', note: (e as Error).message.split('\n')[0] };
  } finally {
    await launched.proc.stop();
  }
}

/** Predictions logged and rows explained in the background, read from a SQLite file once its server has stopped. */
async function countExplained(file: string): Promise<{ logged: number; explained: number }> {
  if (!existsSync(file)) return { logged: 0, explained: 0 };
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const has = (t: string): boolean => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t) !== undefined;
    const logged = await (await sqliteReader(file)).count();
    const explained = has('documents')
      ? Number((db.prepare(`SELECT coalesce(sum(json_array_length(json_extract(body, '$.samples'))), 0) AS n FROM documents WHERE kind = 'explain-sample'`).get() as { n: number }).n)
      : 0;
    return { logged, explained };
  } finally {
    db.close();
  }
}

const removeSqlite = (file: string): void => { for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true }); };

/**
 * The cost of background explanations to prediction throughput: Ponte (OIP,
 * batching on) on purchase at 32 connections with the SQLite log, without
 * and with `@ponte/explain` at its default sample rate, measured interleaved
 * in telemetryRounds() rounds, a fresh server and SQLite file per run. After
 * each explained run the bench counts, in the file, the predictions logged
 * and the rows the plugin explained in the background.
 */
async function measureThroughputCost(plan: LoadPlan, prometheus: boolean, plugins: ExplainPlugins): Promise<ExplainResult['throughput']> {
  const { model, connections } = EXPLAIN.throughput;
  const base: PonteVariant = { model, batching: true, prometheus };
  const noSqlite = plugins.sqlite ? undefined : '@ponte/store-sqlite is not built or does not load';
  const noExplain = noSqlite ?? (plugins.explain ? undefined : '@ponte/explain is not built or does not load');
  const setups = [
    { key: 'off', label: 'SQLite log, explain off', variant: (file: string): PonteVariant => ({ ...base, store: { kind: 'sqlite', file } }), skip: noSqlite },
    { key: 'explain', label: `SQLite log + @ponte/explain (sampleRate ${EXPLAIN.defaultSampleRate}, its default)`, variant: (file: string): PonteVariant => ({ ...base, store: { kind: 'sqlite', file }, explain: {} }), skip: noExplain },
  ];
  const variants: SetupVariant[] = setups.map((s) => ({ key: s.key, label: s.label, status: s.skip ? 'skipped' : 'ok', ...(s.skip ? { note: s.skip } : {}), runs: [] }));
  const explained: Array<{ logged: number; explained: number }> = [];
  const { onPonteFacts: _facts, ...quiet } = plan;
  const rounds = telemetryRounds(plan);
  for (let i = 0; i < rounds.runs; i++) {
    for (const [k, s] of roundOrder(setups, i)) {
      const v = variants[k]!;
      if (v.status !== 'ok') continue;
      const file = join(plan.tmp, `explain-${s.key}-${i + 1}.sqlite`);
      try {
        const row = await measureLoad(sectionPonte(s.variant(file), `explain-${s.key}`, `Ponte OIP, ${s.label}`), { ...quiet, connections, runs: 1, durationS: rounds.durationS, stopGraceMs: PREDICTION_LOG.stopGraceMs });
        if (row.status !== 'ok' || !row.stats) {
          v.status = 'failed';
          v.note = `run ${i + 1}: ${row.note ?? row.status}`;
          continue;
        }
        v.runs.push(row.stats);
        if (row.stats.errors > 0) v.note = [v.note, `run ${i + 1}: ${row.stats.errors} socket errors or non-2xx answers`].filter(Boolean).join('; ');
        if (s.key === 'explain') {
          const x = await countExplained(file);
          explained.push(x);
          plan.log?.(`    explained in the background: ${x.explained} of ${x.logged} logged predictions (${x.logged ? ((100 * x.explained) / x.logged).toFixed(2) : '0'} %)`);
        }
      } finally {
        removeSqlite(file);
      }
    }
  }
  return { model, connections, sampleRate: EXPLAIN.defaultSampleRate, variants, explained };
}

/** The explain section: latency per model, then the throughput cost. */
export async function runExplain(plan: LoadPlan, prometheus: boolean, plugins: ExplainPlugins, quick: boolean): Promise<ExplainResult> {
  const latency: ExplainLatencyRow[] = [];
  for (const spec of EXPLAIN.latency) {
    if (!plugins.explain) {
      latency.push({ model: spec.model, label: spec.label, status: 'skipped', note: '@ponte/explain is not built or does not load', jobs: 0, ...('p50TargetMs' in spec ? { p50TargetMs: spec.p50TargetMs } : {}) });
      continue;
    }
    latency.push(await measureLatency(plan, prometheus, spec, quick));
  }
  return { latency, warmup: EXPLAIN.warmup, throughput: await measureThroughputCost(plan, prometheus, plugins) };
}
