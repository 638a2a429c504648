import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PredictionStore, StoredPrediction } from '../store/prediction-store.js';
import { uuidV7 } from '../store/uuid-v7.js';

/** How the suite gets stores: a fresh, empty one per call, all sharing one backend (file, schema). */
export interface StoreUnderTest {
  /** Opens a store on the shared backend (a second call: another process or replica would). */
  open(): Promise<PredictionStore & { close(): Promise<void> }>;
  /** Removes the backend (file, schema) after the suite. */
  destroy(): Promise<void>;
}

const DAY = 86_400_000;

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
  });
}
