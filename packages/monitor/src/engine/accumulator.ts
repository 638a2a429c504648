/**
 * The live state of one evaluation window: fixed-size counters per feature (the reference bins,
 * moments, quality counts), independent of how many rows the window sees. It serialises to JSON
 * and back, and two windows over the same profile merge (replicas, minute slots → window).
 */
import { PonteError } from '@ponte/core';
import { binIndex } from './bins.js';
import { addToMoments, mergeMoments } from './moments.js';
import { readCategorical, readNumeric, readOutput, type OutputContext } from './values.js';
import type { CategoricalProfile, FeatureProfile, ModelOutput, NumericProfile, ReferenceProfile } from './types.js';

/** Window counters of a numeric feature (or numeric output). */
export type NumericWindowState = {
  type: 'numeric';
  rows: number;
  missing: number;
  nan: number;
  inf: number;
  type_violations: number;
  n: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
  /** Values below the reference p0.1 / above its p99.9. */
  below_range: number;
  above_range: number;
  /** Counts on the reference bins. */
  counts: number[];
};

/** How many distinct unseen categories a window remembers by name (the counts stay exact). */
export const UNSEEN_EXAMPLES = 10;

/** Window counters of a categorical feature (or predicted class). */
export type CategoricalWindowState = {
  type: 'categorical';
  rows: number;
  missing: number;
  type_violations: number;
  n: number;
  /** Counts per reference category (same order as the profile's `categories`). */
  counts: number[];
  /** Values that are neither listed nor new (the reference's rare categories, when it had more than top-K). */
  other: number;
  /** Values the reference never had (only known when the reference listed all its categories). */
  unseen: number;
  /** Up to `UNSEEN_EXAMPLES` unseen values with their counts, first come first kept. */
  unseen_examples: Record<string, number>;
};

export type FeatureWindowState = NumericWindowState | CategoricalWindowState;

/** Number of equal-width score bins kept for the CBPE ROC AUC estimate. */
export const CBPE_SCORE_BINS = 100;

/**
 * Sufficient statistics for confidence-based performance estimation (binary): expected confusion
 * counts are sums of p̂ and 1−p̂, their variances sums of p̂(1−p̂).
 */
export type CbpeState = {
  n: number;
  predicted_positive: number;
  expected_tp: number;
  expected_fp: number;
  expected_fn: number;
  expected_tn: number;
  /** Σ p̂(1−p̂) over predicted positives / predicted negatives. */
  var_predicted_positive: number;
  var_predicted_negative: number;
  /** Per equal-width score bin: Σ p̂ (expected positives) and Σ (1−p̂) (expected negatives). */
  score_bins_positive: number[];
  score_bins_negative: number[];
};

/** Window counters of the model output. */
export type OutputWindowState = {
  /** Outputs that do not fit the task (e.g. a string for a binary score). */
  invalid: number;
  distribution: FeatureWindowState;
  cbpe: CbpeState | null;
};

/** The JSON form of a window (`WindowAccumulator.toJSON`). */
export type WindowState = {
  format: 'ponte.window';
  version: 1;
  rows: number;
  features: Record<string, FeatureWindowState>;
  output: OutputWindowState | null;
};

function emptyState(p: FeatureProfile): FeatureWindowState {
  if (p.type === 'numeric') return { type: 'numeric', rows: 0, missing: 0, nan: 0, inf: 0, type_violations: 0, n: 0, mean: 0, m2: 0, min: null, max: null, below_range: 0, above_range: 0, counts: new Array<number>(p.counts.length).fill(0) };
  return { type: 'categorical', rows: 0, missing: 0, type_violations: 0, n: 0, counts: new Array<number>(p.categories.length).fill(0), other: 0, unseen: 0, unseen_examples: {} };
}

function emptyCbpe(): CbpeState {
  return { n: 0, predicted_positive: 0, expected_tp: 0, expected_fp: 0, expected_fn: 0, expected_tn: 0, var_predicted_positive: 0, var_predicted_negative: 0, score_bins_positive: new Array<number>(CBPE_SCORE_BINS).fill(0), score_bins_negative: new Array<number>(CBPE_SCORE_BINS).fill(0) };
}

