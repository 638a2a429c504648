import { readFileSync } from 'node:fs';

/** A time window, epoch milliseconds. */
export interface Window {
  fromMs: number;
  toMs: number;
}

/**
 * Time in the server (the `ms` of Ponte's per-request log line) of every
 * request to `path` logged inside `window`, grouped by status. This is the
 * second pass that tells accepted requests from 429s: wrk's latency
 * histogram mixes them. Lines that are not request logs are skipped.
 *
 * @example requestDurations(text, '/v2/models/wide_mlp/infer', { fromMs: t0, toMs: t1 }).get(200)
 */
export function requestDurations(logText: string, path: string, window: Window): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const needle = `"path":${JSON.stringify(path)}`;
  for (const line of logText.split('\n')) {
    // Cheap filter first: the log holds tens of thousands of lines.
    if (!line.includes(needle)) continue;
    let j: Record<string, unknown>;
    try { j = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
    if (j['msg'] !== 'request' || j['path'] !== path || typeof j['status'] !== 'number' || typeof j['ms'] !== 'number') continue;
    const t = typeof j['time'] === 'string' ? Date.parse(j['time']) : typeof j['time'] === 'number' ? j['time'] : NaN;
    if (!(t >= window.fromMs && t <= window.toMs)) continue;
    const list = out.get(j['status']) ?? [];
    list.push(j['ms']);
    out.set(j['status'], list);
  }
  return out;
}

/** `requestDurations` of a log file (read whole: read it after the server stopped, so every buffered line is there). */
export function readRequestDurations(logFile: string, path: string, window: Window): Map<number, number[]> {
  return requestDurations(readFileSync(logFile, 'utf8'), path, window);
}
