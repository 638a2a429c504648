import { launch } from './contender.js';
import { EXAMPLE_MODEL_NAMES } from './paths.js';
import { ponte, ponteFacts } from './ponte-server.js';
import type { StartupResult } from './results.js';
import { groupRssMb } from './rss.js';
import { median } from './wrk.js';

/**
 * Ponte's start-up with the four example models (default config: batching
 * on): time from spawning the process to the first 200 from
 * /v2/health/ready (polled every 10 ms), `repeats` fresh starts, and the
 * resident memory once it has been idle for `settleMs`.
 */
export async function measureStartup(tmp: string, repeats: number, prometheus: boolean, settleMs = 3000): Promise<StartupResult> {
  const res: StartupResult = { status: 'failed', readyMs: [], models: [...EXAMPLE_MODEL_NAMES] };
  const c = ponte({ model: 'purchase', batching: true, prometheus }, 'oip');
  try {
    for (let i = 0; i < repeats; i++) {
      const { proc, readyMs } = await launch({ ...c, key: 'ponte-startup' }, tmp);
      try {
        res.readyMs.push(readyMs);
        const self = ponteFacts(proc.logFile).selfReadyMs;
        if (self !== undefined) res.selfReportedMs = self;
        if (i === repeats - 1) {
          await new Promise((r) => setTimeout(r, settleMs));
          res.idleRssMb = groupRssMb(proc.pid);
        }
      } finally {
        await proc.stop();
      }
    }
    return { ...res, status: 'ok' };
  } catch (e) {
    return { ...res, note: (e as Error).message.split('\n')[0] };
  }
}

/** The median start-up time of a result, ms. */
export function medianReadyMs(r: StartupResult): number | undefined {
  return r.readyMs.length ? median(r.readyMs) : undefined;
}
