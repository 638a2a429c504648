import type { SoakMemory } from './soak-verdict.js';
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
  /** The warm-up's wrk figures (not part of the row's stats). */
  warmup?: LoadStats;
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
  /** [seconds since load started, RSS MB] every 5 s. */
  samples: Array<[number, number]>;
  /** Warm (second-minute) and last-minute mean RSS, and their ratio. */
  memory?: SoakMemory;
  stats?: LoadStats;
}

/** Facts read from a Ponte server's log: which executor each ONNX model got. */
export interface PonteFacts {
  executors: Record<string, string>;
  plugins: string[];
}

/** Latencies of a set of requests or probes, milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Which listener a probe went to: Ponte's `server.health.port`, or the port that also serves inference. */
export type ProbePort = 'health' | 'data-plane';

/** One health endpoint probed during the overload. */
export interface ProbeResult {
  path: string;
  /** Absent in results from before the health port existed: the data-plane port. */
  port?: ProbePort;
  probes: number;
  /** Probes that got no 200 within the probe timeout. */
  failures: number;
  latency: LatencySummary;
  /** Seconds from the start of probing to the slowest probe. */
  maxAtS: number;
}

/** Answers of a wrk run counted by HTTP status (wrk/post-status.lua). */
export interface StatusCounts {
  /** Count by status code, e.g. { "200": 4800, "429": 11400 }. */
  byStatus: Record<string, number>;
  /** 429/503 answers that carried a Retry-After header. */
  retryAfter: number;
  /** 429/503 answers whose body names PONTE_QUEUE_FULL. */
  queueFull: number;
}

/** The overload / backpressure section: a small queue driven at 4× the normal concurrency. */
export interface OverloadResult {
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  model: string;
  connections: number;
  durationS: number;
  maxBatchSize: number;
  maxQueueSize: number;
  /** wrk's own figures (latencies of every answer, 200s and 429s mixed, client side). */
  wrk?: LoadStats;
  statuses?: StatusCounts;
  /** Time in the server of answered-200 requests, from Ponte's request log. */
  serverAccepted?: LatencySummary;
  /** Time in the server of 429/503 answers, from Ponte's request log. */
  serverRejected?: LatencySummary;
  probes?: ProbeResult[];
  /** Process-group RSS after warm-up and 2 s idle, MB. */
  rssBeforeMb?: number;
  /** Largest RSS sampled (every 250 ms) during the overload, MB. */
  rssPeakMb?: number;
  /** RSS 3 s after the overload ended, MB. */
  rssAfterMb?: number;
}

/** One telemetry set-up of the telemetry-cost section, over its interleaved runs. */
export interface TelemetryVariant {
  /** `off`, `metrics` or `metrics-tracing`. */
  key: string;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  /** One entry per measured run, in run order. */
  runs: LoadStats[];
  /** OTLP trace export requests the sink received during each run (tracing row only). */
  traceExports?: number[];
}

/** Telemetry cost: Ponte on purchase at saturation with telemetry off, metrics on, metrics + tracing on. */
export interface TelemetryResult {
  model: string;
  connections: number;
  variants: TelemetryVariant[];
}

/** What one run of a prediction-log set-up wrote to its store. */
export interface LogWrites {
  /** Requests this server answered: the golden check, the warm-up and the measured run (wrk's counts). */
  answered: number;
  /** Rows the store gained from this server, counted after it stopped (stopping drains the log). */
  stored: number;
  /** Rows committed during the measured run (counted at its start and at its end, the server up). */
  storedDuringRun: number;
  /** Rows the store had gained from this server by the end of the measured run; `stored` minus this was drained at stop. */
  storedAtRunEnd: number;
  /** Seconds of the measured run (wrk's). */
  runS: number;
  /** Predictions the server counted as not logged by the end of the run (`ponte_prediction_log_dropped_total`), by reason; absent without metrics. */
  dropped?: Record<string, number>;
  /** SIGTERM to exit, ms (includes draining the log). */
  stopMs: number;
  /** How the server exited: 0, or 'SIGKILL' when it outlived the grace period. */
  exit: number | string;
  /** The store's bytes on disk after this run over the rows in it (every run so far). */
  bytesPerRecord?: number;
  /** The store's bytes on disk after this run. */
  storeBytes?: number;
}

/** One set-up of the prediction-log section (log off, SQLite log, PostgreSQL log), over its interleaved runs. */
export interface PredictionLogVariant {
  /** `off`, `sqlite` or `postgres`. */
  key: string;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  /** One entry per measured run, in run order. */
  runs: LoadStats[];
  /** The store set-ups: what each run wrote, in run order (same length as `runs`). */
  writes?: LogWrites[];
}

/** Prediction-log cost: Ponte on purchase at saturation without a log, with the SQLite log, with the PostgreSQL log. */
export interface PredictionLogResult {
  model: string;
  connections: number;
  variants: PredictionLogVariant[];
}

/** One set-up of a section measured in interleaved rounds (security, monitoring): its runs in run order. */
export interface SetupVariant {
  key: string;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  /** One entry per measured run, in run order. */
  runs: LoadStats[];
}

