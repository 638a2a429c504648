import { BucketHistogram } from '@ponte/core';
import type { Registry } from 'prom-client';
import { LabelledFamily, type Sample } from './labelled-series.js';

/** One histogram series: core's per-bucket counts (made cumulative at export), sum and count. */
export type HistogramSeries = BucketHistogram;

/**
 * A Prometheus histogram with pre-resolved series (see LabelledFamily),
 * exported exactly as prom-client exports its own: cumulative `_bucket{le}`
 * lines ending in `+Inf`, then `_sum` and `_count`.
 *
 * @example
 * ```ts
 * const h = new HistogramFamily('ponte_request_duration_seconds', 'Latency.', ['model'], [0.01, 0.1, 1], registry);
 * h.series({ model: 'purchase' }).observe(0.004);
 * ```
 */
export class HistogramFamily<L extends string> extends LabelledFamily<L, HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(name: string, help: string, labelNames: readonly L[], bounds: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${name}: bucket bounds must be increasing, got ${bounds.join(', ')}`);
    this.bounds = [...bounds];
  }

  protected create(): HistogramSeries {
    return new BucketHistogram(this.bounds);
  }

  protected clear(s: HistogramSeries): void {
    s.reset();
  }

  protected samples(labels: Readonly<Record<L, string>>, s: HistogramSeries, into: Sample[]): void {
    const bucket = `${this.name}_bucket`;
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += s.counts[i]!;
      into.push({ metricName: bucket, labels: { ...labels, le: this.bounds[i]! }, value: acc });
    }
    into.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: s.count });
    into.push({ metricName: `${this.name}_sum`, labels: { ...labels }, value: s.sum });
    into.push({ metricName: `${this.name}_count`, labels: { ...labels }, value: s.count });
  }
}
