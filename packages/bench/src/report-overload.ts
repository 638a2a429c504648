import { ACCEPTED_SPREAD, acceptedBoundMs, HEALTH_TARGET_MS, overloadChecks } from './overload-verdict.js';
import type { BenchResults, LatencySummary } from './results.js';
import { countStatuses, isRejection, isServerError } from './status-counts.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const lat = (l: LatencySummary | undefined): string => (l && l.count ? `${l.p50Ms.toFixed(2)} / ${l.p99Ms.toFixed(2)} / ${l.maxMs.toFixed(2)}` : '–');

/** The overload section: what was answered, how fast, health probes, memory, and the verdicts. */
export function overloadSection(r: BenchResults): string[] {
  const o = r.overload;
  if (!o) return ['Not measured in this run.'];
  const head = `Ponte OIP serving ${o.model} with \`batching: { maxBatchSize: ${o.maxBatchSize}, maxQueueSize: ${o.maxQueueSize} }\` (pinned to CPU 0), golden-checked and warmed up at 32 connections, then driven by wrk with ${o.connections} connections (4× the load tables) for ${o.durationS} s (wrk on CPU 1, \`wrk/post-status.lua\` counting answers by status). ` +
    `Meanwhile the bench process (CPU 1, raised to nice −10 while probing so that wrk on the same core does not delay the prober itself, as a kubelet runs apart from the traffic) GETs /v2/health/live and /v2/health/ready every 20 ms each, on a new connection per probe, both on Ponte's health port (\`server.health: { port }\`: answered by a thread of its own, so a busy event loop does not delay it; the targets are judged there, where a kubelet would be pointed) and on the data-plane port (reported for comparison: there a probe waits its turn behind the requests that arrived before it), starting 1 s after the overload begins (on this VM a burst of 128 new connections holds back any other new connection for about a second whatever the server — bare node:http included — so the first second measures the loopback, not the server), and samples the server's RSS every 250 ms. ` +
    `Times "in the server" come from Ponte's request log (read after the server stopped, lines inside the overload window only); wrk's latencies mix 200s and 429s and include time in socket buffers.`;
  if (o.status !== 'ok') return [head, '', `**${o.status}**: ${cell(o.note ?? '?')}`];
  const st = o.statuses!;
  const w = o.wrk!;
  const bound = acceptedBoundMs(o);
  const other = Object.entries(st.byStatus).filter(([k]) => k !== '200' && k !== '429').map(([k, v]) => `${k}: ${int(v)}`).join(', ');
  const out = [
    head,
    '',
    '| figure | value |',
    '|---|---:|',
    `| answers (wrk), per second | ${int(w.requests)} (${int(w.rps)}/s) |`,
    `| 200 accepted, per second | ${int(st.byStatus['200'] ?? 0)} (${int((st.byStatus['200'] ?? 0) / w.durationS)}/s) |`,
    `| 429 rejected (with Retry-After / with PONTE_QUEUE_FULL) | ${int(st.byStatus['429'] ?? 0)} (${int(st.retryAfter)} / ${int(st.queueFull)}) |`,
    `| other statuses | ${other || 'none'} |`,
    `| 5xx (503 counted as a rejection) | ${countStatuses(st, isServerError)} |`,
    `| socket errors / timeouts (wrk) | ${w.errors - w.non2xx} |`,
    `| every answer, client side (wrk): p50 / p99 / max ms | ${w.p50Ms.toFixed(2)} / ${w.p99Ms.toFixed(2)} / ${w.maxMs.toFixed(2)} |`,
    `| accepted (200), in the server: p50 / p99 / max ms (n) | ${lat(o.serverAccepted)} (${int(o.serverAccepted?.count ?? 0)}) |`,
    `| accepted p99 bound: ${ACCEPTED_SPREAD} × (queue ${o.maxQueueSize} + batch ${o.maxBatchSize}) / accepted rate | ${bound === undefined ? '–' : `${bound.toFixed(1)} ms`} |`,
    `| rejected (${countStatuses(st, isRejection)}), in the server: p50 / p99 / max ms | ${lat(o.serverRejected)} |`,
    ...(o.probes ?? []).map((p) => `| health ${p.path}${p.port === 'health' ? ' on the health port' : p.port === 'data-plane' ? ' on the data-plane port' : ''}: p50 / p99 / max ms (${p.probes} probes, ${p.failures} failed; slowest at ${p.maxAtS.toFixed(1)} s) | ${lat(p.latency)} |`),
    `| RSS before (after warm-up, 2 s idle) / peak during / 3 s after, MB | ${o.rssBeforeMb?.toFixed(0) ?? '–'} / ${o.rssPeakMb?.toFixed(0) ?? '–'} / ${o.rssAfterMb?.toFixed(0) ?? '–'} |`,
    '',
    `Targets (health probes: ${HEALTH_TARGET_MS} ms):`,
    '',
    '| target | measured | result |',
    '|---|---|---|',
    ...overloadChecks(o).map((t) => `| ${cell(t.target)} | ${cell(t.measured)} | ${t.pass === undefined ? '– not measured' : t.pass ? '✅ pass' : '❌ miss'} |`),
  ];
  return out;
}
