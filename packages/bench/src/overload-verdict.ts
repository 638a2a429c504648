import type { OverloadResult } from './results.js';
import { countStatuses, isRejection, isServerError } from './status-counts.js';
import type { TargetCheck } from './targets.js';

/** Health probes must answer within this, ms (p99 and max judged separately). */
export const HEALTH_TARGET_MS = 50;
/** "A full queue answers at once": p99 time in the server of a 429/503, ms. */
export const REJECT_AT_ONCE_MS = 5;
/** Memory stays bounded: peak RSS ≤ factor × RSS before + extra MB. */
export const RSS_BOUND = { factor: 2, extraMb: 100 };
/**
 * Accepted requests' p99 time in the server may be this many times the time
 * needed to serve a full queue plus one batch at the measured accepted rate,
 * (maxQueueSize + maxBatchSize) / (accepted req/s). That quotient is the mean
 * wait Little's law gives for a full queue; the p99 gets twice it.
 */
export const ACCEPTED_SPREAD = 2;

const msf = (n: number): string => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

/** The accepted-latency bound of a run, ms, or undefined when nothing was accepted. */
export function acceptedBoundMs(o: OverloadResult): number | undefined {
  const accepted = o.statuses?.byStatus['200'] ?? 0;
  const seconds = o.wrk?.durationS ?? o.durationS;
  if (accepted <= 0 || !(seconds > 0)) return undefined;
  return (ACCEPTED_SPREAD * (o.maxQueueSize + o.maxBatchSize) * 1000) / (accepted / seconds);
}

/**
 * The issue's overload targets judged on one run: no 5xx; rejections are
 * 429/503 with Retry-After and PONTE_QUEUE_FULL, answered at once; health
 * probes within 50 ms (p99, max) and none failed; peak RSS bounded; accepted
 * requests' latency bounded by the queue limit. A target is "not measured"
 * (pass undefined) when the run lacks its figure, e.g. when the queue never
 * filled and nothing was rejected.
 */
export function overloadChecks(o: OverloadResult): TargetCheck[] {
  const pre = `overload (${o.model}, queue ${o.maxQueueSize}, ${o.connections} conn.)`;
  if (o.status !== 'ok') return [{ target: `${pre}: every target`, measured: `${o.status}: ${o.note ?? '?'}`, pass: o.status === 'failed' ? false : undefined }];
  const out: TargetCheck[] = [];
  const st = o.statuses;
  const fiveXx = st ? countStatuses(st, isServerError) : undefined;
  const sockErr = o.wrk ? o.wrk.errors - o.wrk.non2xx : 0;
  out.push({
    target: `${pre}: no 5xx answers`,
    measured: fiveXx === undefined ? 'n/a' : `${fiveXx} 5xx${sockErr ? ` (and ${sockErr} socket errors/timeouts)` : ''}`,
    pass: fiveXx === undefined ? undefined : fiveXx === 0,
  });

  const rejected = st ? countStatuses(st, isRejection) : 0;
  const rej = o.serverRejected;
  out.push({
    target: `${pre}: a full queue answers 429/503 with Retry-After and PONTE_QUEUE_FULL, p99 ≤ ${REJECT_AT_ONCE_MS} ms in the server`,
    measured: !st || rejected === 0
      ? 'no request was rejected: the queue never filled'
      : `${rejected} rejected; ${st.retryAfter} with Retry-After, ${st.queueFull} with PONTE_QUEUE_FULL; p99 ${rej ? msf(rej.p99Ms) : 'n/a'}`,
    pass: !st || rejected === 0 || !rej || rej.count === 0 ? undefined : st.retryAfter === rejected && st.queueFull === rejected && rej.p99Ms <= REJECT_AT_ONCE_MS,
  });

  // Judged where a kubelet would probe: the health port when the run had one (server.health.port),
  // else the data-plane port. Data-plane probes of a run with a health port are reported, not judged.
  const all = o.probes ?? [];
  const onHealthPort = all.filter((p) => p.port === 'health');
  const probes = onHealthPort.length > 0 ? onHealthPort : all;
  const where = onHealthPort.length > 0 ? ' (health port)' : '';
  if (probes.length) {
    const p99 = Math.max(...probes.map((p) => p.latency.p99Ms));
    const max = Math.max(...probes.map((p) => p.latency.maxMs));
    const failures = probes.reduce((n, p) => n + p.failures, 0);
    const count = probes.reduce((n, p) => n + p.probes, 0);
    out.push({ target: `${pre}: health probes${where} p99 ≤ ${HEALTH_TARGET_MS} ms, none failed`, measured: `${msf(p99)} (worst endpoint), ${failures}/${count} failed`, pass: p99 <= HEALTH_TARGET_MS && failures === 0 });
    out.push({ target: `${pre}: health probes${where} max ≤ ${HEALTH_TARGET_MS} ms`, measured: msf(max), pass: max <= HEALTH_TARGET_MS });
  } else {
    out.push({ target: `${pre}: health probes ≤ ${HEALTH_TARGET_MS} ms`, measured: 'no probes', pass: undefined });
  }

  const before = o.rssBeforeMb;
  const peak = o.rssPeakMb;
  const limit = before === undefined ? undefined : RSS_BOUND.factor * before + RSS_BOUND.extraMb;
  out.push({
    target: `${pre}: peak RSS ≤ ${RSS_BOUND.factor}× RSS before + ${RSS_BOUND.extraMb} MB`,
    measured: before === undefined || peak === undefined ? 'n/a' : `${before.toFixed(0)} → peak ${peak.toFixed(0)} MB (limit ${limit!.toFixed(0)}), ${o.rssAfterMb?.toFixed(0) ?? '?'} MB after`,
    pass: limit === undefined || peak === undefined ? undefined : peak <= limit,
  });

  const bound = acceptedBoundMs(o);
  const acc = o.serverAccepted;
  out.push({
    target: `${pre}: accepted requests' p99 in the server ≤ ${ACCEPTED_SPREAD}× (queue + batch) / accepted rate`,
    measured: bound === undefined || !acc || acc.count === 0 ? 'nothing accepted' : `${msf(acc.p99Ms)} vs bound ${msf(bound)}`,
    pass: bound === undefined || !acc || acc.count === 0 ? undefined : acc.p99Ms <= bound,
  });
  return out;
}
