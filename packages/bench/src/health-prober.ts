import { get } from 'node:http';
import { getPriority, setPriority } from 'node:os';
import { latencySummary } from './percentile.js';
import type { ProbePort, ProbeResult } from './results.js';

/** One endpoint to probe: `url` is fetched, `path` and `port` label its results. */
export interface ProbeTarget {
  url: string;
  path: string;
  port: ProbePort;
}

/** Targets for `paths` under one base URL. */
export function probeTargets(baseUrl: string, paths: readonly string[], port: ProbePort): ProbeTarget[] {
  return paths.map((path) => ({ url: baseUrl + path, path, port }));
}

/** One probe: seconds since probing started, latency in ms, and whether it got a 200. */
export type ProbeSample = [atS: number, ms: number, ok: boolean];

/**
 * Probes health endpoints at a fixed interval while something else loads the
 * server, as a kubelet would: one GET per endpoint every `intervalMs`, each on
 * a new connection (no keep-alive), `timeoutMs` at most. A probe slower than
 * the interval delays the next one of its endpoint (no pile-up). Runs in the
 * bench process (CPU 1), which shares its core with wrk: while probing, the
 * bench process runs at nice −10 (when allowed), as a kubelet runs apart from
 * the traffic, so the latency measured is the server's, not the time the
 * prober waited behind wrk for its own core. `stop()` waits for the probes in
 * flight and restores the priority.
 */
export class HealthProber {
  private readonly samples = new Map<ProbeTarget, ProbeSample[]>();
  private running = false;
  private loops: Array<Promise<void>> = [];
  private t0 = 0;
  private priorityBefore: number | undefined;
  /** Whether the prober got its higher priority (false when the OS refused, e.g. not root). */
  raisedPriority = false;

  constructor(private readonly targets: readonly ProbeTarget[], private readonly intervalMs = 20, private readonly timeoutMs = 2000) {}

  /** Starts one probe loop per path. */
  start(): this {
    this.running = true;
    try {
      this.priorityBefore = getPriority();
      setPriority(-10);
      this.raisedPriority = true;
    } catch {
      // not permitted: probe at normal priority
    }
    this.t0 = performance.now();
    this.loops = this.targets.map((t) => this.loop(t));
    return this;
  }

  /** Stops probing and summarises every path's probes. */
  async stop(): Promise<ProbeResult[]> {
    this.running = false;
    await Promise.all(this.loops);
    if (this.raisedPriority && this.priorityBefore !== undefined) {
      try {
        setPriority(this.priorityBefore);
      } catch {
        // lowering back is always allowed; nothing to do if not
      }
    }
    return this.targets.map((t) => ({ ...summarizeProbes(t.path, this.samples.get(t) ?? []), port: t.port }));
  }

  private async loop(target: ProbeTarget): Promise<void> {
    const list: ProbeSample[] = [];
    this.samples.set(target, list);
    // One unrecorded probe first: the prober's first request pays for loading and compiling
    // Node's HTTP client, which is the prober's time, not the server's.
    if (this.running) await this.probe(target.url);
    while (this.running) {
      const start = performance.now();
      const ok = await this.probe(target.url);
      list.push([(start - this.t0) / 1000, performance.now() - start, ok]);
      const wait = start + this.intervalMs - performance.now();
      if (wait > 0 && this.running) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private probe(url: string): Promise<boolean> {
    return new Promise((resolve) => {
      const req = get(url, { agent: false, timeout: this.timeoutMs }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode === 200));
        res.once('error', () => resolve(false));
      });
      req.once('timeout', () => req.destroy(new Error('probe timeout')));
      req.once('error', () => resolve(false));
    });
  }
}

/**
 * Summarises one endpoint's probes: count, failures (no 200 in time), latency
 * percentiles over every probe (failed ones included, at the time they took),
 * and when the slowest happened.
 */
export function summarizeProbes(path: string, samples: ProbeSample[]): ProbeResult {
  let maxAtS = 0;
  let max = -1;
  for (const [at, ms] of samples) if (ms > max) { max = ms; maxAtS = at; }
  return { path, probes: samples.length, failures: samples.filter((s) => !s[2]).length, latency: latencySummary(samples.map((s) => s[1])), maxAtS };
}
