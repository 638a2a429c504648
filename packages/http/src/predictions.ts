import { elementAt, type InferenceResponse, type ModelConfig, type ModelSignature, type ModelTask, type Tensor } from '@ponte/core';

/** One prediction of the named-feature API. */
export type Prediction =
  | { label: string | number; probabilities: Record<string, number>; probability?: number }
  | { prediction: number | number[] }
  | { outputs: Record<string, unknown> };

/** The task a model performs: from config, else guessed from its outputs. */
export function taskOf(config: ModelConfig, sig: ModelSignature): ModelTask {
  if (config.task !== undefined) return config.task;
  const main = mainOutputOf(config, sig);
  if (main === undefined) return 'other';
  if (/prob/i.test(main.name) && main.shape.length === 2) return main.shape[1] === 2 ? 'binary_classification' : 'multiclass_classification';
  if (sig.outputs.length === 1 && main.datatype.startsWith('FP')) return 'regression';
  return 'other';
}

export function mainOutputOf(config: ModelConfig, sig: ModelSignature): ModelSignature['outputs'][number] | undefined {
  if (config.mainOutput !== undefined) return sig.outputs.find((o) => o.name === config.mainOutput);
  return sig.outputs.find((o) => /prob/i.test(o.name)) ?? (sig.outputs.length === 1 ? sig.outputs[0] : undefined);
}

/**
 * Turns model outputs into one readable prediction per row: for a classifier
 * the label and each class's probability (labels from config, in output order;
 * for a binary one also `probability` of the last, positive, class); for a
 * regressor the value; otherwise every output's row.
 */
export function toPredictions(response: InferenceResponse, config: ModelConfig, sig: ModelSignature, rows: number): Prediction[] {
  const task = taskOf(config, sig);
  const mainSpec = mainOutputOf(config, sig);
  const main = mainSpec && response.outputs.find((o) => o.name === mainSpec.name);
  const out: Prediction[] = new Array(rows);
  if (main !== undefined && (task === 'binary_classification' || task === 'multiclass_classification')) {
    const classes = main.shape[1] ?? 1;
    const labels = config.labels ?? Array.from({ length: classes }, (_, i) => i);
    for (let r = 0; r < rows; r++) {
      const probabilities: Record<string, number> = {};
      let best = 0;
      let bestP = -Infinity;
      for (let c = 0; c < classes; c++) {
        const p = Number(elementAt(main, r * classes + c));
        probabilities[String(labels[c] ?? c)] = p;
        if (p > bestP) { bestP = p; best = c; }
      }
      const pred: Prediction = { label: labels[best] ?? best, probabilities };
      if (task === 'binary_classification' && classes === 2) pred.probability = Number(elementAt(main, r * 2 + 1));
      out[r] = pred;
    }
    return out;
  }
  if (main !== undefined && task === 'regression') {
    const width = main.data.length / Math.max(rows, 1);
    for (let r = 0; r < rows; r++) {
      out[r] = width === 1 ? { prediction: Number(elementAt(main, r)) } : { prediction: Array.from({ length: width }, (_, j) => Number(elementAt(main, r * width + j))) };
    }
    return out;
  }
  for (let r = 0; r < rows; r++) out[r] = { outputs: Object.fromEntries(response.outputs.map((o) => [o.name, rowOf(o, r, rows)])) };
  return out;
}

function rowOf(t: Tensor, r: number, rows: number): unknown {
  const width = t.data.length / Math.max(rows, 1);
  if (width === 1) return elementAt(t, r);
  return Array.from({ length: width }, (_, j) => elementAt(t, r * width + j));
}
