/**
 * Reading segments for a few fields of many records (the model monitor's
 * way): a SegmentView gives each record's time and id without decoding it,
 * and shows a reader exactly the feature rows, inputs and outputs that
 * `decodeSegment` would have built; a SegmentMerge puts the records of
 * segments from several writers in the (time, id) order `query` pages in,
 * holding back what a later segment could still precede.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSegment, decodeSegmentCursor, encodeSegmentCursor, PonteError, segmentBatchLimit, SegmentMerge, SegmentView, toSegments, uuidV7, type SegmentTensorLayout, type StoredPrediction, type StoredTensor } from '../src/index.js';
import { record, T0 } from './segment-records.js';

/** What a visitor is shown of record `i`, as plain values. */
function seen(view: SegmentView, i: number): { features: Array<Record<string, unknown>>; inputs: StoredTensor[]; outputs: StoredTensor[] } {
  const features: Array<Record<string, unknown>> = [];
  const inputs: StoredTensor[] = [];
  const outputs: StoredTensor[] = [];
  const tensor = (l: SegmentTensorLayout, values: readonly unknown[]): StoredTensor => ({ name: l.name, datatype: l.datatype as StoredTensor['datatype'], shape: [...l.shape], data: [...values] as StoredTensor['data'] });
  view.visit(i, {
    featureRow: (names, values) => features.push(Object.fromEntries(names.map((n, k) => [n, values[k]]))),
    input: (l, values) => inputs.push(tensor(l, values)),
    output: (l, values) => outputs.push(tensor(l, values)),
  });
  return { features, inputs, outputs };
}

test('a view gives each record\'s time and id, and shows a reader exactly what decodeSegment builds', () => {
  const records: StoredPrediction[] = [
    record(0, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    record(3, { traceId: 'not-a-w3c-trace-id', requestId: 'caller "x" ☃' }),
    record(1, { features: [{ a: null, b: 'naïve', c: { nested: [1] }, d: true }, { a: -2.25 }] }),
    { ...record(2, { features: undefined }), inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: [1.5, null, -2, 4, 5, 6] }] },
    record(4, { outputs: [{ name: 'ok', datatype: 'BOOL', shape: [2], data: [true, false] }] }),
  ];
  const [segment] = toSegments(records);
  const view = new SegmentView(segment!.bytes);
  const decoded = decodeSegment(segment!.bytes);
  assert.equal(view.count, 5);
  assert.equal(view.model, 'purchase');
  assert.equal(view.version, '1');
  assert.equal(view.minTime, T0);
  assert.equal(view.maxTime, T0 + 4);
  for (let i = 0; i < view.count; i++) {
    const d = decoded[i]!;
    assert.equal(view.times[i], d.time, `record ${i}: time`);
    assert.equal(view.id(i), d.id, `record ${i}: id`);
    assert.equal(view.hasFeatures(i), d.features !== undefined);
    const s = seen(view, i);
    assert.deepEqual(s.features, d.features ?? [], `record ${i}: feature rows`);
    assert.deepEqual(s.inputs, d.inputs ?? [], `record ${i}: inputs`);
    assert.deepEqual(s.outputs, d.outputs, `record ${i}: outputs`);
  }
  // Out of order, and again: a visit does not depend on the one before.
  assert.deepEqual(seen(view, 3).inputs, decoded[3]!.inputs);
  assert.deepEqual(seen(view, 0).outputs, decoded[0]!.outputs);
});

test('a reader that wants only the outputs is shown only the outputs', () => {
  const [segment] = toSegments([record(0), record(1)]);
  const view = new SegmentView(segment!.bytes);
  const names: string[] = [];
  view.visit(1, { output: (l) => names.push(l.name) });
  assert.deepEqual(names, ['label', 'probabilities']);
});

