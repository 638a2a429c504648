import type { PredictionQuery, StoredPrediction } from './prediction-store.js';
import { decodeSegment } from './prediction-segment.js';

/** Where a page starts: after this (time, id), the key the log is read by. */
export interface LogPosition {
  readonly time: number;
  readonly id: string;
}

function before(a: StoredPrediction, b: StoredPrediction): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Assembles one page of a time-range read from segments. The store feeds it
 * the model version's segments in ascending `minTime` (from `minTime ≥ lower
 * bound − SEGMENT_SPAN_MS`, the oldest that can hold a record of the page)
 * and stops when `wants` says no: once the page (and one more record, which
 * says another page follows) is full, a segment that starts after its last
 * record cannot change it. Records come out in (time, id) order.
 *
 * @example
 * ```ts
 * const page = new SegmentPage(query, after);
 * for (const row of rows) { if (!page.wants(row.min_time)) break; page.add(row.body); }
 * const { items, more } = page.result();
 * ```
 */
export class SegmentPage {
  private collected: StoredPrediction[] = [];
  private sorted = true;
  private readonly limit: number;

  constructor(private readonly query: Pick<PredictionQuery, 'since' | 'until'> & { readonly limit: number }, private readonly after?: LogPosition) {
    this.limit = query.limit;
  }

  /** The lowest time a record of this page can have: where the store starts reading segments (minus the span). */
  get lowerBound(): number {
    return Math.max(this.after?.time ?? -Infinity, this.query.since ?? -Infinity);
  }

  /** Whether a segment whose oldest record is at `minTime` can still add to the page. */
  wants(minTime: number): boolean {
    if (this.query.until !== undefined && minTime >= this.query.until) return false;
    if (this.collected.length <= this.limit) return true;
    this.trim();
    return minTime <= this.collected[this.limit]!.time;
  }

  /** Adds the records of one segment that fall in the page's range. */
  add(bytes: Uint8Array): void {
    const { since, until } = this.query;
    const after = this.after;
    const collected = this.collected;
    for (const r of decodeSegment(bytes)) {
      if (since !== undefined && r.time < since) continue;
      if (until !== undefined && r.time >= until) continue;
      if (after !== undefined && (r.time < after.time || (r.time === after.time && r.id <= after.id))) continue;
      // Records mostly arrive in order: sorting is needed only when one does not.
      const last = collected[collected.length - 1];
      if (this.sorted && last !== undefined && before(last, r) > 0) this.sorted = false;
      collected.push(r);
    }
  }

  /** The page (at most `limit` records, oldest first) and whether more follow. */
  result(): { items: StoredPrediction[]; more: boolean } {
    this.trim();
    const more = this.collected.length > this.limit;
    return { items: more ? this.collected.slice(0, this.limit) : this.collected, more };
  }

  /** Sorts (when out of order), and keeps the page plus one record: what is beyond can no longer be in it. */
  private trim(): void {
    if (!this.sorted) this.collected.sort(before);
    if (this.collected.length > this.limit + 1) this.collected.length = this.limit + 1;
    this.sorted = true;
  }
}
