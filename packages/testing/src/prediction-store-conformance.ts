import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeSegment, PonteError, SegmentMerge, SegmentView, toSegments, uuidV7, type JsonValue, type PredictionStore, type StoredDocument, type StoredPrediction } from '@ponte/core';

/** How the suite gets stores: a fresh, empty one per call, all sharing one backend (file, schema). */
export interface StoreUnderTest {
  /** Opens a store on the shared backend (a second call: another process or replica would). */
  open(): Promise<PredictionStore & { close(): Promise<void> }>;
  /** Removes the backend (file, schema) after the suite. */
  destroy(): Promise<void>;
}

const DAY = 86_400_000;

function doc(kind: string, key: string, body: JsonValue, time = Date.now()): StoredDocument {
  return { kind, key, body, time };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with a `PonteError` of this code. */
function isCode(code: string): (e: unknown) => boolean {
  return (e) => e instanceof PonteError && e.code === code;
}

function record(model: string, version: string, time: number, n: number): StoredPrediction {
  return {
    id: uuidV7(time),
    time,
    model,
    version,
    requestId: `req-${n}`,
    principal: n % 2 === 0 ? 'anonymous' : 'svc-billing',
    protocol: 'rest',
    endpoint: 'predict',
    ...(n % 3 === 0 ? { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } : {}),
    features: [{ age: 30 + n, income: 52.5, plan: 'gold', returning: true }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] }, { name: 'label', datatype: 'INT64', shape: [1], data: [1] }],
    latencyMs: 1.25,
  };
}

/**
 * The tests every `PredictionStore` passes, as a node:test suite: a store
 * plugin (ours or a third party's) calls it from its own test file with a way
 * to open stores on a real backend.
 *
 * @example
 * ```ts
 * import { predictionStoreConformance } from '@ponte/testing';
 * predictionStoreConformance('sqlite', { open: () => SqliteStore.open(file), destroy: async () => rmSync(file) });
 * ```
 */