test('ids compare by their bytes as their lower-case text compares', () => {
  const a = '0193a5d2-3c4b-7abc-8f3e-1c2d3e4f5a6b';
  const b = '0193a5d2-3c4b-7abc-8f3e-1c2d3e4f5a6c';
  const [s] = toSegments([record(0, { id: a }), record(0, { id: b })]);
  const view = new SegmentView(s!.bytes);
  assert.ok(view.compareIdWith(0, view, 1) < 0);
  assert.ok(view.compareIdWith(1, view, 0) > 0);
  assert.equal(view.compareIdWith(1, view, 1), 0);
});

/** Two writers' segments that overlap in time, as replicas sharing a store write them. */
function twoWriters(): { all: StoredPrediction[]; segments: Uint8Array[] } {
  const a = Array.from({ length: 40 }, (_, i) => record(i * 10));
  const b = Array.from({ length: 40 }, (_, i) => record(i * 10 + 5, { id: uuidV7(T0 + i * 10 + 5) }));
  // Same-millisecond records too, ordered by id.
  b.push(record(100, { id: uuidV7(T0 + 100) }));
  const segs = [...toSegments(a.slice(0, 20)), ...toSegments(b.slice(0, 25)), ...toSegments(a.slice(20)), ...toSegments(b.slice(25))];
  const views = segs.map((s) => s.bytes).sort((x, y) => new SegmentView(x).minTime - new SegmentView(y).minTime);
  return { all: [...a, ...b], segments: views };
}

const byTimeId = (x: { time: number; id: string }, y: { time: number; id: string }): number => x.time - y.time || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

test('a merge gives the records of overlapping segments in (time, id) order, each once', () => {
  const { all, segments } = twoWriters();
  const merge = new SegmentMerge({});
  const out: Array<{ time: number; id: string }> = [];
  // Two segments at a time, as a reader reads batches: what a later segment could precede waits.
  for (let k = 0; k < segments.length; k += 2) {
    const batch = segments.slice(k, k + 2).map((b) => new SegmentView(b));
    for (const v of batch) merge.add(v);
    const more = k + 2 < segments.length;
    merge.emit(more ? batch[batch.length - 1]!.minTime : Infinity, (v, i) => out.push({ time: v.times[i]!, id: v.id(i) }));
  }
  assert.equal(merge.waiting, 0);
  assert.deepEqual(out, all.map((r) => ({ time: r.time, id: r.id })).sort(byTimeId));
});

test('a merge passes on only the range asked: since, until, and after a (time, id) position', () => {
  const { all, segments } = twoWriters();
  const sorted = all.map((r) => ({ time: r.time, id: r.id })).sort(byTimeId);
  const after = sorted[30]!;
  const until = T0 + 300;
  const merge = new SegmentMerge({ since: after.time, until, after });
  for (const b of segments) merge.add(new SegmentView(b));
  const out: Array<{ time: number; id: string }> = [];
  merge.emit(Infinity, (v, i) => out.push({ time: v.times[i]!, id: v.id(i) }));
  assert.deepEqual(out, sorted.filter((p) => byTimeId(p, after) > 0 && p.time < until));
});

test('a merge holds back the records a later segment could precede', () => {
  const { segments } = twoWriters();
  const merge = new SegmentMerge({});
  const first = new SegmentView(segments[0]!);
  merge.add(first);
  const upTo = first.minTime + 50;
  const out: number[] = [];
  const n = merge.emit(upTo, (v, i) => out.push(v.times[i]!));
  assert.ok(n > 0 && out.every((t) => t < upTo));
  assert.equal(merge.waiting, first.count - n);
});

test('a segment cursor round-trips, and a cursor or limit the store did not make is a bad request', () => {
  assert.deepEqual(decodeSegmentCursor(encodeSegmentCursor({ minTime: T0, seq: 42 })), { minTime: T0, seq: 42 });
  assert.throws(() => decodeSegmentCursor('bm9wZQ'), (e: unknown) => e instanceof PonteError && e.code === 'PONTE_BAD_REQUEST' && /cursor/.test(e.message));
  assert.throws(() => segmentBatchLimit(0), (e: unknown) => e instanceof PonteError && /limit/.test(e.message));
  assert.equal(segmentBatchLimit(1e9), 100);
});
