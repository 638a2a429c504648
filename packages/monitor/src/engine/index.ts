/**
 * The statistics engine of the model monitor: pure functions and plain-JSON state, no I/O.
 * Build a `ReferenceProfile` offline, accumulate traffic in a `WindowAccumulator`, judge it with
 * `evaluateWindow`, measure performance from labels with `classificationPerformance` /
 * `regressionPerformance`, and estimate it before labels with `estimatePerformance` (CBPE).
 */
export type { CategoricalProfile, FeatureProfile, FeatureSpec, FeatureType, Label, MetricValue, ModelOutput, ModelTask, NumericProfile, OutputProfile, ReferenceProfile, ReliabilityBin } from './types.js';
export { buildProfile, mergeProfiles, eceOf, type BuildProfileOptions, type ProfileRow } from './profile.js';
export { WindowAccumulator, CBPE_SCORE_BINS, UNSEEN_EXAMPLES, type CategoricalWindowState, type CbpeState, type FeatureWindowState, type NumericWindowState, type OutputWindowState, type WindowState } from './accumulator.js';
export { evaluateWindow, defaultK, defaultMinRows, type DriftMethod, type DriftResult, type EvaluateOptions, type FeatureVerdict, type QualityIssue, type QualityReport, type WindowStatus, type WindowVerdict } from './evaluate.js';
export { classificationPerformance, regressionPerformance, type ClassificationItem, type ClassificationOptions, type ClassificationPerformance, type RegressionItem, type RegressionPerformance } from './performance.js';
export { estimatePerformance, type CbpeOptions, type EstimatedPerformance } from './cbpe.js';
export { comparePerformance, type MetricChange, type PerformanceLike } from './compare.js';
export { chiSquareHomogeneity, holmAdjust, jensenShannonDistance, lInfinity, psi, wilsonInterval } from './tests.js';
export { seededRandom, normal, type Random } from './random.js';
