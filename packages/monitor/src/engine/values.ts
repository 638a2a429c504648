/** How raw feature values and model outputs are read: one place, so the profile and the window agree. */
import type { ModelOutput, ModelTask } from './types.js';

/** A numeric feature value: a finite number, or why it is not one. */
export type NumericReading = number | 'missing' | 'nan' | 'inf' | 'type';

/** Reads a numeric feature value. Only real numbers count: a numeric string is a type violation. */
export function readNumeric(v: unknown): NumericReading {
  if (v === null || v === undefined) return 'missing';
  if (typeof v !== 'number') return 'type';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return 'inf';
  return v;
}

/** A categorical feature value as its string, or why there is none. */
export type CategoricalReading = { value: string } | 'missing' | 'type';

/** Reads a categorical value: strings, finite numbers and booleans are categories (compared as strings). */
export function readCategorical(v: unknown): CategoricalReading {
  if (v === null || v === undefined) return 'missing';
  if (typeof v === 'string') return { value: v };
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return { value: String(v) };
  return 'type';
}

/** What the engine needs from one model output. */
export type OutputReading = {
  /** Binary: probability of the positive class. Regression: the value. */
  score?: number;
  /** Classification: the predicted class. */
  predicted?: string;
  /** Multiclass: the probability vector, when the output was one. */
  probabilities?: readonly number[];
};

/** The context to read an output in. */
export type OutputContext = {
  task: ModelTask;
  classes: readonly string[] | null;
  positive_class: string | null;
  threshold: number | null;
};

/** A binary model's classes when its profile names none. */
const DEFAULT_BINARY_CLASSES: readonly string[] = ['0', '1'];

/**
 * Reads a model's main output, or returns `null` when it does not fit the task.
 * Binary: a score, or a probability vector (the positive class's entry; a 1-vector is the score).
 * Multiclass: a class, or a probability vector (argmax). Regression: a number or a 1-vector.
 */
export function readOutput(output: ModelOutput, ctx: OutputContext): OutputReading | null {
  if (ctx.task === 'regression') {
    const v = typeof output === 'number' ? output : Array.isArray(output) && output.length === 1 ? output[0] : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? { score: v } : null;
  }
  if (ctx.task === 'binary') {
    let score: number | undefined;
    if (typeof output === 'number') score = output;
    else if (Array.isArray(output)) {
      if (output.length === 1) score = output[0];
      else {
        const at = ctx.classes !== null && ctx.positive_class !== null ? ctx.classes.indexOf(ctx.positive_class) : 1;
        score = output[at >= 0 ? at : 1];
      }
    }
    if (typeof score !== 'number' || !Number.isFinite(score)) return null;
    // Once per monitored row: no array or closure made here.
    const classes = ctx.classes ?? DEFAULT_BINARY_CLASSES;
    const positive = ctx.positive_class ?? classes[1]!;
    let negative = '0';
    for (let i = 0; i < classes.length; i++) {
      if (classes[i] !== positive) {
        negative = classes[i]!;
        break;
      }
    }
    return { score, predicted: score >= (ctx.threshold ?? 0.5) ? positive : negative };
  }
  if (typeof output === 'string') return { predicted: output };
  if (typeof output === 'number') return Number.isFinite(output) ? { predicted: String(output) } : null;
  if (Array.isArray(output) && output.length > 0 && output.every((p) => typeof p === 'number' && Number.isFinite(p))) {
    let best = 0;
    for (let i = 1; i < output.length; i++) if (output[i]! > output[best]!) best = i;
    return { predicted: ctx.classes?.[best] ?? String(best), probabilities: output };
  }
  return null;
}
