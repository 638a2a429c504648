import type { LoadStats } from './results.js';
import { runPinnedCapture, shellQuote } from './processes.js';

/** How to run wrk against one URL. */
export interface WrkRun {
  url: string;
  /** File holding the JSON body every request POSTs. */
  bodyFile: string;
  /** The wrk Lua script (peers/post.lua) that POSTs the body and prints `WRK_JSON {...}`. */
  luaScript: string;
  connections: number;
  durationS: number;
  /** CPU to pin wrk to with `taskset -c`. */
  cpu: number;
  /** wrk's per-request timeout, seconds (wrk's default is 2). */
  timeoutS?: number;
  /** Headers every request sends besides post.lua's Content-Type (`-H`), e.g. the security section's credentials. */
  headers?: Readonly<Record<string, string>>;
}

/** The command line of a wrk run, as the report prints it. */
export function wrkCommandLine(r: WrkRun): string {
  return `WRK_BODY_FILE=${shellQuote(r.bodyFile)} taskset -c ${r.cpu} ${wrkArgs(r, true).map(shellQuote).join(' ')}`;
}

/**
 * A header as `-H` takes it; with `redact`, an Authorization value keeps only
 * its scheme (`Bearer <credential>`): the report prints command lines, and a
 * key or token has no place in docs even when it dies with its server.
 */
function headerArg(name: string, value: string, redact: boolean): string {
  const shown = redact && name.toLowerCase() === 'authorization' ? `${value.split(' ')[0]} <credential>` : value;
  return `${name}: ${shown}`;
}

function wrkArgs(r: WrkRun, redact = false): string[] {
  const headers = Object.entries(r.headers ?? {}).flatMap(([k, v]) => ['-H', headerArg(k, v, redact)]);
  return ['wrk', '-t1', `-c${r.connections}`, `-d${r.durationS}s`, ...(r.timeoutS !== undefined ? ['--timeout', `${r.timeoutS}s`] : []), ...headers, '--latency', '-s', r.luaScript, r.url];
}

/**
 * Reads the `WRK_JSON {...}` line that post.lua prints when wrk finishes.
 * Throws when the output has no such line (wrk failed to run or connect).
 *
 * @example parseWrkOutput('WRK_JSON {"requests":10,"duration_us":1000000,...}').rps === 10
 */
export function parseWrkOutput(stdout: string): LoadStats {
  const m = /^WRK_JSON (\{.*\})\s*$/m.exec(stdout);
  if (!m) throw new Error(`wrk printed no WRK_JSON summary line:\n${stdout.slice(-800)}`);
  const j = JSON.parse(m[1]!) as Record<string, number>;
  const num = (k: string): number => {
    const v = j[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`wrk summary: '${k}' missing`);
    return v;
  };
  const durationS = num('duration_us') / 1e6;
  const requests = num('requests');
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : 0,
    p50Ms: num('p50_us') / 1000,
    p90Ms: num('p90_us') / 1000,
    p99Ms: num('p99_us') / 1000,
    maxMs: num('max_us') / 1000,
    errors: num('err_connect') + num('err_read') + num('err_write') + num('err_timeout') + num('err_status'),
    non2xx: num('err_status'),
  };
}

/**
 * Runs wrk pinned to its CPU and parses its summary. The run stops by itself
 * after `durationS`; if wrk hangs anyway it is killed 30 s later.
 */
export async function runWrk(r: WrkRun): Promise<LoadStats> {
  return parseWrkOutput(await runWrkOutput(r));
}

/**
 * Runs wrk pinned to its CPU and resolves with everything it printed on
 * stdout, for scripts that print more than the `WRK_JSON` line
 * (wrk/post-status.lua). Rejects when wrk printed no `WRK_JSON` line.
 */
export async function runWrkOutput(r: WrkRun): Promise<string> {
  const { stdout, stderr, code } = await runPinnedCapture('wrk', r.cpu, wrkArgs(r), r.durationS + 30, { ...process.env, WRK_BODY_FILE: r.bodyFile });
  try {
    parseWrkOutput(stdout);
  } catch (e) {
    throw new Error(`wrk exited ${code}: ${stderr.trim()} ${(e as Error).message}`);
  }
  return stdout;
}

/** The run with the median req/s (the lower middle for an even count). */
export function medianRun(runs: LoadStats[]): LoadStats {
  if (runs.length === 0) throw new Error('medianRun: no runs');
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
