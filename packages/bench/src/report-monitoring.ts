import { maxBehindS, MONITORING_MIN_RATIO, MONITORING_TARGET_ROW, summarizeMonitoring } from './monitoring-verdict.js';
import { COST_ROUNDS } from './telemetry.js';
import type { BenchResults, MonitorMemory } from './results.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function memoryLines(m: MonitorMemory): string[] {
  if (m.status !== 'ok') return [`Memory per monitored feature: not measured (${cell(m.note ?? '?')}).`];
  return [
    `**Memory per monitored feature** (measured on \`@ponte/monitor\`'s engine, not from RSS): a \`WindowAccumulator\` over purchase's reference profile after ${int(m.rowsAdded)} rows (${m.source}); ` +
      'its saved state (`toJSON()`: what the monitor holds for the open window and writes to the store on each tick) as UTF-8 JSON, and the profile as compact JSON. ' +
      'The counters have a fixed size (reference bins, moments, quality counts): the figure does not grow with the rows a window sees, only the digits of its counts do.',
    '',
    '| figure | bytes |',
    '|---|---:|',
    `| window state per feature (mean of ${m.features}; largest ${int(m.maxWindowBytesPerFeature)}) | ${int(m.windowBytesPerFeature)} |`,
    `| reference profile per feature (mean of ${m.features}) | ${int(m.profileBytesPerFeature)} |`,
    `| window state of the output (distribution + CBPE counters), once per model | ${int(m.outputWindowBytes)} |`,
    `| whole window state / whole profile (${m.features} features + output) | ${int(m.windowBytes)} / ${int(m.profileBytes)} |`,
    '',
    `Per feature, window / profile: ${Object.entries(m.perFeature).map(([f, b]) => `${f} ${int(b.window)} / ${int(b.profile)}`).join(', ')}.`,
  ];
}

/** The monitoring-cost table (both off, SQLite log, SQLite log + monitor) and the memory per monitored feature. */
export function monitoringSection(r: BenchResults): string[] {
  const m = r.monitoring;
  if (!m) return ['Not measured in this run.'];
  const out = [
    `Ponte OIP (batching on) on ${m.model}, ${m.connections} connections (wrk), one fresh server per run with its golden check and a ${m.warmupS} s warm-up, then one ${m.durationS} s run; ${COST_ROUNDS} rounds in a full run, the set-ups run one after another in each round, the first of each round rotating so that each runs first equally often (round-order.ts), each row the median over its runs (p50 and p99 of the median run). ` +
      'All set-ups are the load tables\' Ponte (metrics on when `@ponte/exporter-prometheus` loads, one access line per request, JSON Schema validation). ' +
      'Off: no store, no monitor. SQLite log: `@ponte/store-sqlite`, a fresh file per run (every prediction logged). ' +
      `SQLite log + monitor: the same and \`@ponte/monitor\` with its defaults (reads the log every ${m.tickS} s, ${m.lagS} s behind), ${m.model} with \`monitoring: { window: { rows: ${m.windowRows} } }\` and its reference profile (examples/models/${m.model}/1/profile.json): every logged row is read back, checked and counted against the profile, and a window is evaluated (drift, quality, estimated performance) and stored every ${int(m.windowRows)} rows. ` +
      `The monitor works in bursts, once a tick: the warm-up lasts at least tick + lag, so that the measured run sees steady ticks, and a run lasts a whole number of ticks. ` +
      `**Windows closed**: read from \`GET /v2/models/${m.model}/monitoring?limit=1000\` at the start and the end of each measured run (newest window number at the end minus at the start), every run together (fewest in one run). ` +
      '**Rows/s monitored / logged**: rows in the windows closed during the run / rows the SQLite file gained during it (counted by the bench), per second of the run, median over runs — equal when the monitor keeps pace, give or take a tick. ' +
      `**Behind at run end**: the end of the run minus the last prediction of the newest closed window, largest over runs; by design up to lag + tick (${m.lagS + m.tickS} s) plus the tick's own time. ` +
      `Target: SQLite log + monitor ≥ ${MONITORING_MIN_RATIO * 100}% of off, with every run closing a window and ending at most ${maxBehindS(m)} s behind. Run-to-run noise on a shared machine is about ±10%; the spread column shows this run's.`,
    '',
    '| set-up | runs | median req/s | vs off | p50 / p99 ms (median run) | spread (max−min)/median | windows closed during the runs (fewest in a run) | rows/s monitored / logged | behind at run end, s (most) | each run req/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const sums = summarizeMonitoring(m);
  const notes: string[] = [];
  for (const [i, v] of m.variants.entries()) {
    const s = sums[i]!;
    const mark = v.note ? ` [${notes.push(`${v.label}: ${v.note}`)}]` : '';
    const status = v.status === 'ok' ? '' : ` — **${v.status}**`;
    const judged = (ratio: number): string => (v.key !== MONITORING_TARGET_ROW ? '' : ratio >= MONITORING_MIN_RATIO && s.keptUp === true ? ' ✅' : ' ❌');
    const mon = s.windowsClosed !== undefined;
    out.push([
      `| ${cell(v.label)}${status}${mark}`,
      String(s.runs),
      s.medianRps !== undefined ? int(s.medianRps) : '–',
      s.ratio === undefined ? '–' : `${pct(s.ratio)}${judged(s.ratio)}`,
      s.medianRun ? `${s.medianRun.p50Ms.toFixed(2)} / ${s.medianRun.p99Ms.toFixed(2)}` : '–',
      s.spread !== undefined ? pct(s.spread) : '–',
      mon ? `${int(s.windowsClosed!)} (${int(s.minWindowsClosed ?? 0)})` : '–',
      mon ? `${int(s.monitoredPerS ?? 0)} / ${int(s.loggedPerS ?? 0)}` : '–',
      mon ? (s.maxBehindS !== undefined ? `${s.maxBehindS.toFixed(1)}${s.keptUp ? '' : ' ❌'}` : 'no window ❌') : '–',
      `${v.runs.map((x) => int(x.rps)).join(', ') || '–'} |`,
    ].join(' | '));
  }
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${cell(n)}  `));
  out.push('', ...memoryLines(m.memory));
  return out;
}
