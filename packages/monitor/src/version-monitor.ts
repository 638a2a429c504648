import { SegmentMerge, SegmentView, type JsonValue, type Logger, type PredictionStore, type StoredDocument, type StoredPrediction } from '@ponte/core';
import { classificationPerformance, estimatePerformance, evaluateWindow, regressionPerformance, WindowAccumulator, type ClassificationItem, type MetricValue, type ModelOutput, type ReferenceProfile } from './engine/index.js';
import type { ModelMonitoringConfig } from './monitoring-config.js';
import { labelClass, monitoredRows, type ModelShape } from './monitored-rows.js';
import { SegmentRowReader } from './segment-rows.js';
import { windowImportance } from './window-importance.js';
import { WindowRun, type MonitorState } from './window-run.js';
import { DOC, isAfter, timeKey, type IntervalFigure, type LogPosition, type WindowReport } from './window-report.js';

/** The metrics of a performance result that could be computed, by name. */
function figures(result: object): Record<string, IntervalFigure> {
  const out: Record<string, IntervalFigure> = {};
  for (const [k, v] of Object.entries(result)) if (typeof v === 'object' && v !== null && typeof (v as MetricValue).value === 'number') out[k] = v as MetricValue;
  return out;
}

/**
 * How much of the log one tick reads, at most: the rest waits for the next
 * tick. Pages of the most a store returns (a page decodes whole segments, so
 * fewer pages decode fewer twice); 200 of them per 5 s tick keep up with
 * 40,000 logged rows a second, each page read with the event loop free
 * between them.
 */
const PAGE = 1000;
const MAX_PAGES_PER_TICK = 200;

/**
 * Segments per `readSegments` call, and calls per tick: a batch (up to 2,048
 * records) is read and counted in about 2 ms on the serving thread, with the
 * event loop free between batches (8 segments a batch held requests for over
 * 10 ms and put the p99 at saturation near 40 ms); 400 batches keep up with far
 * more than one process logs in a tick (a segment is cut at 1,024 records or
 * when the log appends, every 200 ms).
 */
const SEGMENT_BATCH = 2;
const MAX_SEGMENT_BATCHES_PER_TICK = 400;

/**
 * The monitor of one model version. It follows the version's prediction log
 * (what the after-response sink wrote) from a cursor kept in the store,
 * accumulates rows into the open window (fixed memory per feature), closes a
 * window by rows or by time, evaluates it against the reference profile and
 * stores the report, the new window and the cursor in one atomic write: a
 * restart or another replica taking over resumes exactly there, so no row is
 * counted twice or skipped.
 */
export class VersionMonitor {
  readonly key: string;
  private rowReader: SegmentRowReader | undefined;

  constructor(
    private readonly store: PredictionStore,
    readonly model: string,
    readonly version: string,
    private readonly shape: ModelShape,
    readonly config: ModelMonitoringConfig,
    readonly profile: ReferenceProfile,
    private readonly logger: Logger,
  ) {
    this.key = `${model}/${version}`;
  }

  /**
   * Reads what was logged up to `until` (now minus the log's flush lag),
   * closes the windows that are full or old enough, and saves. Returns the
   * windows it closed.
   */
  async advance(until: number): Promise<WindowReport[]> {
    const saved = await this.store.getDocument(DOC.state, this.key);
    const state = (saved?.body as MonitorState | undefined) ?? { cursor: null, nextSeq: 1, window: null };
    const run = new WindowRun(this.profile, this.config, state, (seq, first, last, acc) => this.report(seq, first, last, acc));
    if (this.store.readSegments !== undefined) await this.readSegments(run, until);
    else await this.readPages(run, until);
    const { closed, cursor, nextSeq, open: o } = run.finish(until);

    // Importance from sampled explanations (@ponte/explain), when there are any: kept apart in window-importance.ts.
    for (let i = 0; i < closed.length; i++) {
      const w = closed[i]!;
      try {
        const importance = await windowImportance(this.store, this.model, this.version, w.first.time, w.last.time, w.features);
        if (importance !== null) closed[i] = { ...w, importance };
      } catch (e) {
        this.logger.warn({ model: this.model, version: this.version, err: e instanceof Error ? e.message : String(e) }, 'window importance skipped');
      }
    }

    const next: MonitorState = { cursor, nextSeq, window: o === null ? null : { seq: o.seq, first: o.first, last: o.last, accumulator: o.acc.toJSON() as JsonValue } };
    const now = Date.now();
    const docs: StoredDocument[] = closed.map((w) => ({ kind: DOC.window, key: this.windowKey(w), body: w as unknown as JsonValue, time: now }));
    docs.push({ kind: DOC.state, key: this.key, body: next as unknown as JsonValue, time: now });
    await this.store.putDocuments(docs);
    for (const w of closed) this.logger.info({ model: this.model, version: this.version, window: w.seq, rows: w.rows, status: w.status, drifted: w.drifted }, 'monitoring window closed');
    return closed;
  }

