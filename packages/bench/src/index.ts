/**
 * The pieces of `npm run bench`, exported for tests and for anyone scripting
 * their own comparison. The command itself is main.ts.
 */
export { parseWrkOutput, runWrk, runWrkOutput, wrkCommandLine, medianRun, median, type WrkRun } from './wrk.js';
export { checkGolden, compareValues, loadGolden, oipApi, namedApi, peerApi, type ApiFlavour, type Golden } from './golden.js';
export { mergeReport, extractSection, section } from './report-sections.js';
export { soakMemory, type SoakMemory } from './soak-verdict.js';
export { renderReport, writeReport } from './report.js';
export { startPinned, stopAll, waitForHttpOk, type ManagedProcess, type ServerSpec } from './processes.js';
export { freePort } from './free-port.js';
export { ponteConfigYaml, type PonteStore, type PonteVariant } from './ponte-config.js';
export { parseBenchArgs, type BenchOptions } from './options.js';
export { evaluateTargets, LOAD_TARGETS, type TargetCheck } from './targets.js';
export { satisfies } from './machine.js';
export { POST_LUA, POST_STATUS_LUA } from './paths.js';
export { parseStatusCounts, countStatuses, isRejection, isServerError } from './status-counts.js';
export { requestDurations, readRequestDurations, type Window } from './request-log.js';
export { HealthProber, probeTargets, summarizeProbes, type ProbeSample, type ProbeTarget } from './health-prober.js';
export { overloadChecks, acceptedBoundMs, HEALTH_TARGET_MS, REJECT_AT_ONCE_MS, RSS_BOUND, ACCEPTED_SPREAD } from './overload-verdict.js';
export { summarizeTelemetry, telemetryChecks, TELEMETRY_MIN_RATIO, type TelemetrySummary } from './telemetry-verdict.js';
export { startOtlpSink, type OtlpSink } from './otlp-sink.js';
export { summarizePredictionLog, predictionLogChecks, LOG_MIN_RATIO, LOG_MIN_SHARE, type PredictionLogSummary } from './prediction-log-verdict.js';
export { parseLogDrops, PREDICTION_LOG } from './prediction-log.js';
export { summarizeSetups, type SetupSummary } from './setup-summary.js';
export { summarizeSecurity, securityChecks, APIKEY_MIN_RATIO } from './security-verdict.js';
export { hs256Jwt, SECURITY } from './security.js';
export { summarizeMonitoring, monitoringChecks, maxBehindS, MONITORING_MIN_RATIO, type MonitoringSummary } from './monitoring-verdict.js';
export { MONITORING, monitoringRounds } from './monitoring.js';
export { monitorMemoryOf, measureMonitorMemory, readNumericCsv, MEMORY_ROWS } from './monitor-memory.js';
export { batchRows, batchTensor, oipBatchBody, compareBatch, BATCH_ROWS } from './batched-golden.js';
export { percentile, latencySummary } from './percentile.js';
export type * from './results.js';
export { explainChecks, summarizeExplainThroughput } from './explain-verdict.js';
export { EXPLAIN, runExplain } from './explain.js';
