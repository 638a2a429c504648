import type { Attributes, HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type DataPoint, type Histogram, type MetricData, type MetricDescriptor } from '@opentelemetry/sdk-metrics';

/**
 * A cumulative explicit-bucket histogram, as OTLP carries it: bucket i counts
 * values in (boundaries[i-1], boundaries[i]], the last one everything above.
 */
export class BucketHistogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly boundaries: readonly number[]) {
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  record(v: number): void {
    const b = this.boundaries;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  snapshot(): Histogram {
    return { buckets: { boundaries: [...this.boundaries], counts: [...this.counts] }, sum: this.sum, count: this.count, min: this.min, max: this.max };
  }
}

/** One attribute set's running value, with the time it was first seen (the start of its cumulative series). */
interface Series<T> {
  readonly attributes: Attributes;
  readonly start: HrTime;
  readonly value: T;
}

/** What one instrument is, for export. */
export interface InstrumentInfo {
  name: string;
  description: string;
  unit: string;
}

/**
 * Cumulative series of one instrument keyed by a string the caller builds from
 * the attributes (cheaper than hashing an attribute object per call, which is
 * what the SDK's instruments do on every `record`).
 */
export class SeriesMap<T> {
  private readonly series = new Map<string, Series<T>>();

  constructor(
    readonly info: InstrumentInfo,
    private readonly create: () => T,
  ) {}

  /** The running value for `key`; `attributes()` is called only the first time a key is seen. */
  get(key: string, attributes: () => Attributes): T {
    let s = this.series.get(key);
    if (s === undefined) {
      s = { attributes: attributes(), start: millisToHrTime(Date.now()), value: this.create() };
      this.series.set(key, s);
    }
    return s.value;
  }

  values(): IterableIterator<Series<T>> {
    return this.series.values();
  }

  get size(): number {
    return this.series.size;
  }
}

/** A monotonic counter's running value. */
export interface Count {
  n: number;
}

function descriptor(info: InstrumentInfo, valueType: ValueType): MetricDescriptor {
  return { name: info.name, description: info.description, unit: info.unit, valueType };
}

/** OTLP metric data of a histogram instrument (cumulative), or undefined before its first value. */
export function histogramData(m: SeriesMap<BucketHistogram>, now: HrTime): MetricData | undefined {
  if (m.size === 0) return undefined;
  const dataPoints: DataPoint<Histogram>[] = [];
  for (const s of m.values()) dataPoints.push({ attributes: s.attributes, startTime: s.start, endTime: now, value: s.value.snapshot() });
  return { descriptor: descriptor(m.info, ValueType.DOUBLE), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints };
}

/** OTLP metric data of a monotonic counter (cumulative), or undefined before its first value. */
export function counterData(m: SeriesMap<Count>, now: HrTime): MetricData | undefined {
  if (m.size === 0) return undefined;
  const dataPoints: DataPoint<number>[] = [];
  for (const s of m.values()) dataPoints.push({ attributes: s.attributes, startTime: s.start, endTime: now, value: s.value.n });
  return { descriptor: descriptor(m.info, ValueType.INT), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints };
}
