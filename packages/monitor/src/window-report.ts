import type { DriftResult, EstimatedPerformance, FeatureVerdict } from './engine/index.js';
import type { WindowImportance } from './window-importance.js';

/** A position in the prediction log: the (time, id) key stores read it by. */
export interface LogPosition {
  readonly time: number;
  readonly id: string;
}

/** A figure with its 95 % interval and the rows it rests on. */
export interface IntervalFigure {
  readonly value: number;
  /** Null when no interval can be given (too few rows, one class only). */
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly n: number;
}

/** One closed monitoring window, as stored and as the report shows it. */
export interface WindowReport {
  readonly model: string;
  readonly version: string;
  readonly seq: number;
  /** ISO 8601: the window's first and last logged prediction. */
  readonly start: string;
  readonly end: string;
  readonly rows: number;
  readonly status: string;
  /** Dataset-level drift; null when the window had too few rows to say. */
  readonly drifted: boolean | null;
  /** Features that drifted (after the Holm correction and the effect-size floor). */
  readonly drifted_features: readonly string[];
  readonly features: Readonly<Record<string, FeatureVerdict>>;
  readonly prediction_drift: DriftResult | null;
  readonly estimated_performance: EstimatedPerformance;
  /** Performance from the delayed labels joined so far; null until a label arrives. */
  readonly performance: Readonly<Record<string, IntervalFigure>> | null;
  /** Labelled rows and their share of the window's rows. */
  readonly labelled: number;
  readonly label_coverage: number;
  /** The log range the window covers, so labels can be joined later. */
  readonly first: LogPosition;
  readonly last: LogPosition;
  /** Feature importance from the explanations `@ponte/explain` sampled in the window (window-importance.ts); absent or null without them. */
  readonly importance?: WindowImportance | null;
}

/** Document kinds the monitor keeps in the prediction store. */
export const DOC = {
  window: 'monitor-window',
  state: 'monitor-state',
  alertState: 'monitor-alert-state',
  alert: 'monitor-alert',
} as const;

/** Keys sort as time does: fixed-width epoch milliseconds. */
export function timeKey(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0');
}

export function isAfter(a: LogPosition, b: LogPosition): boolean {
  return a.time > b.time || (a.time === b.time && a.id > b.id);
}
