import { SEGMENT_MAX_RECORDS, uuidBytes } from './prediction-segment.js';
import type { LogPosition } from './segment-page.js';
import type { SegmentView } from './segment-view.js';

/** The part of the log a merge passes on: `since` ≤ time < `until`, and after `after` in (time, id) order. */
export interface SegmentRange {
  readonly since?: number;
  readonly until?: number;
  readonly after?: LogPosition;
}

/**
 * Turns segments read in ascending order of their oldest record (what
 * `PredictionStore.readSegments` returns) into one stream of records in
 * (time, id) order — the order `query` pages in, so a reader that keeps a
 * (time, id) position reads each record once whichever way it reads. Segments
 * of several writers overlap in time, so a record is held back until no
 * segment still to come can hold an earlier one: `emit(upTo)` passes on the
 * records before `upTo`, the oldest time a later segment can start at.
 * Records are kept as numbers (segment, index), not objects.
 *
 * @example
 * ```ts
 * const merge = new SegmentMerge({ since, until, after: cursor });
 * for (const bytes of batch.segments) merge.add(new SegmentView(bytes));
 * const upTo = batch.cursor === undefined ? Infinity : lastView.minTime;
 * merge.emit(upTo, (view, i) => count(view, i));
 * ```
 */
export class SegmentMerge {
  private views: SegmentView[] = [];
  private pending: number[] = [];
  private sorted = true;
  private readonly afterId: Uint8Array | undefined;

  constructor(private readonly range: SegmentRange) {
    this.afterId = range.after === undefined ? undefined : uuidBytes(range.after.id);
  }

  /** Records waiting for `emit`. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Takes the records of one segment that lie in the range. */
  add(view: SegmentView): void {
    const { since, until, after } = this.range;
    // Entries are numbered slot × SEGMENT_MAX_RECORDS + index: a longer segment is not one the builder makes.
    if (view.count > SEGMENT_MAX_RECORDS) throw new Error(`prediction segment of ${view.count} records: at most ${SEGMENT_MAX_RECORDS} are read`);
    const slot = this.views.length;
    this.views.push(view);
    const times = view.times;
    const pending = this.pending;
    for (let i = 0; i < view.count; i++) {
      const t = times[i]!;
      if (since !== undefined && t < since) continue;
      if (until !== undefined && t >= until) continue;
      if (after !== undefined && (t < after.time || (t === after.time && (this.afterId === undefined ? view.id(i) <= after.id : view.compareId(i, this.afterId) <= 0)))) continue;
      const entry = slot * SEGMENT_MAX_RECORDS + i;
      if (this.sorted && pending.length > 0 && this.compare(pending[pending.length - 1]!, entry) > 0) this.sorted = false;
      pending.push(entry);
    }
  }

  /**
   * Passes on, oldest first, the waiting records whose time is before
   * `upTo` (Infinity: all of them, when no segment follows); returns how many.
   */
  emit(upTo: number, visit: (view: SegmentView, index: number) => void): number {
    const pending = this.pending;
    if (!this.sorted) {
      pending.sort((a, b) => this.compare(a, b));
      this.sorted = true;
    }
    let k = 0;
    for (; k < pending.length; k++) {
      const e = pending[k]!;
      const view = this.views[Math.floor(e / SEGMENT_MAX_RECORDS)]!;
      const i = e % SEGMENT_MAX_RECORDS;
      if (view.times[i]! >= upTo) break;
      visit(view, i);
    }
    this.compact(k);
    return k;
  }

  /** Drops the first `done` entries and the segments nothing waiting points into any more. */
  private compact(done: number): void {
    const rest = this.pending.slice(done);
    const keep = new Map<number, number>();
    const views: SegmentView[] = [];
    for (let k = 0; k < rest.length; k++) {
      const slot = Math.floor(rest[k]! / SEGMENT_MAX_RECORDS);
      let to = keep.get(slot);
      if (to === undefined) {
        to = views.length;
        keep.set(slot, to);
        views.push(this.views[slot]!);
      }
      rest[k] = to * SEGMENT_MAX_RECORDS + (rest[k]! % SEGMENT_MAX_RECORDS);
    }
    this.pending = rest;
    this.views = views;
  }

  private compare(a: number, b: number): number {
    const va = this.views[Math.floor(a / SEGMENT_MAX_RECORDS)]!;
    const vb = this.views[Math.floor(b / SEGMENT_MAX_RECORDS)]!;
    const ia = a % SEGMENT_MAX_RECORDS;
    const ib = b % SEGMENT_MAX_RECORDS;
    return va.times[ia]! - vb.times[ib]! || va.compareIdWith(ia, vb, ib);
  }
}
