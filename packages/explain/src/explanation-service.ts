import { join } from 'node:path';
import { PonteError, type ModelView, type ReadyModel, type Tensor } from '@ponte/core';
import { mainOutputOf } from '@ponte/http';
import type { Attribution, BatchPredict } from './attribution.js';
import type { Background } from './background.js';
import { engineSettings, modelExplainConfig, type ModelExplainConfig } from './explain-config.js';
import { chooseMethod, estimatedModelRows, explainRows, type MethodChoice } from './explain-rows.js';
import { readOnnxGraphFile } from './onnx-graph.js';
import { explainable, featureNamesOf, referenceBackground } from './reference-background.js';

export interface ExplanationServiceOptions {
  /** Explanations running at once per model; the model's other capacity stays with predictions. */
  readonly concurrency: number;
  /** Explanations waiting per model for a slot; beyond it a request is refused with 429. */
  readonly queue: number;
  /** Perturbed rows per call to the model's runner: predictions queued meanwhile run between two calls. */
  readonly chunkRows: number;
}

/** What a version needs to be explained, prepared once. */
export interface PreparedVersion {
  readonly config: ModelExplainConfig;
  readonly choice: MethodChoice;
  readonly background: Background;
  readonly featureNames: readonly string[];
  readonly output: string;
  readonly outputNames: readonly string[] | undefined;
}

/** A per-model limit on explanations running at once, with a bounded wait. */
class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number, private readonly queue: number) {}

  /** Waits for a slot; `bounded` requests are refused when the wait list is full. */
  async acquire(bounded: boolean): Promise<() => void> {
    if (this.active >= this.limit) {
      if (bounded && this.waiting.length >= this.queue) throw new PonteError('PONTE_RATE_LIMITED', `explanations of this model are busy (${this.limit} running, ${this.waiting.length} waiting): retry later`, { headers: { 'Retry-After': '1' } });
      await new Promise<void>((r) => this.waiting.push(r));
    } else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    };
  }

  get busy(): boolean {
    return this.active >= this.limit;
  }
}

/** Milliseconds per explained row, measured, per version. */
interface Cost {
  msPerModelRow: number;
  msPerExplainedRow: number | undefined;
}

/**
 * Explains rows of a served model version: prepares its background and
 * method once (cached per version), runs perturbed rows through the
 * version's own runner (the dynamic batcher, so the ONNX executor's worker
 * threads are used) in chunks so predictions interleave, caps explanations
 * per model, and estimates what an explanation will cost from what the
 * previous ones took.
 */
export class ExplanationService {
  private readonly prepared = new Map<string, Promise<PreparedVersion>>();
  private readonly slots = new Map<string, Slots>();
  private readonly costs = new Map<string, Cost>();

  constructor(private readonly options: ExplanationServiceOptions) {}

  config(model: ModelView): ModelExplainConfig {
    return modelExplainConfig(model.config.explain);
  }

  /** The version's background, method and names (read once; a failure is not cached, so a profile made later is picked up). */
  prepare(model: ModelView): Promise<PreparedVersion> {
    const key = `${model.name}@${model.version}`;
    let p = this.prepared.get(key);
    if (p === undefined) {
      p = this.load(model);
      this.prepared.set(key, p);
      p.catch(() => this.prepared.delete(key));
    }
    return p;
  }

  private async load(model: ModelView): Promise<PreparedVersion> {
    if (!explainable(model)) throw new PonteError('PONTE_EXPLAIN_UNAVAILABLE', `model ${model.name}: explanations need one FP32 input [rows, features]; this model has ${model.signature.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`).join(', ')}`);
    const config = this.config(model);
    const settings = engineSettings(config);
    const graph = model.config.format === undefined || model.config.format === 'onnx' ? await readOnnxGraphFile(join(model.config.source, model.version, 'model.onnx')).catch(() => undefined) : undefined;
    let choice: MethodChoice;
    try {
      choice = chooseMethod(graph, settings);
    } catch (e) {
      throw new PonteError('PONTE_EXPLAIN_UNAVAILABLE', `model ${model.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const background = await referenceBackground(model, config);
    const output = mainOutputOf(model.config, model.signature)?.name ?? model.signature.outputs[0]!.name;
    const outputNames = model.config.labels?.map((l) => `${output}[${String(l)}]`);
    return { config, choice, background, featureNames: featureNamesOf(model), output, outputNames };
  }

  /** Model rows one explained row costs with this version's method and settings. */
  modelRowsPerRow(p: PreparedVersion): number {
    return estimatedModelRows(p.choice, p.featureNames.length, engineSettings(p.config));
  }

