/**
 * The pieces of `npm run bench`, exported for tests and for anyone scripting
 * their own comparison. The command itself is main.ts.
 */
export { parseWrkOutput, runWrk, wrkCommandLine, medianRun, median, type WrkRun } from './wrk.js';
export { checkGolden, compareValues, loadGolden, oipApi, namedApi, peerApi, type ApiFlavour, type Golden } from './golden.js';
export { mergeReport, extractSection, section } from './report-sections.js';
export { renderReport, writeReport } from './report.js';
export { startPinned, stopAll, waitForHttpOk, type ManagedProcess, type ServerSpec } from './processes.js';
export { freePort } from './free-port.js';
export { ponteConfigYaml, type PonteVariant } from './ponte-config.js';
export { parseBenchArgs, type BenchOptions } from './options.js';
export { evaluateTargets, LOAD_TARGETS, type TargetCheck } from './targets.js';
export { satisfies } from './machine.js';
export { POST_LUA } from './paths.js';
export type * from './results.js';