function addNumeric(s: NumericWindowState, p: NumericProfile, v: unknown): void {
  s.rows++;
  const r = readNumeric(v);
  if (r === 'missing') s.missing++;
  else if (r === 'nan') s.nan++;
  else if (r === 'inf') s.inf++;
  else if (r === 'type') s.type_violations++;
  else {
    addToMoments(s, r);
    if (s.min === null || r < s.min) s.min = r;
    if (s.max === null || r > s.max) s.max = r;
    if (p.p001 !== null && r < p.p001) s.below_range++;
    if (p.p999 !== null && r > p.p999) s.above_range++;
    s.counts[binIndex(p.edges, r)]! += 1;
  }
}

function addCategorical(s: CategoricalWindowState, p: CategoricalProfile, index: ReadonlyMap<string, number>, v: unknown): void {
  s.rows++;
  const r = readCategorical(v);
  if (r === 'missing') s.missing++;
  else if (r === 'type') s.type_violations++;
  else {
    s.n++;
    const i = index.get(r.value);
    if (i !== undefined) s.counts[i]! += 1;
    else if (!p.complete) s.other++;
    else {
      s.unseen++;
      if (r.value in s.unseen_examples) s.unseen_examples[r.value]! += 1;
      else if (Object.keys(s.unseen_examples).length < UNSEEN_EXAMPLES) s.unseen_examples[r.value] = 1;
    }
  }
}

function mergeState(a: FeatureWindowState, b: FeatureWindowState): FeatureWindowState {
  if (a.type === 'numeric' && b.type === 'numeric') {
    const m = mergeMoments(a, b);
    const pick = (x: number | null, y: number | null, f: (u: number, v: number) => number): number | null => (x === null ? y : y === null ? x : f(x, y));
    return { type: 'numeric', rows: a.rows + b.rows, missing: a.missing + b.missing, nan: a.nan + b.nan, inf: a.inf + b.inf, type_violations: a.type_violations + b.type_violations, n: m.n, mean: m.mean, m2: m.m2, min: pick(a.min, b.min, Math.min), max: pick(a.max, b.max, Math.max), below_range: a.below_range + b.below_range, above_range: a.above_range + b.above_range, counts: a.counts.map((c, i) => c + b.counts[i]!) };
  }
  if (a.type === 'categorical' && b.type === 'categorical') {
    const examples = { ...a.unseen_examples };
    for (const [k, c] of Object.entries(b.unseen_examples)) {
      if (k in examples) examples[k]! += c;
      else if (Object.keys(examples).length < UNSEEN_EXAMPLES) examples[k] = c;
    }
    return { type: 'categorical', rows: a.rows + b.rows, missing: a.missing + b.missing, type_violations: a.type_violations + b.type_violations, n: a.n + b.n, counts: a.counts.map((c, i) => c + b.counts[i]!), other: a.other + b.other, unseen: a.unseen + b.unseen, unseen_examples: examples };
  }
  throw new PonteError('PONTE_VALIDATION_FAILED', 'window: numeric state merged with categorical state');
}

function checkState(path: string, p: FeatureProfile, s: unknown): FeatureWindowState {
  const st = s as Partial<FeatureWindowState> | null;
  const expected = p.type === 'numeric' ? p.counts.length : p.categories.length;
  if (st === null || typeof st !== 'object' || st.type !== p.type || !Array.isArray(st.counts) || st.counts.length !== expected || !st.counts.every((c) => typeof c === 'number' && c >= 0) || typeof st.rows !== 'number') {
    throw new PonteError('PONTE_VALIDATION_FAILED', `${path}: does not match the reference profile (${p.type}, ${expected} counters); was the window saved against another profile?`);
  }
  return structuredClone(st as FeatureWindowState);
}

interface FeatureSlot {
  readonly profile: FeatureProfile;
  readonly state: FeatureWindowState;
  readonly index: ReadonlyMap<string, number> | undefined;
}

