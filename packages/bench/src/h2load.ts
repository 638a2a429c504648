import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentile } from './percentile.js';
import { runPinnedCapture, shellQuote } from './processes.js';
import type { LoadStats } from './results.js';

/**
 * How to drive a gRPC unary method with h2load (nghttp2's HTTP/2 load
 * generator, Debian's `nghttp2-client`): one connection — one channel, as a
 * gRPC client keeps — with `streams` calls in flight, each POSTing the same
 * length-prefixed message. h2load is C, so unlike a Node gRPC client in the
 * bench process it is not the limit.
 */
export interface H2loadRun {
  /** `http://host:port/package.Service/Method`. */
  url: string;
  /** The gRPC frame every call sends: a 5-byte prefix (flag, big-endian length) and the protobuf message. */
  bodyFile: string;
  streams: number;
  durationS: number;
  /** CPU to pin h2load to with `taskset -c`. */
  cpu: number;
  /** Where h2load writes one line per call (start µs, HTTP status, µs to the answer); read for the percentiles. */
  logFile: string;
}

/** Whether h2load is installed. */
export function h2loadAvailable(): boolean {
  return spawnSync('h2load', ['--version'], { stdio: 'ignore' }).status === 0;
}

function h2loadArgs(r: H2loadRun): string[] {
  return ['h2load', '-D', String(r.durationS), '-c', '1', '-m', String(r.streams), '-d', r.bodyFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers', '--log-file', r.logFile, r.url];
}

/** The command line of an h2load run, as the report prints it. */
export function h2loadCommandLine(r: H2loadRun): string {
  return `taskset -c ${r.cpu} ${h2loadArgs(r).map(shellQuote).join(' ')}`;
}

/**
 * Reads h2load's summary ("finished in 8.00s, …", "requests: N total, …
 * K succeeded, F failed, E errored, T timeout", "status codes: …") and its
 * per-call log (tab-separated: start time, HTTP status, µs to the answer).
 * A gRPC error still answers HTTP 200, so callers check the server's own
 * request log for calls that did not end OK.
 *
 * @example parseH2load('finished in 2.00s, 10.00 req/s…\nrequests: 20 total, 20 started, 20 done, 20 succeeded, 0 failed, 0 errored, 0 timeout\nstatus codes: 20 2xx, 0 3xx, 0 4xx, 0 5xx', '').rps === 10
 */
export function parseH2load(stdout: string, log: string): LoadStats {
  const finished = /finished in ([\d.]+)(ms|s),/.exec(stdout);
  const req = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  if (!finished || !req || !codes) throw new Error(`h2load printed no summary:\n${stdout.slice(-800)}`);
  const durationS = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  const done = Number(req[2]);
  const non2xx = Number(codes[3]) + Number(codes[4]);
  const latencies: number[] = [];
  for (const line of log.split('\n')) {
    const cols = line.split('\t');
    if (cols.length >= 3) latencies.push(Number(cols[2]) / 1000);
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: done,
    durationS,
    rps: durationS > 0 ? done / durationS : 0,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? latencies[latencies.length - 1]! : 0,
    errors: Number(req[4]) + Number(req[5]) + Number(req[6]) + non2xx,
    non2xx,
  };
}

/** Runs h2load pinned to its CPU and parses what it measured; killed if it outlives its duration by 30 s. */
export async function runH2load(r: H2loadRun): Promise<LoadStats> {
  const { stdout, stderr, code } = await runPinnedCapture('h2load', r.cpu, h2loadArgs(r), r.durationS + 30);
  try {
    return parseH2load(stdout, readFileSync(r.logFile, 'utf8'));
  } catch (e) {
    throw new Error(`h2load exited ${code}: ${stderr.trim()} ${(e as Error).message}`);
  }
}

/** Calls in Ponte's request log (`"protocol":"grpc"` lines) that did not end with code OK. */
export function failedGrpcCalls(logText: string): number {
  let n = 0;
  for (const line of logText.split('\n')) {
    if (line.includes('"protocol":"grpc"') && line.includes('"msg":"request"') && !line.includes('"code":"OK"')) n++;
  }
  return n;
}