  /**
   * The estimated time to explain `rows` rows: from the measured time per
   * explained row once there is one, else model rows × a probe's time per
   * model row (one chunk of background rows, timed on first use).
   */
  async estimateMs(model: ReadyModel, p: PreparedVersion, rows: number): Promise<number> {
    const cost = await this.cost(model, p);
    if (cost.msPerExplainedRow !== undefined) return cost.msPerExplainedRow * rows;
    return rows * (this.modelRowsPerRow(p) * cost.msPerModelRow + (p.choice.method === 'tree_shap' ? 1 : 0));
  }

  private async cost(model: ReadyModel, p: PreparedVersion): Promise<Cost> {
    const key = `${model.name}@${model.version}`;
    let c = this.costs.get(key);
    if (c === undefined) {
      let msPerModelRow = 0.01;
      if (p.choice.method !== 'tree_shap') {
        const n = Math.min(256, this.options.chunkRows);
        const m = p.featureNames.length;
        const rows = new Float32Array(n * m);
        for (let r = 0; r < n; r++) for (let i = 0; i < m; i++) rows[r * m + i] = p.background.rows[(r % p.background.size) * m + i]!;
        const t = performance.now();
        await this.run(model, p, rows, n, undefined);
        msPerModelRow = (performance.now() - t) / n;
      }
      c = { msPerModelRow, msPerExplainedRow: undefined };
      this.costs.set(key, c);
    }
    return c;
  }

  /** Whether this model's explanation slots are all taken now. */
  busy(model: string): boolean {
    return this.slots.get(model)?.busy ?? false;
  }

  /**
   * Explains `n` rows (row-major float32 `n × features`) of a ready version.
   * `bounded`: refuse with 429 when too many explanations of the model wait
   * (requests answered now); jobs and the background sampler wait their turn.
   */
  async explain(model: ReadyModel, rows: Float32Array, n: number, options: { bounded: boolean; deadline?: number }): Promise<Attribution[][]> {
    const p = await this.prepare(model);
    const m = p.featureNames.length;
    if (rows.length !== n * m) throw new PonteError('PONTE_VALIDATION_FAILED', `inputs[0].shape: ${m} features per row expected`);
    let slots = this.slots.get(model.name);
    if (slots === undefined) {
      slots = new Slots(this.options.concurrency, this.options.queue);
      this.slots.set(model.name, slots);
    }
    const release = await slots.acquire(options.bounded);
    try {
      const predict: BatchPredict = (batch, count) => this.run(model, p, batch, count, options.deadline);
      const started = performance.now();
      const out = await explainRows({ predict, rows, reference: p.background, featureNames: p.featureNames, ...(p.outputNames !== undefined ? { outputNames: p.outputNames } : {}), choice: p.choice, settings: engineSettings(p.config) });
      const perRow = (performance.now() - started) / n;
      const cost = this.costs.get(`${model.name}@${model.version}`);
      if (cost !== undefined) cost.msPerExplainedRow = cost.msPerExplainedRow === undefined ? perRow : 0.7 * cost.msPerExplainedRow + 0.3 * perRow;
      return out;
    } finally {
      release();
    }
  }

  /** Runs perturbed rows on the version's runner, chunk by chunk, and returns the main output row-major. */
  private async run(model: ReadyModel, p: PreparedVersion, rows: Float32Array, n: number, deadline: number | undefined): Promise<Float32Array> {
    const m = p.featureNames.length;
    const inputName = model.signature.inputs[0]!.name;
    const chunk = this.options.chunkRows;
    let out: Float32Array | undefined;
    let width = 0;
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const input: Tensor = { name: inputName, datatype: 'FP32', shape: [count, m], data: rows.subarray(start * m, (start + count) * m) };
      let result;
      try {
        result = await model.runner.run({ inputs: [input], outputs: [p.output] }, deadline !== undefined ? { deadline } : undefined);
      } catch (e) {
        throw e instanceof PonteError ? e : new PonteError('PONTE_MODEL_RUN_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
      }
      const t = result.outputs.find((o) => o.name === p.output) ?? result.outputs[0]!;
      if (out === undefined) {
        width = t.data.length / count;
        out = new Float32Array(n * width);
      }
      const data = t.data as ArrayLike<number>;
      for (let i = 0; i < count * width; i++) out[start * width + i] = Number(data[i]);
    }
    return out ?? new Float32Array(0);
  }
}