/** Security cost: Ponte on purchase at saturation with auth off, an API key, a JWT, a rate limit. */
export interface SecurityResult {
  model: string;
  connections: number;
  variants: SetupVariant[];
}

/** What the monitor did during one measured run of the monitored set-up. */
export interface MonitorRunFigures {
  /** Monitoring windows closed during the measured run (newest window number at its end minus at its start). */
  windowsClosed: number;
  /** Rows in the windows closed during the run. */
  rowsMonitored: number;
  /** Rows the prediction log committed during the run (counted by the bench in the SQLite file). */
  rowsLogged: number;
  /** Seconds of the measured run (wrk's). */
  runS: number;
  /** Closed windows in the monitoring report at the end of the run (`windows.length`, at most 1000). */
  windowsTotal: number;
  /** Seconds from the newest closed window's last prediction to the end of the run: how far behind the monitor was. */
  behindS?: number;
}

/** One set-up of the monitoring section, over its interleaved runs. */
export interface MonitoringVariant extends SetupVariant {
  /** The monitored set-up only: what the monitor did in each run. */
  monitor?: MonitorRunFigures[];
}

/** Bytes of monitoring state per monitored feature, measured on the monitor's engine directly (not from RSS). */
export interface MonitorMemory {
  status: 'ok' | 'failed';
  note?: string;
  features: number;
  /** Rows added to the window before it was measured. */
  rowsAdded: number;
  /** JSON of the whole window state (`WindowAccumulator.toJSON()`): every feature and the output. */
  windowBytes: number;
  /** Mean over the features of one feature's window state (JSON). */
  windowBytesPerFeature: number;
  /** The largest feature's window state (JSON). */
  maxWindowBytesPerFeature: number;
  /** The output's window state (distribution and CBPE counters), JSON. */
  outputWindowBytes: number;
  /** The reference profile as compact JSON. */
  profileBytes: number;
  /** Mean over the features of one feature's profile entry (compact JSON). */
  profileBytesPerFeature: number;
  /** Per feature: its window state and its profile entry, bytes of JSON. */
  perFeature: Record<string, { window: number; profile: number }>;
  /** Where the rows and outputs came from. */
  source: string;
}

/** Monitoring cost: Ponte on purchase at saturation with no log, the SQLite log, the SQLite log + the monitor. */
export interface MonitoringResult {
  model: string;
  connections: number;
  /** `monitoring.window.rows` of the monitored model. */
  windowRows: number;
  /** The monitor's tick and lag (its defaults), seconds. */
  tickS: number;
  lagS: number;
  /** Warm-up and measured run of every set-up, seconds. */
  warmupS: number;
  durationS: number;
  variants: MonitoringVariant[];
  memory: MonitorMemory;
}

/** Explanation latency of one model: sequential one-row `POST /v1/models/{m}:explain` requests to a Ponte with `@ponte/explain`. */
export interface ExplainLatencyRow {
  model: string;
  /** What the issue asks of it, e.g. `8 features, Kernel SHAP exhaustive`. */
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  /** The p50 the issue sets for this model, ms (none: a figure only). */
  p50TargetMs?: number;
  /** From the answers: the method, whether the Shapley values were exact, the coalitions and model rows per explained row. */
  method?: string;
  exact?: boolean;
  coalitions?: number;
  modelRows?: number;
  features?: number;
  /** Requests answered 202 (a job, polled until done; its latency includes the polling). */
  jobs: number;
  /** Over the measured requests (after warm-up), client side: the HTTP request included. */
  latency?: LatencySummary;
}

/** Explanations: latency per model, and the cost of background explanations to prediction throughput. */
export interface ExplainResult {
  latency: ExplainLatencyRow[];
  /** Warm-up and measured requests per model. */
  warmup: number;
  throughput: {
    model: string;
    connections: number;
    /** `models[].explain.sampleRate` of the explained set-up (the plugin's default). */
    sampleRate: number;
    /** `off` (SQLite log, explain off) and `explain` (SQLite log + `@ponte/explain`). */
    variants: SetupVariant[];
    /** Per run of the explained set-up: predictions logged and rows explained in the background (counted in the SQLite file after the server stopped). */
    explained: Array<{ logged: number; explained: number }>;
  };
}

/** A row of the batched-requests table (32 rows per request). */
export interface BatchedRow {
  model: string;
  /** `rest` or `grpc`. */
  protocol: 'rest' | 'grpc';
  label: string;
  rowsPerRequest: number;
  connections: number;
  status: 'ok' | 'failed' | 'skipped' | 'todo';
  note?: string;
  /** Median run by req/s; rows/s is `rps × rowsPerRequest`. */
  stats?: LoadStats;
  runs?: LoadStats[];
  golden?: GoldenCheck;
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
  /** Batched requests (32 rows each); absent when the section did not run. */
  batched?: BatchedRow[];
  telemetry?: TelemetryResult;
  predictionLog?: PredictionLogResult;
  security?: SecurityResult;
  monitoring?: MonitoringResult;
  explain?: ExplainResult;
  overload?: OverloadResult;
  ponteFacts: Record<string, PonteFacts>;
  /** /proc/loadavg's 1-minute figure before and after the run: other work on the machine skews every row. */
  loadAvg: { start: number; end: number };
}