/**
 * Accumulates one window of traffic against a reference profile, in memory that depends on the
 * profile only (bins, categories), never on the number of rows.
 *
 * @example
 * ```ts
 * const window = new WindowAccumulator(profile);
 * for (const p of predictions) window.add(p.features, p.output);
 * const verdict = evaluateWindow(profile, window);
 * saveSomewhere(JSON.stringify(window)); // later: WindowAccumulator.fromJSON(profile, JSON.parse(saved))
 * ```
 */
export class WindowAccumulator {
  readonly profile: ReferenceProfile;
  private state: WindowState;
  private readonly categoryIndex = new Map<string, ReadonlyMap<string, number>>();
  private readonly outputContext: OutputContext | null;
  /** Each feature's profile, state and category index in `feature_order`: a row is counted without looking names up (16 hash lookups a row on purchase). */
  private slots: FeatureSlot[] = [];

  constructor(profile: ReferenceProfile) {
    this.profile = profile;
    const features: Record<string, FeatureWindowState> = {};
    for (const name of profile.feature_order) {
      const p = profile.features[name]!;
      features[name] = emptyState(p);
      if (p.type === 'categorical') this.categoryIndex.set(name, new Map(p.categories.map((c, i) => [c, i])));
    }
    const out = profile.output;
    this.outputContext = out === null ? null : { task: out.task, classes: out.classes, positive_class: out.positive_class, threshold: out.threshold };
    if (out !== null && out.distribution.type === 'categorical') this.categoryIndex.set('\u0000output', new Map(out.distribution.categories.map((c, i) => [c, i])));
    this.state = { format: 'ponte.window', version: 1, rows: 0, features, output: out === null ? null : { invalid: 0, distribution: emptyState(out.distribution), cbpe: out.task === 'binary' ? emptyCbpe() : null } };
    this.bind();
  }

  /** Points `slots` at the current state's objects (after the state or one of its features is replaced). */
  private bind(): void {
    this.slots = this.profile.feature_order.map((name) => ({ profile: this.profile.features[name]!, state: this.state.features[name]!, index: this.categoryIndex.get(name) }));
  }

  /** Rows added so far. */
  get rows(): number {
    return this.state.rows;
  }

  /**
   * Adds one row: its features by name (features the profile does not know are ignored) and,
   * optionally, the model's main output (score or probability vector for binary, class or
   * probability vector for multiclass, value for regression).
   */
  add(features: Readonly<Record<string, unknown>>, output?: ModelOutput): void {
    this.state.rows++;
    const order = this.profile.feature_order;
    const slots = this.slots;
    for (let k = 0; k < slots.length; k++) this.addFeature(slots[k]!, features[order[k]!]);
    this.addOutput(output);
  }

  /**
   * Adds one row whose feature values are in the profile's `feature_order`
   * (`values[k]` for `feature_order[k]`; undefined is missing): what a reader
   * that maps names once per layout passes, without an object per row.
   */
  addOrdered(values: ArrayLike<unknown>, output?: ModelOutput): void {
    this.state.rows++;
    const slots = this.slots;
    for (let k = 0; k < slots.length; k++) this.addFeature(slots[k]!, values[k]);
    this.addOutput(output);
  }

  private addFeature(slot: FeatureSlot, value: unknown): void {
    const p = slot.profile;
    if (p.type === 'numeric') addNumeric(slot.state as NumericWindowState, p, value);
    else addCategorical(slot.state as CategoricalWindowState, p, slot.index!, value);
  }

  private addOutput(output: ModelOutput | undefined): void {
    if (output === undefined || this.state.output === null || this.outputContext === null) return;
    const out = this.state.output;
    const reading = readOutput(output, this.outputContext);
    const dist = this.profile.output!.distribution;
    if (reading === null) {
      out.invalid++;
      return;
    }
    if (dist.type === 'numeric') addNumeric(out.distribution as NumericWindowState, dist, reading.score);
    else addCategorical(out.distribution as CategoricalWindowState, dist, this.categoryIndex.get('\u0000output')!, reading.predicted);
    if (out.cbpe !== null && reading.score !== undefined) {
      const p = Math.min(1, Math.max(0, reading.score));
      const c = out.cbpe;
      c.n++;
      if (reading.predicted === this.outputContext.positive_class) {
        c.predicted_positive++;
        c.expected_tp += p;
        c.expected_fp += 1 - p;
        c.var_predicted_positive += p * (1 - p);
      } else {
        c.expected_fn += p;
        c.expected_tn += 1 - p;
        c.var_predicted_negative += p * (1 - p);
      }
      const b = Math.min(CBPE_SCORE_BINS - 1, Math.floor(p * CBPE_SCORE_BINS));
      c.score_bins_positive[b]! += p;
      c.score_bins_negative[b]! += 1 - p;
    }
  }

