/**
 * The JSON shapes of the statistics engine: reference profiles, window state and verdicts.
 * Everything here is plain data (numbers, strings, arrays, records, `null`) so it survives
 * `JSON.stringify`/`JSON.parse` unchanged; no `NaN`, `Infinity` or `undefined` is ever stored.
 */

/** How a feature is profiled and tested. */
export type FeatureType = 'numeric' | 'categorical';

/** What the model's main output means. */
export type ModelTask = 'binary' | 'multiclass' | 'regression';

/** One feature to profile. */
export type FeatureSpec = {
  name: string;
  type: FeatureType;
};

/** A model's main output for one row: a probability/score (binary), a value (regression), a class, or a probability vector. */
export type ModelOutput = number | string | readonly number[];

/** A label (ground truth) for one row: a class (classification) or a value (regression). */
export type Label = number | string;

/**
 * Reference profile of a numeric feature (or of a numeric model output).
 *
 * Bins are defined by the ascending interior cut points `edges`: bin 0 is `(-∞, edges[0]]`,
 * bin i is `(edges[i-1], edges[i]]`, the last bin is `(edges[last], +∞)`. The outer bins are
 * open so every finite value lands in some bin; values outside the reference range are also
 * counted separately as quality signals.
 */
export type NumericProfile = {
  type: 'numeric';
  /** Rows seen, including missing and invalid values. */
  rows: number;
  /** `null`/`undefined`/absent values. */
  missing: number;
  nan: number;
  /** ±Infinity values. */
  inf: number;
  /** Values that are not numbers at all (strings, booleans, objects). */
  type_violations: number;
  /** Finite values (the sample the statistics describe). */
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean (Welford), so moments merge exactly. */
  m2: number;
  /** Sample standard deviation (`√(m2/(n−1))`, 0 when n < 2). */
  std: number;
  min: number | null;
  max: number | null;
  /** 0.1 % and 99.9 % quantiles: values outside count as out of range. */
  p001: number | null;
  p999: number | null;
  /** True when the bins are the feature's distinct values (integer/discrete features). */
  discrete: boolean;
  /** Interior bin cut points, ascending (empty for a constant feature: one bin). */
  edges: number[];
  /** Reference count per bin, `edges.length + 1` entries. */
  counts: number[];
  /**
   * Values holding more than 1/`bins` of the reference (caps, zero inflation) with their counts:
   * `mergeProfiles` treats them as point masses when it re-bins. At most `bins` entries.
   */
  atoms: Array<{ value: number; count: number }>;
  /** True when counts were redistributed by `mergeProfiles` from different edges (see there). */
  approximate: boolean;
};

/** Reference profile of a categorical feature (or of the predicted class). */
export type CategoricalProfile = {
  type: 'categorical';
  rows: number;
  missing: number;
  /** Values that are not strings, numbers or booleans. */
  type_violations: number;
  /** Non-missing values. */
  n: number;
  /** The most frequent categories (at most `top_k`), most frequent first. */
  categories: string[];
  counts: number[];
  /** Reference values outside `categories`. */
  other: number;
  /** True when `categories` lists every category the reference had (then a new value is "unseen"). */
  complete: boolean;
};

export type FeatureProfile = NumericProfile | CategoricalProfile;

/** One reliability bin of a binary classifier: scores in `[lo, hi)` (the last bin includes 1). */
export type ReliabilityBin = {
  lo: number;
  hi: number;
  n: number;
  sum_score: number;
  sum_label: number;
};

/** A metric with its 95 % interval. `ci_low`/`ci_high` are `null` when no interval is available. */
export type MetricValue = {
  value: number;
  ci_low: number | null;
  ci_high: number | null;
  /** The count the metric is over: rows, or for precision/recall the predicted/actual positives. */
  n: number;
};

/** Reference profile of the model's main output. */
export type OutputProfile = {
  task: ModelTask;
  /** Class names in the order of a probability vector (classification). */
  classes: string[] | null;
  /** Binary: the class whose probability is the score. */
  positive_class: string | null;
  /** Binary: score ≥ threshold ⇒ positive. */
  threshold: number | null;
  /** Score (binary) or value (regression) as numeric bins; predicted class (multiclass) as categories. */
  distribution: FeatureProfile;
  /** Binary with labels: reliability bins and expected calibration error on the reference rows. */
  calibration: { bins: ReliabilityBin[]; ece: number; n: number } | null;
  /** With labels: the model's performance on the reference rows (metric name → value). */
  performance: Record<string, MetricValue> | null;
};

/** A versioned, JSON-serialisable reference profile (see `buildProfile`). */
export type ReferenceProfile = {
  format: 'ponte.reference-profile';
  version: 1;
  /** Rows the profile was built from. */
  rows: number;
  /** Feature names in the order given to `buildProfile`. */
  feature_order: string[];
  features: Record<string, FeatureProfile>;
  output: OutputProfile | null;
  /** The options the profile was built with. */
  bins: number;
  top_k: number;
};
