import type { Attributes, HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type DataPoint, type Histogram, type MetricData, type MetricDescriptor } from '@opentelemetry/sdk-metrics';
import type { BucketHistogram } from '@ponte/core';

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
  for (const s of m.values()) dataPoints.push({ attributes: s.attributes, startTime: s.start, endTime: now, value: histogramValue(s.value) });
  return { descriptor: descriptor(m.info, ValueType.DOUBLE), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints };
}

/** OTLP metric data of a monotonic counter (cumulative), or undefined before its first value. */
export function counterData(m: SeriesMap<Count>, now: HrTime): MetricData | undefined {
  if (m.size === 0) return undefined;
  const dataPoints: DataPoint<number>[] = [];
  for (const s of m.values()) dataPoints.push({ attributes: s.attributes, startTime: s.start, endTime: now, value: s.value.n });
  return { descriptor: descriptor(m.info, ValueType.INT), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints };
}

/** A copy of a histogram's running state in the SDK's shape (later observations do not change it). */
function histogramValue(h: BucketHistogram): Histogram {
  return { buckets: { boundaries: [...h.bounds], counts: Array.from(h.counts) }, sum: h.sum, count: h.count, min: h.min, max: h.max };
}