  /** Adds another window over the same profile into this one (e.g. from another replica). */
  merge(other: WindowAccumulator): this {
    if (other.profile !== this.profile && JSON.stringify(other.profile.feature_order) !== JSON.stringify(this.profile.feature_order)) {
      throw new PonteError('PONTE_VALIDATION_FAILED', 'window: cannot merge windows built on different reference profiles');
    }
    const o = other.state;
    this.state.rows += o.rows;
    for (const name of this.profile.feature_order) this.state.features[name] = mergeState(this.state.features[name]!, o.features[name]!);
    this.bind();
    const a = this.state.output;
    const b = o.output;
    if (a !== null && b !== null) {
      a.invalid += b.invalid;
      a.distribution = mergeState(a.distribution, b.distribution);
      if (a.cbpe !== null && b.cbpe !== null) {
        const x = a.cbpe;
        const y = b.cbpe;
        a.cbpe = {
          n: x.n + y.n, predicted_positive: x.predicted_positive + y.predicted_positive,
          expected_tp: x.expected_tp + y.expected_tp, expected_fp: x.expected_fp + y.expected_fp, expected_fn: x.expected_fn + y.expected_fn, expected_tn: x.expected_tn + y.expected_tn,
          var_predicted_positive: x.var_predicted_positive + y.var_predicted_positive, var_predicted_negative: x.var_predicted_negative + y.var_predicted_negative,
          score_bins_positive: x.score_bins_positive.map((v, i) => v + y.score_bins_positive[i]!), score_bins_negative: x.score_bins_negative.map((v, i) => v + y.score_bins_negative[i]!),
        };
      }
    }
    return this;
  }

  /** A read-only view of the counters (what `evaluateWindow` and `estimatePerformance` read). */
  get snapshot(): Readonly<WindowState> {
    return this.state;
  }

  /** The window as plain JSON (persist it so a restart neither loses nor double-counts rows). */
  toJSON(): WindowState {
    return structuredClone(this.state);
  }

  /**
   * Restores a window saved with `toJSON` against the same profile.
   * @throws PonteError PONTE_VALIDATION_FAILED when the saved state does not fit the profile.
   */
  static fromJSON(profile: ReferenceProfile, json: unknown): WindowAccumulator {
    const w = new WindowAccumulator(profile);
    const j = json as Partial<WindowState> | null;
    if (j === null || typeof j !== 'object' || j.format !== 'ponte.window' || j.version !== 1 || typeof j.rows !== 'number' || typeof j.features !== 'object' || j.features === null) {
      throw new PonteError('PONTE_VALIDATION_FAILED', 'window: not a saved window (expected format "ponte.window", version 1)');
    }
    const features: Record<string, FeatureWindowState> = {};
    for (const name of profile.feature_order) features[name] = checkState(`window.features.${name}`, profile.features[name]!, j.features[name]);
    let output: OutputWindowState | null = null;
    if (profile.output !== null) {
      const o = j.output;
      if (o === null || o === undefined) output = w.state.output;
      else {
        const cbpe = o.cbpe ?? null;
        if (profile.output.task === 'binary' && (cbpe === null || cbpe.score_bins_positive?.length !== CBPE_SCORE_BINS)) throw new PonteError('PONTE_VALIDATION_FAILED', 'window.output.cbpe: missing or malformed for a binary model');
        output = { invalid: Number(o.invalid) || 0, distribution: checkState('window.output.distribution', profile.output.distribution, o.distribution), cbpe: cbpe === null ? null : structuredClone(cbpe) };
      }
    }
    w.state = { format: 'ponte.window', version: 1, rows: j.rows, features, output };
    w.bind();
    return w;
  }
}
