import { EXPLAIN } from './explain.js';
import { summarizeExplainThroughput } from './explain-verdict.js';
import type { BenchResults } from './results.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The explanation tables: latency per model (with the issue's p50 targets), then the throughput cost of background explanations. */
export function explainSection(r: BenchResults): string[] {
  const x = r.explain;
  if (!x) return ['Not measured in this run.'];
  const notes: string[] = [];
  const out = [
    `**Latency.** One Ponte per model (the load tables' set-up plus \`@ponte/explain\` with its default options and settings: method \`auto\`, K = 20 background rows), pinned to CPU 0; the bench sends ${x.warmup} warm-up explanations, then one-row \`POST /v1/models/{m}:explain\` requests one after the other (golden rows in turn) and times each around the HTTP request, so the figures include HTTP and JSON (about 1 ms on this box). ` +
      'purchase\'s background comes from its reference profile (examples/models/purchase/1/profile.json); house and digits have none, so theirs is the monitor\'s reference sample of each (`background: { file: reference.csv }`, packages/monitor/test/fixtures). ' +
      'A request whose estimated cost exceeds the default budget (2 s) is answered 202 and polled every 20 ms; its time includes the polling and the jobs column counts them.',
    '',
    '| model | what | method (answer) | coalitions × K = model rows per row | requests | p50 ms | p99 ms | max ms | jobs |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of x.latency) {
    const mark = row.note ? ` [${notes.push(`${row.model}: ${row.note}`)}]` : '';
    const status = row.status === 'ok' ? '' : ` — **${row.status}**`;
    const l = row.latency;
    const judged = row.p50TargetMs === undefined || !l ? '' : l.p50Ms < row.p50TargetMs ? ` ✅ (< ${row.p50TargetMs})` : ` ❌ (target < ${row.p50TargetMs})`;
    const cost = row.method === 'tree_shap' ? '0 (trees walked in process)' : row.coalitions !== undefined ? `${int(row.coalitions)}${row.exact === false ? ' sampled' : row.exact ? ' (all)' : ''} → ${row.modelRows !== undefined ? int(row.modelRows) : '?'}` : '–';
    out.push([
      `| ${row.model}${status}${mark}`,
      cell(row.label),
      row.method ?? '–',
      cost,
      l ? String(l.count) : '–',
      l ? `${l.p50Ms.toFixed(2)}${judged}` : '–',
      l ? l.p99Ms.toFixed(2) : '–',
      l ? l.maxMs.toFixed(2) : '–',
      `${row.jobs} |`,
    ].join(' | '));
  }
  const t = x.throughput;
  out.push(
    '',
    `**Throughput cost of background explanations.** Ponte OIP (batching on) on ${t.model}, ${t.connections} connections (wrk), both set-ups with the SQLite prediction log (the sampler needs a store, and reads its samples from the after-response sink): explain off, and \`@ponte/explain\` with its default \`sampleRate\` (${t.sampleRate}: that share of answered predictions is explained in the background and stored as \`explain-sample\` documents). ` +
      `Run interleaved, the first of each round rotating (round-order.ts), a fresh server and SQLite file per run, each with its golden check and warm-up; medians over the runs. Target: cost ≤ ${EXPLAIN.maxThroughputCost * 100}% of req/s. ` +
      'The last columns count, in the SQLite file after each explained run, the predictions logged and the rows explained in the background: explanations yield to predictions (one explanation slot per model, perturbed rows in chunks through the model\'s batcher), so at saturation the sampler may explain fewer than the sample rate asks — best effort, never on the request path.',
    '',
    '| set-up | runs | median req/s | vs explain off | p50 / p99 ms (median run) | spread (max−min)/median | non-2xx | each run req/s | explained / logged (each run) |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  );
  const sums = summarizeExplainThroughput(x);
  for (const [i, v] of t.variants.entries()) {
    const s = sums[i]!;
    const mark = v.note ? ` [${notes.push(`${v.label}: ${v.note}`)}]` : '';
    const status = v.status === 'ok' ? '' : ` — **${v.status}**`;
    const judged = v.key !== 'explain' || s.ratio === undefined ? '' : 1 - s.ratio <= EXPLAIN.maxThroughputCost && s.non2xx === 0 ? ' ✅' : ' ❌';
    out.push([
      `| ${cell(v.label)}${status}${mark}`,
      String(s.runs),
      s.medianRps !== undefined ? int(s.medianRps) : '–',
      s.ratio === undefined ? '–' : `${pct(s.ratio)}${judged}`,
      s.medianRun ? `${s.medianRun.p50Ms.toFixed(2)} / ${s.medianRun.p99Ms.toFixed(2)}` : '–',
      s.spread !== undefined ? pct(s.spread) : '–',
      v.status === 'ok' ? int(s.non2xx) : '–',
      v.runs.map((y) => int(y.rps)).join(', ') || '–',
      `${v.key === 'explain' ? t.explained.map((e) => `${int(e.explained)} / ${int(e.logged)}`).join(', ') || '–' : '–'} |`,
    ].join(' | '));
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}  `));
  return out;
}
