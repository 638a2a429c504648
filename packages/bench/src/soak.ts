import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, LOAD_CPU } from './contender.js';
import { checkGolden } from './golden.js';
import { goldenOf } from './models.js';
import { POST_LUA } from './paths.js';
import { ponte } from './ponte-server.js';
import type { SoakResult } from './results.js';
import { RssSampler } from './rss.js';
import { soakMemory } from './soak-verdict.js';
import { runWrk } from './wrk.js';

/**
 * The soak: `minutes` of steady 32-connection load on Ponte (purchase, OIP,
 * batching on) with RSS sampled every 10 s. Memory that keeps growing under
 * constant load is a leak; the figure is RSS at the end over RSS after 1 min.
 */
export async function runSoak(tmp: string, minutes: number, prometheus: boolean): Promise<SoakResult> {
  const res: SoakResult = { status: 'failed', minutes, samples: [] };
  const c = ponte({ model: 'purchase', batching: true, prometheus }, 'oip');
  let launched;
  try {
    launched = await launch({ ...c, key: 'ponte-soak' }, tmp);
  } catch (e) {
    return { ...res, note: `did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  const { proc, baseUrl } = launched;
  try {
    const golden = goldenOf('purchase');
    const g = await checkGolden(baseUrl, c.api, 'purchase', golden);
    if (!g.ok) return { ...res, note: `wrong answers: ${g.failures[0]}` };
    const bodyFile = join(tmp, 'body-soak.json');
    writeFileSync(bodyFile, JSON.stringify(c.api.body(golden, 0)));
    const sampler = new RssSampler(proc.pid, 5_000).start();
    let stats;
    try {
      stats = await runWrk({ url: baseUrl + c.api.path('purchase'), bodyFile, luaScript: POST_LUA, connections: 32, durationS: Math.round(minutes * 60), cpu: LOAD_CPU });
    } finally {
      res.samples = sampler.stop().samples.map(([t, mb]) => [Math.round(t), mb]);
    }
    const memory = soakMemory(res.samples, minutes);
    if (memory === undefined) return { ...res, note: `too few RSS samples for a warm minute and a last minute (${res.samples.length})`, stats };
    return { ...res, status: 'ok', stats, memory };
  } catch (e) {
    return { ...res, note: (e as Error).message.split('\n')[0] };
  } finally {
    await proc.stop();
  }
}