export function predictionStoreConformance(name: string, backend: StoreUnderTest): void {
  describe(`PredictionStore conformance: ${name}`, () => {
    let store: PredictionStore & { close(): Promise<void> };
    const t0 = Date.UTC(2026, 0, 10, 12, 0, 0);

    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store.close();
      await backend.destroy();
    });

    it('keeps every field of a prediction, and finds it by id within its model only', async () => {
      const r = record('roundtrip', '1', t0, 3);
      const tensors: StoredPrediction = { ...record('roundtrip', '1', t0 + 1, 4), features: undefined as never, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1.5, null, -2] }] };
      const { features: _f, ...withoutFeatures } = tensors;
      await store.append([r, withoutFeatures]);
      assert.deepEqual(await store.get('roundtrip', r.id), r);
      assert.deepEqual(await store.get('roundtrip', withoutFeatures.id), withoutFeatures);
      assert.equal(await store.get('another-model', r.id), undefined);
      assert.equal(await store.get('roundtrip', uuidV7()), undefined);
    });

    it('reads a model\'s log oldest first, by version and time range, page by page without gaps or repeats', async () => {
      const records = Array.from({ length: 25 }, (_, i) => record('paged', i % 5 === 0 ? '2' : '1', t0 + i * 1000, i));
      // Appended out of order and in several batches: reading still follows time.
      await store.append(records.slice(10));
      await store.append(records.slice(0, 10));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.query({ model: 'paged', limit: 7, ...(cursor !== undefined ? { cursor } : {}) });
        assert.ok(page.items.length <= 7);
        seen.push(...page.items.map((p) => p.id));
        cursor = page.cursor;
        if (cursor === undefined) break;
      }
      assert.deepEqual(seen, records.map((r) => r.id));
      const v2 = await store.query({ model: 'paged', version: '2', limit: 100 });
      assert.deepEqual(v2.items.map((p) => p.requestId), ['req-0', 'req-5', 'req-10', 'req-15', 'req-20']);
      assert.equal(v2.cursor, undefined);
      const window = await store.query({ model: 'paged', since: t0 + 3000, until: t0 + 6000, limit: 100 });
      assert.deepEqual(window.items.map((p) => p.requestId), ['req-3', 'req-4', 'req-5']);
      assert.deepEqual((await store.query({ model: 'nobody', limit: 10 })).items, []);
    });

    it('stores a delayed label once, reports duplicates and unknown ids per item, and returns it with its prediction', async () => {
      const [a, b] = [record('labels', '1', t0, 1), record('labels', '1', t0 + 1, 2)];
      const other = record('other-model', '1', t0 + 2, 3);
      await store.append([a, b, other]);
      const first = await store.appendFeedback('labels', [{ id: a.id, label: 'yes', time: t0 + DAY }, { id: uuidV7(), label: 'no' }, { id: other.id, label: 'no' }, { id: b.id, value: 12.5 }]);
      assert.deepEqual(first.map((r) => r.status), ['stored', 'unknown_id', 'unknown_id', 'stored']);
      const again = await store.appendFeedback('labels', [{ id: a.id, label: 'yes' }]);
      assert.deepEqual(again, [{ id: a.id, status: 'duplicate' }]);
      assert.deepEqual((await store.get('labels', a.id))?.feedback, { id: a.id, label: 'yes', time: t0 + DAY });
      assert.equal((await store.get('labels', b.id))?.feedback?.value, 12.5);
      const page = await store.query({ model: 'labels', limit: 10 });
      assert.equal(page.items.find((p) => p.id === a.id)?.feedback?.label, 'yes');
      assert.equal((await store.get('other-model', other.id))?.feedback, undefined);
    });

    it('takes records already encoded as segments (the prediction log\'s path) as it takes them from append, when it implements appendSegments', async (t) => {
      if (store.appendSegments === undefined) {
        t.skip('this store has no appendSegments: the prediction log decodes segments and calls append');
        return;
      }
      const records = Array.from({ length: 40 }, (_, i) => record('encoded', i % 4 === 0 ? '2' : '1', t0 + i * 10, i));
      await store.appendSegments(toSegments(records));
      const page = await store.query({ model: 'encoded', limit: 100 });
      assert.deepEqual(page.items, records);
      assert.deepEqual(await store.get('encoded', records[7]!.id), records[7]);
      assert.deepEqual((await store.appendFeedback('encoded', [{ id: records[7]!.id, label: 'yes' }])).map((r) => r.status), ['stored']);
    });

    it('hands out its segments undecoded, oldest first, in batches, for readers of a few fields (the monitor), when it implements readSegments', async (t) => {
      if (store.readSegments === undefined) {
        t.skip('this store has no readSegments: the monitor reads it with query');
        return;
      }
      const read = store.readSegments.bind(store);
      // Two writers whose batches overlap in time, 30 segments in all, and a version the reads below leave out.
      const mine = Array.from({ length: 300 }, (_, i) => record('raw', '1', t0 + i * 20, i));
      const theirs = Array.from({ length: 300 }, (_, i) => record('raw', '1', t0 + i * 20 + 7, 1000 + i));
      const other = Array.from({ length: 30 }, (_, i) => record('raw', '2', t0 + i * 20, 2000 + i));
      for (let k = 0; k < 300; k += 20) await Promise.all([store.append(mine.slice(k, k + 20)), store.append(theirs.slice(k, k + 20))]);
      await store.append(other);
      const everything = [...mine, ...theirs].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));

      // All of version 1, 4 segments a call: each batch starts no earlier than the last, and every record comes back once.
      const seen: string[] = [];
      let lastStart = -Infinity;
      let cursor: string | undefined;
      let calls = 0;
      const merge = new SegmentMerge({});
      const merged: string[] = [];
      do {
        const batch = await read({ model: 'raw', version: '1', limit: 4, ...(cursor !== undefined ? { cursor } : {}) });
        assert.ok(batch.segments.length <= 4);
        let last: SegmentView | undefined;
        for (const bytes of batch.segments) {
          const view = (last = new SegmentView(bytes));
          assert.equal(view.version, '1');
          assert.ok(view.minTime >= lastStart, 'segments come oldest first');
          lastStart = view.minTime;
          seen.push(...decodeSegment(bytes).map((r) => r.id));
          merge.add(view);
        }
        cursor = batch.cursor;
        merge.emit(cursor === undefined || last === undefined ? Infinity : last.minTime, (v, i) => merged.push(v.id(i)));
        calls++;
      } while (cursor !== undefined && calls < 100);
      assert.equal(cursor, undefined);
      assert.deepEqual([...seen].sort(), everything.map((r) => r.id).sort(), 'each record once');
      assert.deepEqual(merged, everything.map((r) => r.id), 'merged, the (time, id) order query pages in');

      // A time range: segments that may hold a record in [since, until), and none that cannot.
      const since = t0 + 2000;
      const until = t0 + 3000;
      const ranged = await read({ model: 'raw', version: '1', since, until, limit: 100 });
      const views = ranged.segments.map((b) => new SegmentView(b));
      assert.ok(views.every((v) => v.maxTime >= since && v.minTime < until), 'only segments that overlap the range');
      const inRange = new Set(views.flatMap((v) => Array.from({ length: v.count }, (_, i) => v.id(i))));
      for (const r of everything) if (r.time >= since && r.time < until) assert.ok(inRange.has(r.id), `record at +${r.time - t0} ms is in a segment returned`);
      // Every version without a version filter; another model's none.
      const allVersions = await read({ model: 'raw', limit: 100 });
      assert.equal(allVersions.segments.reduce((n, b) => n + new SegmentView(b).count, 0), 630);
      assert.deepEqual((await read({ model: 'no-such-model', limit: 10 })).segments, []);
      await assert.rejects(read({ model: 'raw', limit: 10, cursor: 'not-a-cursor' }), isCode('PONTE_BAD_REQUEST'));
      await assert.rejects(read({ model: 'raw', limit: 0 }), isCode('PONTE_BAD_REQUEST'));
    });

    it('two stores on one backend (two processes, two replicas) both write, each record exactly once', async () => {
      const second = await backend.open();
      try {
        const mine = Array.from({ length: 50 }, (_, i) => record('shared', '1', t0 + i, i));
        const theirs = Array.from({ length: 50 }, (_, i) => record('shared', '1', t0 + i, 100 + i));
        await Promise.all([store.append(mine.slice(0, 25)), second.append(theirs.slice(0, 25)), store.append(mine.slice(25)), second.append(theirs.slice(25))]);
        const all = await store.query({ model: 'shared', limit: 1000 });
        assert.equal(all.items.length, 100);
        assert.equal(new Set(all.items.map((p) => p.id)).size, 100);
        assert.deepEqual((await second.query({ model: 'shared', limit: 1000 })).items.map((p) => p.id), all.items.map((p) => p.id));
      } finally {
        await second.close();
      }
    });

    it('keeps what it acknowledged across a close and a reopen', async () => {
      const r = record('durable', '1', t0, 7);
      await store.append([r]);
      await store.appendFeedback('durable', [{ id: r.id, label: 0 }]);
      await store.close();
      store = await backend.open();
      assert.deepEqual((await store.get('durable', r.id))?.feedback?.label, 0);
    });

    it('prunes by age and by row count, newest kept, labels of pruned predictions gone with them', async () => {
      const now = Date.now();
      const old = Array.from({ length: 5 }, (_, i) => record('retained', '1', now - 40 * DAY + i, i));
      const fresh = Array.from({ length: 10 }, (_, i) => record('retained', '1', now - 1000 + i, 10 + i));
      await store.append([...old, ...fresh]);
      await store.appendFeedback('retained', [{ id: old[0]!.id, label: 1 }]);
      const byAge = await store.prune({ maxAgeDays: 30 });
      assert.ok(byAge >= 5, `pruned ${byAge} by age`);
      assert.equal(await store.get('retained', old[0]!.id), undefined);
      assert.equal((await store.query({ model: 'retained', limit: 100 })).items.length, 10);
      await store.prune({ maxRows: 4 });
      const kept = (await store.query({ model: 'retained', limit: 100 })).items;
      assert.ok(kept.length <= 4, `kept ${kept.length}`);
      for (const p of kept) assert.ok(fresh.slice(-4).some((f) => f.id === p.id), 'the newest are kept');
    });

    it('keeps documents by (kind, key), a put replacing what was there, every JSON shape coming back as written', async () => {
      const report = { window: { start: t0, end: t0 + 3_600_000 }, rows: 120, drift: [{ feature: 'age', psi: 0.31, alert: true }], note: 'näive ☃ 𝄞', none: null };
      await store.putDocuments([doc('report', 'purchase/001', report, t0), doc('cursor', 'purchase', 'purchase/001', t0)]);
      assert.deepEqual(await store.getDocument('report', 'purchase/001'), { kind: 'report', key: 'purchase/001', body: report, time: t0 });
      assert.deepEqual(await store.getDocument('cursor', 'purchase'), { kind: 'cursor', key: 'purchase', body: 'purchase/001', time: t0 });
      // Same key, another kind: a different document.
      assert.equal(await store.getDocument('report', 'purchase'), undefined);
      assert.equal(await store.getDocument('nothing', 'purchase/001'), undefined);
      await store.putDocuments([doc('cursor', 'purchase', 'purchase/002', t0 + 1)]);
      assert.deepEqual(await store.getDocument('cursor', 'purchase'), { kind: 'cursor', key: 'purchase', body: 'purchase/002', time: t0 + 1 });
      for (const body of [null, true, 0, -1.5, 1e300, '', [], {}, [1, 'two', [3], { four: 4 }]] as JsonValue[]) {
        await store.putDocuments([doc('shapes', 'one', body, t0)]);
        assert.deepEqual((await store.getDocument('shapes', 'one'))?.body, body, JSON.stringify(body));
      }
      // Within one put, the later of two documents with one (kind, key) wins.
      await store.putDocuments([doc('twice', 'k', 1, t0), doc('twice', 'k', 2, t0 + 5)]);
      assert.deepEqual(await store.getDocument('twice', 'k'), doc('twice', 'k', 2, t0 + 5));
      await store.putDocuments([]);
    });

    it('lists a kind\'s documents newest key first, by prefix, page by page with before and limit', async () => {
      const keys = ['a/2026-01-01T00', 'a/2026-01-01T01', 'a/2026-01-01T02', 'a/2026-01-02T00', 'b/2026-01-01T00', 'a', 'ab/2026-01-01T00', 'Z', 'é', '~'];
      await store.putDocuments(keys.map((k, i) => doc('window', k, { i }, t0 + i)));
      await store.putDocuments([doc('other-kind', 'a/2026-01-03T00', {}, t0)]);
      const all = await store.listDocuments({ kind: 'window', limit: 100 });
      // Byte order of the UTF-8: 'Z' < 'a' < '~' < 'é', whatever the database's locale.
      assert.deepEqual(all.map((d) => d.key), ['é', '~', 'b/2026-01-01T00', 'ab/2026-01-01T00', 'a/2026-01-02T00', 'a/2026-01-01T02', 'a/2026-01-01T01', 'a/2026-01-01T00', 'a', 'Z']);
      assert.deepEqual(all.find((d) => d.key === 'a'), doc('window', 'a', { i: 5 }, t0 + 5));
      const a = await store.listDocuments({ kind: 'window', prefix: 'a/', limit: 100 });
      assert.deepEqual(a.map((d) => d.key), ['a/2026-01-02T00', 'a/2026-01-01T02', 'a/2026-01-01T01', 'a/2026-01-01T00']);
      const paged: string[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.listDocuments({ kind: 'window', prefix: 'a/', limit: 3, ...(before !== undefined ? { before } : {}) });
        assert.ok(page.length <= 3);
        paged.push(...page.map((d) => d.key));
        if (page.length < 3) break;
        before = page[page.length - 1]!.key;
      }
      assert.deepEqual(paged, a.map((d) => d.key));
      assert.deepEqual((await store.listDocuments({ kind: 'window', limit: 2, before: 'a/2026-01-01T02' })).map((d) => d.key), ['a/2026-01-01T01', 'a/2026-01-01T00']);
      assert.deepEqual((await store.listDocuments({ kind: 'window', prefix: 'a/2026-01-01', limit: 1 })).map((d) => d.key), ['a/2026-01-01T02']);
      assert.deepEqual(await store.listDocuments({ kind: 'window', prefix: 'c', limit: 10 }), []);
      assert.deepEqual(await store.listDocuments({ kind: 'no-such-kind', limit: 10 }), []);
      await assert.rejects(store.listDocuments({ kind: 'window', limit: 0 }), isCode('PONTE_BAD_REQUEST'));
    });

    it('puts several documents all or none: a malformed one refuses the whole put, naming it', async () => {
      const good = [doc('atomic', 'window/1', { closed: true }, t0), doc('atomic', 'cursor', 'window/1', t0)];
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      const bad: StoredDocument[] = [
        doc('atomic', '', 1, t0),
        doc('atomic', 'k'.repeat(257), 1, t0),
        doc('', 'k', 1, t0),
        doc('atomic', 'nul\u0000', 1, t0),
        doc('atomic', 'lone \ud800', 1, t0),
        doc('atomic', 'k', 1, Number.NaN),
        doc('atomic', 'k', circular as unknown as JsonValue, t0),
        doc('atomic', 'k', 10n as unknown as JsonValue, t0),
      ];
      for (const b of bad) {
        await assert.rejects(store.putDocuments([...good, b]), (e: unknown) => isCode('PONTE_BAD_REQUEST')(e) && /documents\[2\]\.(kind|key|time|body)/.test((e as Error).message));
        assert.deepEqual(await store.listDocuments({ kind: 'atomic', limit: 10 }), [], `nothing stored after ${JSON.stringify(b.key)}`);
      }
      // A window and its cursor, written together, are seen together by another store on the backend.
      const second = await backend.open();
      try {
        for (let n = 1; n <= 5; n++) {
          const docs = Array.from({ length: 20 }, (_, i) => doc('atomic', `window/${String(i).padStart(2, '0')}`, { generation: n }, t0 + n));
          const reads: Promise<StoredDocument[]>[] = [];
          const put = store.putDocuments(docs);
          reads.push(second.listDocuments({ kind: 'atomic', limit: 100 }));
          await put;
          reads.push(second.listDocuments({ kind: 'atomic', limit: 100 }));
          for (const seen of await Promise.all(reads)) {
            const generations = new Set(seen.map((d) => (d.body as { generation: number }).generation));
            assert.ok(generations.size <= 1, `one put seen whole, saw generations ${[...generations].join(', ')}`);
          }
          const after = await second.listDocuments({ kind: 'atomic', limit: 100 });
          assert.equal(after.length, 20);
          assert.ok(after.every((d) => (d.body as { generation: number }).generation === n));
        }
      } finally {
        await second.close();
      }
    });

    it('prunes documents older than maxAgeDays, keeps the fresh ones, and maxRows leaves documents alone', async () => {
      const now = Date.now();
      await store.putDocuments([doc('aged', 'old', 1, now - 40 * DAY), doc('aged', 'fresh', 2, now - 1000)]);
      await store.prune({ maxRows: 1 });
      assert.equal((await store.listDocuments({ kind: 'aged', limit: 10 })).length, 2);
      await store.prune({ maxAgeDays: 30 });
      assert.deepEqual((await store.listDocuments({ kind: 'aged', limit: 10 })).map((d) => d.key), ['fresh']);
    });

    it('a lease: A takes it, B is refused while it is valid, A renews, a release lets B take it, an expired one goes to B', async () => {
      const long = 60_000;
      assert.equal(await store.acquireLease('close-window', 'replica-a', long), true);
      assert.equal(await store.acquireLease('close-window', 'replica-b', long), false);
      assert.equal(await store.acquireLease('close-window', 'replica-a', long), true, 'the holder renews');
      assert.equal(await store.acquireLease('close-window', 'replica-b', long), false);
      // Another lease name is another lease.
      assert.equal(await store.acquireLease('prune-alerts', 'replica-b', long), true);
      // Only the holder can release.
      await store.releaseLease('close-window', 'replica-b');
      assert.equal(await store.acquireLease('close-window', 'replica-b', long), false);
      await store.releaseLease('close-window', 'replica-a');
      assert.equal(await store.acquireLease('close-window', 'replica-b', long), true);
      assert.equal(await store.acquireLease('close-window', 'replica-a', long), false);
      await store.releaseLease('close-window', 'replica-a');
      await store.releaseLease('never-taken', 'replica-a');

      // Expiry: a holder that does not renew within its ttl loses the lease.
      assert.equal(await store.acquireLease('short', 'replica-a', 150), true);
      await sleep(600);
      assert.equal(await store.acquireLease('short', 'replica-b', long), true, 'taken after expiry');
      assert.equal(await store.acquireLease('short', 'replica-a', long), false);

      // A renewal extends: a short lease renewed with a long ttl outlives the short one.
      assert.equal(await store.acquireLease('renewed', 'replica-a', 150), true);
      assert.equal(await store.acquireLease('renewed', 'replica-a', long), true);
      await sleep(600);
      assert.equal(await store.acquireLease('renewed', 'replica-b', long), false);

      await assert.rejects(store.acquireLease('', 'replica-a', long), isCode('PONTE_BAD_REQUEST'));
      await assert.rejects(store.acquireLease('x', '', long), isCode('PONTE_BAD_REQUEST'));
      await assert.rejects(store.acquireLease('x', 'replica-a', 0), isCode('PONTE_BAD_REQUEST'));
      await assert.rejects(store.acquireLease('x', 'replica-a', Number.NaN), isCode('PONTE_BAD_REQUEST'));
      await assert.rejects(store.acquireLease('x', 'replica-a', 1e300), isCode('PONTE_BAD_REQUEST'));
    });

    it('stores on one backend (processes, replicas) competing for a lease: exactly one wins, and again once it is released', async () => {
      const second = await backend.open();
      try {
        const stores = [store, second];
        const owners = Array.from({ length: 8 }, (_, i) => `replica-${i}`);
        const storeOf = (owner: string): PredictionStore => stores[owners.indexOf(owner) % 2]!;
        for (const round of [1, 2, 3]) {
          const won = await Promise.all(owners.map((o) => storeOf(o).acquireLease('compete', o, 60_000)));
          assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(won)}`);
          const winner = owners[won.indexOf(true)]!;
          const other = storeOf(winner) === store ? second : store;
          assert.equal(await other.acquireLease('compete', winner, 60_000), true, 'the winner holds it, seen from the other store too');
          await other.releaseLease('compete', winner);
        }
      } finally {
        await second.close();
      }
    });
  });
}
