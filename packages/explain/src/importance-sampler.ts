import type { Logger, StoredDocument, ModelRegistry, ModelView, PredictionRecord, PredictionSink, PredictionStore, ReadyModel } from '@ponte/core';
import type { Attribution } from './attribution.js';
import type { ExplanationService } from './explanation-service.js';
import { explainable } from './reference-background.js';

/** Document kinds the sampler writes to the prediction store (the monitor reads them per window). */
export const IMPORTANCE_DOC = {
  /** Sampled live attributions: key `model/version/<time>-<seq>`, body `{ features, samples: [{ t, a }] }`. */
  sample: 'explain-sample',
  /** Mean |attribution| share on the reference background: key `model/version`, body `{ features, share }`. */
  reference: 'explain-reference',
} as const;

/** Fixed-width epoch milliseconds, so keys sort as time does (as the monitor's do). */
function timeKey(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0');
}

/** Mean |attribution| per feature over a row's outputs (a binary classifier's two classes mirror each other). */
function absPerFeature(row: readonly Attribution[], m: number): number[] {
  const out = new Array<number>(m).fill(0);
  for (const a of row) for (let i = 0; i < m; i++) out[i]! += Math.abs(a.values[i]!) / row.length;
  return out;
}

export interface ImportanceSamplerOptions {
  /** Records waiting to be explained at most; more are skipped (sampling is best effort). */
  readonly maxPending: number;
  /** Samples per stored document. */
  readonly perDocument: number;
}

/**
 * The after-response sink behind importance over time: it keeps a sampled
 * share of each model's live predictions (`models[].explain.sampleRate`)
 * and explains them in the background, one batch at a time, waiting its
 * turn for the model's explanation slots, and stores the |attributions| in
 * the prediction store, where the monitor reads them when a window closes.
 * Nothing happens on the request path: `write` only picks and queues.
 */
export class ImportanceSampler implements PredictionSink {
  readonly name = 'explain-sampler';
  readonly capacity = 2000;
  readonly maxBatch = 256;
  private readonly pending: PredictionRecord[] = [];
  private running: Promise<void> | undefined;
  private readonly referenceDone = new Set<string>();
  private seq = 0;
  /** Versions that cannot be explained (no reference yet), skipped until the time kept here. */
  private readonly skipUntil = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly service: ExplanationService,
    private readonly registry: () => ModelRegistry,
    private readonly store: () => PredictionStore | undefined,
    private readonly logger: Logger,
    private readonly options: ImportanceSamplerOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The share of a model's predictions sampled (0 when it cannot be explained). */
  rate(model: ModelView): number {
    return explainable(model) ? this.service.config(model).sampleRate : 0;
  }

  write(records: readonly PredictionRecord[]): void {
    if (this.stopped || this.store() === undefined) return;
    for (const r of records) {
      if ((this.skipUntil.get(`${r.model.name}@${r.model.version}`) ?? 0) > Date.now()) continue;
      const rate = this.rate(r.model);
      if (rate <= 0 || this.random() >= rate) continue;
      if (this.pending.length >= this.options.maxPending) break;
      this.pending.push(r);
    }
    if (this.pending.length > 0 && this.running === undefined) {
      this.running = this.drain().finally(() => { this.running = undefined; });
    }
  }

  /** Resolves once every sampled record so far is explained and stored. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  async flush(): Promise<void> {
    await this.idle();
  }

  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      const first = this.pending[0]!;
      const batch: PredictionRecord[] = [];
      for (let i = 0; i < this.pending.length && batch.length < this.options.perDocument;) {
        const r = this.pending[i]!;
        if (r.model.name === first.model.name && r.model.version === first.model.version) {
          batch.push(r);
          this.pending.splice(i, 1);
        } else i++;
      }
      try {
        await this.explainBatch(batch);
      } catch (e) {
        if ((e as { code?: unknown }).code === 'PONTE_EXPLAIN_UNAVAILABLE') {
          // Said once per version and hour, not per sampled record: a model without a reference is common.
          this.skipUntil.set(`${first.model.name}@${first.model.version}`, Date.now() + 3_600_000);
          this.logger.info({ model: first.model.name, version: first.model.version, reason: e instanceof Error ? e.message : String(e) }, 'live predictions of this version are not sampled for importance');
          continue;
        }
        this.logger.warn({ model: first.model.name, version: first.model.version, err: e instanceof Error ? e.message : String(e) }, 'sampled explanations skipped');
      }
    }
  }

  private async explainBatch(batch: readonly PredictionRecord[]): Promise<void> {
    const store = this.store();
    const view = batch[0]!.model;
    let model: ReadyModel;
    try {
      model = this.registry().resolve(view.name, view.version);
    } catch {
      return; // the version was unloaded meanwhile
    }
    const prepared = await this.service.prepare(model);
    const m = prepared.featureNames.length;
    // All sampled rows of the batch go as one explanation: one slot, one chunked run.
    const times: number[] = [];
    const data: number[] = [];
    for (const r of batch) {
      const t = r.inputs[0];
      if (t === undefined || t.datatype !== 'FP32' || t.shape.length !== 2 || t.shape[1] !== m) continue;
      const n = t.shape[0]!;
      const d = t.data as ArrayLike<number>;
      for (let i = 0; i < n * m; i++) data.push(Number(d[i]));
      for (let i = 0; i < n; i++) times.push(r.time);
    }
    if (times.length === 0 || store === undefined) return;
    const explained = await this.service.explain(model, Float32Array.from(data), times.length, { bounded: false });
    const samples = explained.map((row, i) => ({ t: times[i]!, a: absPerFeature(row, m).map((v) => Number(v.toPrecision(6))) }));
    const key = `${model.name}/${model.version}`;
    const docs: StoredDocument[] = [{ kind: IMPORTANCE_DOC.sample, key: `${key}/${timeKey(times[0]!)}-${String(this.seq++ % 1e9).padStart(9, '0')}`, body: { features: [...prepared.featureNames], samples }, time: Date.now() }];
    if (!this.referenceDone.has(key)) {
      this.referenceDone.add(key);
      if (await store.getDocument(IMPORTANCE_DOC.reference, key) === undefined) {
        // The reference's importance: the background rows themselves explained, weighted as the background weighs them.
        const bg = prepared.background;
        const ref = await this.service.explain(model, Float32Array.from(bg.rows), bg.size, { bounded: false });
        const total = new Array<number>(m).fill(0);
        ref.forEach((row, b) => absPerFeature(row, m).forEach((v, i) => { total[i]! += bg.weights[b]! * v; }));
        const sum = total.reduce((a, b) => a + b, 0);
        const share = Object.fromEntries(prepared.featureNames.map((f, i) => [f, sum > 0 ? Number((total[i]! / sum).toPrecision(6)) : 0]));
        docs.push({ kind: IMPORTANCE_DOC.reference, key, body: { features: [...prepared.featureNames], share }, time: Date.now() });
      }
    }
    await store.putDocuments(docs);
  }
}
