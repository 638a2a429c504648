import type { HealthReport } from './health-report.js';

/** One health endpoint's answer. */
export interface HealthAnswer {
  status: 200 | 503;
  body: Record<string, unknown>;
}

/** The answers of /v2/health/live and /v2/health/ready at one moment. */
export interface HealthView {
  live: HealthAnswer;
  ready: HealthAnswer;
}

/** A server process as a listener off its event loop sees it: its last report and how long ago its loop last beat. */
export interface ProcessHealth {
  pid: number;
  /** Undefined until the process has reported once. */
  report: HealthReport | undefined;
  beatAgeMs: number;
}

const stallReason = (p: ProcessHealth, stallMs: number): string | undefined =>
  p.beatAgeMs > stallMs ? `event loop of process ${p.pid} has not run for ${Math.round(p.beatAgeMs)} ms (server.health.stallMs: ${stallMs})` : undefined;

/**
 * Health of one process, answered from a thread of its own. Live unless the
 * server stopped or its event loop has not beaten for `stallMs` (a loop that
 * busy still beats between turns; one stuck in a synchronous call does not);
 * ready when the report says so and the loop is not stalled.
 */
export function threadHealthView(p: ProcessHealth, stallMs: number): HealthView {
  const stalled = stallReason(p, stallMs);
  const r = p.report;
  const live = r?.state !== 'stopped' && stalled === undefined;
  const ready = r !== undefined && r.ready && stalled === undefined;
  return {
    live: { status: live ? 200 : 503, body: { live, ...(stalled !== undefined ? { reason: stalled } : {}) } },
    ready: { status: ready ? 200 : 503, body: { ready, state: r?.state ?? 'starting', models: r?.models ?? [], ...(stalled !== undefined ? { reason: stalled } : {}) } },
  };
}

/**
 * Health of a cluster of `expected` server processes, answered by the primary.
 * Live while no process is stalled (a process that died is replaced by the
 * primary, so it does not count against liveness); ready when `expected`
 * processes have reported, every one ready and none stalled.
 */
export function clusterHealthView(processes: readonly ProcessHealth[], expected: number, stallMs: number): HealthView {
  const reasons = processes.flatMap((p) => {
    const s = stallReason(p, stallMs);
    return s !== undefined ? [s] : [];
  });
  const notReady = processes.filter((p) => !(p.report?.ready ?? false)).map((p) => `process ${p.pid}: ${p.report?.state ?? 'not reported yet'}`);
  if (processes.length < expected) notReady.push(`${processes.length} of ${expected} processes running`);
  const live = reasons.length === 0;
  const ready = live && notReady.length === 0;
  const each = processes.map((p) => ({ pid: p.pid, ready: p.report?.ready ?? false, state: p.report?.state ?? 'starting', beatAgeMs: Math.round(p.beatAgeMs) }));
  const models = processes.find((p) => p.report !== undefined)?.report?.models ?? [];
  const state = ready ? 'serving' : processes.some((p) => p.report?.state === 'draining' || p.report?.state === 'stopped') ? 'draining' : 'starting';
  const reason = [...reasons, ...(ready ? [] : notReady)].join('; ');
  return {
    live: { status: live ? 200 : 503, body: { live, processes: each, ...(live ? {} : { reason: reasons.join('; ') }) } },
    ready: { status: ready ? 200 : 503, body: { ready, state, processes: each, models, ...(ready ? {} : { reason }) } },
  };
}
