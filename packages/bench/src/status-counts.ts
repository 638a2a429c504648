import type { StatusCounts } from './results.js';

/**
 * Reads the `WRK_STATUS {...}` line that wrk/post-status.lua prints when wrk
 * finishes: answers by HTTP status, and how many 429/503 answers carried
 * Retry-After and a PONTE_QUEUE_FULL body. Throws when the line is missing.
 *
 * @example parseStatusCounts('WRK_STATUS {"statuses":{"200":5,"429":3},"retry_after":3,"queue_full":3}').byStatus['429'] === 3
 */
export function parseStatusCounts(stdout: string): StatusCounts {
  const m = /^WRK_STATUS (\{.*\})\s*$/m.exec(stdout);
  if (!m) throw new Error(`wrk printed no WRK_STATUS line (is the script wrk/post-status.lua?):\n${stdout.slice(-400)}`);
  const j = JSON.parse(m[1]!) as { statuses?: Record<string, number>; retry_after?: number; queue_full?: number };
  const byStatus: Record<string, number> = {};
  for (const [k, v] of Object.entries(j.statuses ?? {})) {
    if (!/^\d{3}$/.test(k) || typeof v !== 'number') throw new Error(`WRK_STATUS: bad entry ${k}: ${String(v)}`);
    byStatus[k] = v;
  }
  return { byStatus, retryAfter: j.retry_after ?? 0, queueFull: j.queue_full ?? 0 };
}

/** How many answers had a status matching `pred`. */
export function countStatuses(c: StatusCounts, pred: (status: number) => boolean): number {
  return Object.entries(c.byStatus).reduce((n, [k, v]) => n + (pred(Number(k)) ? v : 0), 0);
}

/** Answers that said "come back later": 429, and 503 (the issue allows either). */
export const isRejection = (s: number): boolean => s === 429 || s === 503;
/** Server errors other than a 503 rejection. */
export const isServerError = (s: number): boolean => s >= 500 && s !== 503;
