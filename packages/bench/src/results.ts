/**
 * The shapes of everything a benchmark run measures, shared by the runners,
 * the target checks and the report writer.
 */

/** One wrk run's figures (latencies in milliseconds). */
export interface LoadStats {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors (connect, read, write, timeout) and non-2xx/3xx answers. */
  errors: number;
  non2xx: number;
}

/** Outcome of sending a model's golden rows to a contender. */
export interface GoldenCheck {
  ok: boolean;
  rows: number;
  /** Largest |answer - expected| over every compared value. */
  maxAbs: number;
  /** One line per row that did not match (empty when `ok`). */
  failures: string[];
}

/** A contender's row in a load table. */
export interface LoadRow {
  model: string;
  /** Stable key, e.g. `ponte-oip-on`, `naive`, `flask`. */
  key: string;
  label: string;
  connections: number;
  status: 'ok' | 'failed' | 'skipped' | 'todo';
  /** Why a row failed, was skipped or is a TODO; or a remark on an ok row. */
  note?: string;
  /** Median run by req/s (all runs are in `runs`). */
  stats?: LoadStats;
  runs?: LoadStats[];
  golden?: GoldenCheck | 'n/a';
  /** Largest resident set of the server's process group sampled during the measured runs, MB. */
  peakRssMb?: number;
}

/** In-process ONNX Runtime throughput (no HTTP), rows per second by batch size. */
export interface CeilingResult {
  model: string;
  status: 'ok' | 'failed';
  note?: string;
  rowsPerSec: Record<string, number>;
  microsPerCall: Record<string, number>;
}

/** Ponte's start-up time and memory with the four example models. */
export interface StartupResult {
  status: 'ok' | 'failed';
  note?: string;
  /** Process start to the first 200 from /v2/health/ready, ms, one per start. */
  readyMs: number[];
  /** What Ponte's own "server ready" log line says, ms. */
  selfReportedMs?: number;
  idleRssMb?: number;
  models: string[];
}

/** The optional 10-minute soak. */
export interface SoakResult {
  status: 'ok' | 'failed';
  note?: string;
  minutes: number;
  /** [seconds since load started, RSS MB] every 10 s. */
  samples: Array<[number, number]>;
  rssAt1MinMb?: number;
  rssAtEndMb?: number;
  ratio?: number;
  stats?: LoadStats;
}

/** Facts read from a Ponte server's log: which executor each ONNX model got. */
export interface PonteFacts {
  executors: Record<string, string>;
  plugins: string[];
}

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  startedAt: Date;
  finishedAt: Date;
  mode: string;
  commands: string[];
  notes: string[];
  load: LoadRow[];
  oneConnection: LoadRow[];
  ceiling: CeilingResult[];
  startup?: StartupResult;
  soak?: SoakResult;
  ponteFacts: Record<string, PonteFacts>;
  /** /proc/loadavg's 1-minute figure before and after the run: other work on the machine skews every row. */
  loadAvg: { start: number; end: number };
}
