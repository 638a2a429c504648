import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isPonteError, uuidV7, type PredictionStore, type StoredPrediction } from '@ponte/core';
import { PostgresStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, skip, sql } from '../test-support/postgres.js';
import { purchaseRecord } from '../test-support/records.js';

/** A model's whole log, page by page. */
async function readAll(store: PredictionStore, model: string, limit = 1000): Promise<Array<StoredPrediction & { feedback?: { label?: unknown } }>> {
  const all: Array<StoredPrediction & { feedback?: { label?: unknown } }> = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ model, limit, ...(cursor !== undefined ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return all;
}

describe('PostgresStore beyond the conformance suite', { skip }, () => {
  const schema = freshSchema();
  let store: PostgresStore;
  before(async () => {
    store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
  });
  after(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('a retried batch is stored once, also when the retry races the first try from another store, and a batch far larger than the sink\'s goes in one call', async () => {
    const batch = Array.from({ length: 6000 }, () => ({ ...purchaseRecord(), model: 'bulk' }));
    await store.append(batch);
    await store.append(batch);
    assert.deepEqual((await readAll(store, 'bulk')).map((p) => p.id), batch.map((r) => r.id));
    const other = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    try {
      const raced = Array.from({ length: 300 }, () => ({ ...purchaseRecord(), model: 'raced' }));
      await Promise.all([store.append(raced), other.append(raced), store.append(raced)]);
      assert.equal((await readAll(store, 'raced')).length, 300);
    } finally {
      await other.close();
    }
  });

  it('a batch spread over days (more segments than one statement holds) is stored whole, in one transaction', async () => {
    const start = Date.now() - 4 * 86_400_000;
    // 61 s apart: every record is a segment of its own.
    const spread = Array.from({ length: 4200 }, (_, i) => ({ ...purchaseRecord(start + i * 61_000), model: 'spread' }));
    await store.append(spread);
    const read = await readAll(store, 'spread');
    assert.deepEqual(read.map((p) => p.id), spread.map((r) => r.id));
    const [one] = await sql<{ n: number }>(`SELECT count(*)::integer AS n FROM ${pg.escapeIdentifier(schema)}.prediction_segments WHERE model = 'spread'`);
    assert.equal(one!.n, 4200);
  });

  it('a page gathered from many small segments (one record per append, as at low load) is whole and in order, page after page', async () => {
    const t = Date.now() - 3_600_000;
    const trickle = Array.from({ length: 300 }, (_, i) => ({ ...purchaseRecord(t + i * 10), model: 'trickle', version: i % 3 === 0 ? '2' : '1' }));
    for (const r of trickle) await store.append([r]);
    assert.deepEqual((await store.query({ model: 'trickle', limit: 1000 })).items.map((p) => p.id), trickle.map((r) => r.id));
    assert.deepEqual((await readAll(store, 'trickle', 7)).map((p) => p.id), trickle.map((r) => r.id));
    const window = await store.query({ model: 'trickle', version: '2', since: t + 100, until: t + 400, limit: 1000 });
    assert.deepEqual(window.items.map((p) => p.id), trickle.filter((r, i) => r.version === '2' && i >= 10 && i < 40).map((r) => r.id));
  });

  it('labels for hundreds of predictions across many segments in one call: each found in its own, unknown ids and other models\' reported', async () => {
    const t = Date.now() - 7_200_000;
    const batches = [0, 1, 2].map((b) => Array.from({ length: 300 }, (_, i) => ({ ...purchaseRecord(t + b * 120_000 + i), model: 'many' })));
    for (const b of batches) await store.append(b);
    const all = batches.flat();
    const items = [...all.map((r, i) => ({ id: r.id, label: i })), { id: uuidV7(), label: 1 }];
    const results = await store.appendFeedback('many', items);
    assert.deepEqual(results.map((r) => r.status), [...all.map(() => 'stored'), 'unknown_id']);
    assert.deepEqual((await store.appendFeedback('bulk', [{ id: all[0]!.id, label: 1 }])).map((r) => r.status), ['unknown_id']);
    const read = await readAll(store, 'many');
    assert.deepEqual(read.map((p) => p.feedback?.label), all.map((_, i) => i));
  });

  it('a page holds at most 1000 predictions, whatever limit asks', async () => {
    const page = await store.query({ model: 'bulk', limit: 1_000_000 });
    assert.equal(page.items.length, 1000);
    assert.ok(page.cursor !== undefined);
  });

  it('odd strings do not fail the batch: NUL is kept (segments are bytes), a lone surrogate becomes U+FFFD (UTF-8 has none), look-alike text is kept', async () => {
    const r = { ...purchaseRecord(), model: 'odd', requestId: 'req\u0000nul', features: [{ note: 'a\u0000b', half: 'x\ud800y', literal: 'back\\u0000slash' }] };
    const neighbour = { ...purchaseRecord(), model: 'odd' };
    await store.append([r, neighbour]);
    const back = await store.get('odd', r.id);
    assert.equal(back?.requestId, 'req\u0000nul');
    assert.deepEqual(back?.features, [{ note: 'a\u0000b', half: 'x\ufffdy', literal: 'back\\u0000slash' }]);
    assert.equal((await store.get('odd', neighbour.id))?.id, neighbour.id);
    // A label with NUL goes to jsonb, which cannot hold it.
    assert.deepEqual(await store.appendFeedback('odd', [{ id: r.id, label: 'a\u0000b' }]), [{ id: r.id, status: 'stored' }]);
    assert.equal((await store.get('odd', r.id))?.feedback?.label, 'a\ufffdb');
  });

  it('feedback: an id twice in one call is stored once, a malformed id is unknown, a label without a time gets the store\'s clock', async () => {
    const r = purchaseRecord();
    await store.append([r]);
    const before = Date.now();
    const results = await store.appendFeedback('purchase', [{ id: r.id, label: true }, { id: 'not-a-uuid', label: 1 }, { id: r.id.toUpperCase(), label: false }]);
    assert.deepEqual(results, [{ id: r.id, status: 'stored' }, { id: 'not-a-uuid', status: 'unknown_id' }, { id: r.id.toUpperCase(), status: 'duplicate' }]);
    const feedback = (await store.get('purchase', r.id))?.feedback;
    assert.equal(feedback?.label, true);
    const time = feedback?.time ?? -1;
    assert.ok(time >= before && time <= Date.now(), `label time ${time}`);
    assert.deepEqual(await store.appendFeedback('purchase', []), []);
  });

  it('a malformed id finds nothing, and a cursor the store did not make is the caller\'s mistake', async () => {
    assert.equal(await store.get('purchase', 'not-a-uuid'), undefined);
    assert.equal(await store.get('purchase', uuidV7()), undefined);
    await assert.rejects(store.query({ model: 'purchase', limit: 10, cursor: 'bm90IGEgY3Vyc29y' }), (e: unknown) => isPonteError(e) && e.code === 'PONTE_BAD_REQUEST');
  });

  it('after close, calls reject saying the store is closed, and closing again is harmless', async () => {
    const other = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    await other.close();
    await other.close();
    await assert.rejects(other.append([purchaseRecord()]), /prediction store \(schema "ponte_test_[0-9a-f]+"\) is closed/);
  });
});

describe('PostgresStore retention by segments', { skip }, () => {
  const schema = freshSchema();
  let store: PostgresStore;
  before(async () => {
    store = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
  });
  after(async () => {
    await store.close();
    await dropSchema(schema);
  });

  const labelRows = async (): Promise<number> => (await sql<{ n: number }>(`SELECT count(*)::integer AS n FROM ${pg.escapeIdentifier(schema)}.segment_feedback`))[0]!.n;

  it('maxRows keeps the newest: the segment at the edge keeps its newest records and their labels, the rest goes with theirs', async () => {
    const now = Date.now();
    const older = Array.from({ length: 10 }, (_, i) => purchaseRecord(now - 20_000 + i));
    const newer = Array.from({ length: 10 }, (_, i) => purchaseRecord(now - 10_000 + i));
    await store.append(older);
    await store.append(newer);
    await store.appendFeedback('purchase', [older[0]!, older[9]!, newer[0]!].map((r) => ({ id: r.id, label: 'yes' })));
    assert.equal(await store.prune({ maxRows: 15 }), 5);
    assert.deepEqual((await readAll(store, 'purchase')).map((p) => p.id), [...older.slice(5), ...newer].map((r) => r.id));
    assert.equal(await store.get('purchase', older[4]!.id), undefined);
    assert.equal((await store.get('purchase', older[9]!.id))?.feedback?.label, 'yes');
    assert.equal(await labelRows(), 2);
    // Pruning again to the same budget changes nothing; a budget that ends at a segment's edge takes it whole.
    assert.equal(await store.prune({ maxRows: 15 }), 0);
    assert.equal(await store.prune({ maxRows: 10 }), 5);
    assert.deepEqual((await readAll(store, 'purchase')).map((p) => p.id), newer.map((r) => r.id));
    assert.equal(await labelRows(), 1);
    // A label for a record the edge dropped finds nothing.
    assert.deepEqual((await store.appendFeedback('purchase', [{ id: older[9]!.id, label: 'no' }])).map((r) => r.status), ['unknown_id']);
  });

  it('by age, a few segments per statement: every old segment goes and is counted, a fresh one stays', async () => {
    const now = Date.now();
    for (let i = 0; i < 40; i++) await store.append(Array.from({ length: 3 }, (_, j) => purchaseRecord(now - 40 * 86_400_000 + i * 1000 + j)));
    const before = (await readAll(store, 'purchase')).length;
    assert.equal(await store.prune({ maxAgeDays: 30 }), 120);
    assert.equal((await readAll(store, 'purchase')).length, before - 120);
    assert.equal(await store.prune({ maxRows: 0 }), before - 120);
    assert.deepEqual(await readAll(store, 'purchase'), []);
    assert.equal(await labelRows(), 0);
  });
});
