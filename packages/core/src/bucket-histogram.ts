/**
 * Running counts of a histogram with fixed upper bounds, as both Prometheus
 * and OTLP define them: bucket i counts values in (bounds[i-1], bounds[i]],
 * the last slot everything above. Counts are per bucket (exporters make them
 * cumulative); sum, count, min and max run alongside. Shared by the metric
 * exporters so that the request path records into plain numbers instead of
 * a client library's labelled instruments.
 *
 * @example
 * ```ts
 * const h = new BucketHistogram([0.001, 0.01, 0.1]);
 * h.observe(0.004); // counts → [0, 1, 0, 0]
 * ```
 */
export class BucketHistogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly bounds: readonly number[]) {
    // One slot per finite bound plus the +Inf overflow.
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    // Non-finite values would poison sum forever; a clock glitch is not worth an exception on the request path.
    if (!Number.isFinite(value)) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}
