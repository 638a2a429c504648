/**
 * Ponte aggregates its per-request OpenTelemetry metrics itself and hands them
 * to the SDK at export time. What a backend receives must read as if the SDK
 * had recorded them: OTLP's explicit-bucket rule (a value on a boundary counts
 * in that boundary's bucket), cumulative series that start when first seen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import { BucketHistogram } from '@ponte/core';
import { counterData, histogramData, SeriesMap, type Count } from '../src/request-metrics.js';

test('a histogram counts each value in the first bucket whose upper bound it does not exceed, with sum, count, min and max', () => {
  const durations = new SeriesMap({ name: 'd', description: 'd', unit: 's' }, () => new BucketHistogram([1, 2, 4]));
  const h = durations.get('a', () => ({}));
  for (const v of [0.5, 1, 1.5, 2, 3, 4, 9, NaN, Infinity]) h.observe(v);
  const snap = histogramData(durations, [0, 0])!.dataPoints[0]!.value as { buckets: { boundaries: number[]; counts: number[] }; sum: number; count: number; min: number; max: number };
  assert.deepEqual(snap.buckets, { boundaries: [1, 2, 4], counts: [2, 2, 2, 1] }, 'a value on a bound counts in that bound\'s bucket; non-finite values are dropped');
  assert.equal(snap.count, 7);
  assert.equal(snap.sum, 21);
  assert.equal(snap.min, 0.5);
  assert.equal(snap.max, 9);
  h.observe(1);
  assert.deepEqual(snap.buckets.counts, [2, 2, 2, 1], 'an exported data point does not change after it was taken');
});

test('series are cumulative per attribute set, each starting when first seen, and exported as OTLP data points', () => {
  const before = Date.now();
  const requests = new SeriesMap<Count>({ name: 'ponte.requests', description: 'd', unit: '{request}' }, () => ({ n: 0 }));
  let built = 0;
  const attrs = (status: number) => () => { built++; return { 'http.response.status_code': status }; };
  for (let i = 0; i < 3; i++) requests.get('200', attrs(200)).n++;
  requests.get('400', attrs(400)).n++;
  assert.equal(built, 2, 'attributes are built once per series, not per request');

  const data = counterData(requests, [Math.floor(Date.now() / 1000) + 1, 0])!;
  assert.equal(data.dataPointType, DataPointType.SUM);
  assert.equal(data.aggregationTemporality, AggregationTemporality.CUMULATIVE);
  assert.equal(data.isMonotonic, true);
  assert.deepEqual(data.dataPoints.map((p) => [p.attributes['http.response.status_code'], p.value]), [[200, 3], [400, 1]]);
  for (const p of data.dataPoints) assert.ok(hrTimeToMilliseconds(p.startTime) >= before - 1 && hrTimeToMilliseconds(p.startTime) <= hrTimeToMilliseconds(p.endTime));

  const durations = new SeriesMap({ name: 'ponte.request.duration', description: 'd', unit: 's' }, () => new BucketHistogram([0.001, 0.01]));
  assert.equal(histogramData(durations, [0, 0]), undefined, 'an instrument with no values yet is not exported');
  durations.get('a', () => ({})).observe(0.005);
  const h = histogramData(durations, [0, 0])!;
  assert.equal(h.dataPointType, DataPointType.HISTOGRAM);
  assert.deepEqual(h.dataPoints[0]!.value.buckets.counts, [0, 1, 0]);
  assert.equal(h.descriptor.unit, 's');
});