  /**
   * Counts the log from the run's cursor with the store's raw segments: each
   * record's time and id read without decoding it, the features and the main
   * output decoded into reused arrays (SegmentRowReader), records put in
   * (time, id) order across segments by SegmentMerge. A few times cheaper
   * per row than `query`, which builds every record whole.
   */
  private async readSegments(run: WindowRun, until: number): Promise<void> {
    const read = this.store.readSegments!.bind(this.store);
    const after = run.cursor ?? undefined;
    const merge = new SegmentMerge({ until, ...(after !== undefined ? { since: after.time, after } : {}) });
    const reader = (this.rowReader ??= new SegmentRowReader(this.shape, this.profile.feature_order));
    const spot = run.spot;
    const onRow = (values: readonly unknown[], output: ModelOutput | undefined): void => {
      run.window().addOrdered(values, output);
      run.rowAdded();
    };
    const count = (view: SegmentView, i: number): void => {
      spot.at(view.times[i]!, view, i);
      run.beginRecord();
      reader.read(view, i, onRow);
      run.endRecord();
    };
    let cursor: string | undefined;
    for (let batch = 0; batch < MAX_SEGMENT_BATCHES_PER_TICK; batch++) {
      const result = await read({ model: this.model, version: this.version, until, limit: SEGMENT_BATCH, ...(after !== undefined ? { since: after.time } : {}), ...(cursor !== undefined ? { cursor } : {}) });
      let last: SegmentView | undefined;
      for (const bytes of result.segments) merge.add((last = new SegmentView(bytes)));
      cursor = result.cursor;
      // Records before the last segment's start are final: no later batch holds a segment that starts earlier.
      merge.emit(cursor === undefined || last === undefined ? Infinity : last.minTime, count);
      if (cursor === undefined) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Out of reads for this tick: what waits is read again from the cursor at the next.
  }

  /** Counts the log from the run's cursor with `query` pages (stores without `readSegments`). */
  private async readPages(run: WindowRun, until: number): Promise<void> {
    let pageCursor: string | undefined;
    for (let page = 0; page < MAX_PAGES_PER_TICK; page++) {
      const since = run.cursor?.time ?? 0;
      const result = await this.store.query({ model: this.model, version: this.version, since, until, limit: PAGE, ...(pageCursor !== undefined ? { cursor: pageCursor } : {}) });
      for (const item of result.items) {
        if (run.cursor !== null && !isAfter({ time: item.time, id: item.id }, run.cursor)) continue;
        run.spot.atRecord(item.time, item.id);
        run.beginRecord();
        for (const row of monitoredRows(item, this.shape)) {
          run.window().add(row.features, row.output);
          run.rowAdded();
        }
        run.endRecord();
      }
      if (result.cursor === undefined) break;
      pageCursor = result.cursor;
      // A page is read and counted synchronously: let the requests waiting meanwhile run before the next one.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  windowKey(w: { seq: number; first: LogPosition }): string {
    return `${this.key}/${timeKey(w.first.time)}-${String(w.seq).padStart(9, '0')}`;
  }

  private report(seq: number, first: LogPosition, last: LogPosition, acc: WindowAccumulator): WindowReport {
    const evaluation = evaluateWindow(this.profile, acc, this.config.minRows !== undefined ? { minRows: this.config.minRows } : {});
    return {
      model: this.model,
      version: this.version,
      seq,
      start: new Date(first.time).toISOString(),
      end: new Date(last.time).toISOString(),
      rows: acc.rows,
      status: evaluation.status,
      drifted: evaluation.drifted,
      drifted_features: evaluation.drifted_features,
      features: evaluation.features,
      prediction_drift: evaluation.prediction_drift,
      estimated_performance: estimatePerformance(this.profile, acc),
      performance: null,
      labelled: 0,
      label_coverage: 0,
      first,
      last,
    };
  }

  /**
   * Joins the delayed labels that arrived since a window closed: reads the
   * window's range of the log again with its labels and recomputes its
   * performance. A label counts in the window of its prediction.
   */
  async refreshPerformance(window: WindowReport): Promise<WindowReport | undefined> {
    const classification = this.shape.task === 'binary_classification' || this.shape.task === 'multiclass_classification';
    const items: ClassificationItem[] = [];
    const values: Array<{ predicted: number; value: number }> = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.query({ model: this.model, version: this.version, since: window.first.time, until: window.last.time + 1, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
      for (const item of page.items) {
        const at = { time: item.time, id: item.id };
        if (isAfter(window.first, at) || isAfter(at, window.last) || item.feedback === undefined) continue;
        const rows = monitoredRows(item as StoredPrediction, this.shape);
        // A label belongs to a prediction of one row; a label sent for a batch request cannot say which row it is for.
        if (rows.length !== 1) continue;
        const row = rows[0]!;
        if (classification) {
          const label = labelClass(item.feedback, this.shape);
          if (label !== undefined && row.predicted !== undefined) {
            const p = row.probabilities;
            items.push({ predicted: row.predicted, label, ...(p !== undefined ? { probabilities: p } : {}), ...(p?.length === 2 ? { score: p[1]! } : {}) });
          }
        } else if (item.feedback.value !== undefined && row.value !== undefined) {
          values.push({ predicted: row.value, value: item.feedback.value });
        }
      }
      cursor = page.cursor;
      await new Promise<void>((resolve) => setImmediate(resolve));
    } while (cursor !== undefined);
    const labelled = classification ? items.length : values.length;
    if (labelled === window.labelled) return undefined;
    const performance = labelled === 0 ? null : figures(classification ? classificationPerformance(items, this.shape.labels ?? []) : regressionPerformance(values));
    const updated: WindowReport = { ...window, performance, labelled, label_coverage: window.rows === 0 ? 0 : labelled / window.rows };
    await this.store.putDocuments([{ kind: DOC.window, key: this.windowKey(updated), body: updated as unknown as JsonValue, time: Date.now() }]);
    return updated;
  }

  /** The newest closed windows, oldest first. */
  async windows(limit: number): Promise<WindowReport[]> {
    const docs = await this.store.listDocuments({ kind: DOC.window, prefix: `${this.key}/`, limit });
    return docs.map((d) => d.body as unknown as WindowReport).reverse();
  }
}
