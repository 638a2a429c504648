/**
 * Prediction segments: a store writes a batch of predictions as one encoded
 * value and reads back exactly what was appended — every field, every JSON
 * value a feature or a tensor can hold — finds a prediction by id without
 * decoding, and assembles time-ordered pages from segments that overlap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSegment, FeatureMatrix, PonteError, SegmentBuilder, SEGMENT_MAX_RECORDS, SEGMENT_SPAN_MS, SegmentPage, segmentIds, segmentIndexOf, toSegments, uuidTime, uuidUpperBound, uuidV7, type StoredPrediction } from '../src/index.js';
import { record, T0 } from './segment-records.js';

test('a batch comes back exactly as appended, whatever values its features and tensors hold', () => {
  const odd: StoredPrediction[] = [
    record(0, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    record(1, { traceId: 'not-a-w3c-trace-id', principal: 'svc "billing" ☃', requestId: '0193A5D2-3C4B-7ABC-8F3E-1C2D3E4F5A6B' }),
    record(2, { requestId: crypto.randomUUID() }),
    record(3, { features: [{ a: -0, b: 2 ** 40, c: -7, d: 0.1, e: Number.MAX_VALUE, f: null, g: 'naïve ✓ "quoted"', h: false, i: { nested: [1, 'x'] }, j: [1, 2] }, { a: 1 }] }),
    { ...record(4, { features: undefined }), inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1.5, null, -2] }, { name: 's', datatype: 'BYTES', shape: [2], data: ['ab', ''] }] },
    record(5, { outputs: [{ name: 'ok', datatype: 'BOOL', shape: [2], data: [true, false] }], latencyMs: 0 }),
  ];
  const { features: _f, ...withoutFeatures } = odd[4]!;
  odd[4] = withoutFeatures;
  const [segment, ...rest] = toSegments(odd);
  assert.equal(rest.length, 0, 'one model version within SEGMENT_SPAN_MS: one segment');
  assert.deepEqual(decodeSegment(segment!.bytes), odd.map((r) => ({ ...r, id: r.id.toLowerCase() })));
  assert.equal(Object.is((decodeSegment(segment!.bytes)[3]!.features![0]!['a']), -0), true, '-0 keeps its sign');
  assert.equal(segment!.count, 6);
  assert.equal(segment!.minTime, T0);
  assert.equal(segment!.maxTime, T0 + 5);
});

test('tensors the model produced (typed arrays) are stored as their JSON values, without a copy first', () => {
  const typed = {
    ...record(0, { features: undefined }),
    inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [1, 3], data: Float32Array.from([1.5, Number.NaN, -2]) }],
    outputs: [
      { name: 'label', datatype: 'INT64' as const, shape: [2], data: BigInt64Array.from([1n, -3n]) },
      { name: 'ok', datatype: 'BOOL' as const, shape: [2], data: Uint8Array.from([1, 0]) },
      { name: 'p', datatype: 'FP64' as const, shape: [1], data: Float64Array.from([0.1]) },
    ],
  };
  const { features: _f, ...withoutFeatures } = typed;
  const b = new SegmentBuilder('purchase', '1');
  assert.equal(b.add(withoutFeatures), true);
  const [back] = decodeSegment(b.finish().bytes);
  assert.deepEqual(back!.inputs, [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1.5, null, -2] }]);
  assert.deepEqual(back!.outputs, [
    { name: 'label', datatype: 'INT64', shape: [2], data: [1, -3] },
    { name: 'ok', datatype: 'BOOL', shape: [2], data: [true, false] },
    { name: 'p', datatype: 'FP64', shape: [1], data: [0.1] },
  ]);
});

test('features read straight from the input matrix are stored as the rows of named features they are', () => {
  const tensor = { name: 'input', datatype: 'FP32' as const, shape: [2, 3], data: Float32Array.from([39, 52.5, 1, 51, 20.25, 0]) };
  // The middle column ("income") redacted: names and columns kept are age and returning.
  const matrix = new FeatureMatrix(['age', 'returning'], [0, 2], 3, 2, tensor);
  const b = new SegmentBuilder('purchase', '1');
  b.add(record(0, { features: undefined }) as never);
  assert.equal(b.add({ ...record(1), features: matrix }), true);
  const [, back] = decodeSegment(b.finish().bytes);
  assert.deepEqual(back!.features, [{ age: 39, returning: 1 }, { age: 51, returning: 0 }]);
});

test('an FP32 feature matrix is stored byte for byte as the same rows given as objects, whatever float values it holds', () => {
  const values = [0, -0, 1, 4294967295, 4294967296, -7, 0.1, 3.4e38, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, 2 ** 24 + 2];
  const data = Float32Array.from(values);
  const names = values.map((_, i) => `f${i}`);
  const matrix = new FeatureMatrix(names, names.map((_, i) => i), values.length, 1, { name: 'input', datatype: 'FP32', shape: [1, values.length], data });
  const rows = [Object.fromEntries(names.map((n, i) => [n, data[i]!]))];
  const base = record(0);
  const segmentOf = (features: unknown): Uint8Array => {
    const b = new SegmentBuilder('purchase', '1');
    assert.equal(b.add({ ...base, features } as never), true);
    return b.finish().bytes;
  };
  assert.deepEqual(segmentOf(matrix), segmentOf(rows));
  const back = decodeSegment(segmentOf(matrix))[0]!.features![0]!;
  assert.equal(Object.is(back['f1'], -0), true, '-0 keeps its sign');
  assert.equal(Number.isNaN(back['f8']), true);
  assert.equal(back['f9'], Number.POSITIVE_INFINITY);
  assert.equal(back['f6'], Math.fround(0.1));
});

test('a record is found by id without decoding the segment', () => {
  const records = Array.from({ length: 300 }, (_, i) => record(i));
  const [segment] = toSegments(records);
  assert.equal(segmentIndexOf(segment!.bytes, records[217]!.id), 217);
  assert.equal(segmentIndexOf(segment!.bytes, records[217]!.id.toUpperCase()), 217);
  assert.equal(segmentIndexOf(segment!.bytes, uuidV7()), -1);
  assert.equal(segmentIndexOf(segment!.bytes, 'not an id'), -1);
  assert.deepEqual(segmentIds(segment!.bytes), records.map((r) => r.id));
  assert.equal(segment!.minId, records[0]!.id);
  assert.equal(segment!.maxId, records[299]!.id);
});

test('segments are one model version each, within SEGMENT_SPAN_MS (5 s), and at most 1,024 records', () => {
  const mixed = [record(0), record(1, { version: '2' }), record(2, { model: 'house' }), record(3)];
  const byKey = toSegments(mixed).map((s) => `${s.model}/${s.version}:${s.count}`).sort();
  assert.deepEqual(byKey, ['house/1:1', 'purchase/1:2', 'purchase/2:1']);

  // A backlog written late (the store was down): times far apart are cut into pieces of at most SEGMENT_SPAN_MS.
  const spread = Array.from({ length: 10 }, (_, i) => record(i, { time: T0 + i * 2_000 }));
  const pieces = toSegments(spread);
  for (const p of pieces) assert.ok(p.maxTime - p.minTime <= SEGMENT_SPAN_MS, `${p.maxTime - p.minTime} ms in one segment`);
  assert.deepEqual(pieces.flatMap((p) => decodeSegment(p.bytes)), spread);

  const many = Array.from({ length: 2 * SEGMENT_MAX_RECORDS + 5 }, (_, i) => record(i));
  assert.deepEqual(toSegments(many).map((s) => s.count), [SEGMENT_MAX_RECORDS, SEGMENT_MAX_RECORDS, 5]);
});

test('an id that is not a UUID is refused, naming it', () => {
  assert.throws(() => toSegments([record(0, { id: 'abc' })]), (e: unknown) => e instanceof PonteError && e.code === 'PONTE_BAD_REQUEST' && /"abc" is not a UUID/.test(e.message));
});

test('bytes that are not a segment are an error, not a wrong answer', () => {
  assert.throws(() => decodeSegment(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), /not a prediction segment/);
});

test('UUIDv7 times and the upper bound of an id range', () => {
  const hex = T0.toString(16).padStart(12, '0');
  const id = `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000000`;
  assert.equal(uuidTime(id), T0);
  assert.ok(uuidUpperBound(T0) >= id && uuidUpperBound(T0 - 1) < id);
  assert.ok(Number.isNaN(uuidTime('nope')));
});

test('a page is assembled in (time, id) order from overlapping segments, and says whether more follow', () => {
  // Two replicas' segments over the same seconds, appended out of order.
  const a = Array.from({ length: 40 }, (_, i) => record(i * 2));
  const b = Array.from({ length: 40 }, (_, i) => record(i * 2 + 1, { requestId: `b-${i}` }));
  const segments = [...toSegments(b.slice(20)), ...toSegments(a), ...toSegments(b.slice(0, 20))].sort((x, y) => x.minTime - y.minTime);
  const all = [...a, ...b].sort((x, y) => x.time - y.time);
  const read: StoredPrediction[] = [];
  let after: { time: number; id: string } | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = new SegmentPage({ limit: 7, since: T0 + 3, until: T0 + 70 }, after);
    for (const s of segments) {
      if (!page.wants(s.minTime)) break;
      page.add(s.bytes);
    }
    const { items, more } = page.result();
    read.push(...items);
    if (!more) break;
    after = { time: items[items.length - 1]!.time, id: items[items.length - 1]!.id };
  }
  assert.deepEqual(read.map((r) => r.time), all.filter((r) => r.time >= T0 + 3 && r.time < T0 + 70).map((r) => r.time));
});
