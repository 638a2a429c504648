import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isPonteError, uuidV7 } from '@ponte/core';
import { PostgresStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, skip } from '../test-support/postgres.js';
import { purchaseRecord } from '../test-support/records.js';

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

  it('a retried batch is stored once, and a batch far larger than the sink\'s goes in one call', async () => {
    const batch = Array.from({ length: 6000 }, () => ({ ...purchaseRecord(), model: 'bulk' }));
    await store.append(batch);
    await store.append(batch.slice(0, 100));
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await store.query({ model: 'bulk', limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
      n += page.items.length;
      cursor = page.cursor;
    } while (cursor !== undefined);
    assert.equal(n, 6000);
  });

  it('a page holds at most 1000 predictions, whatever limit asks', async () => {
    const page = await store.query({ model: 'bulk', limit: 1_000_000 });
    assert.equal(page.items.length, 1000);
    assert.ok(page.cursor !== undefined);
  });

  it('strings PostgreSQL cannot store (NUL, a lone surrogate) become U+FFFD instead of failing the batch; look-alike text is kept', async () => {
    const r = { ...purchaseRecord(), model: 'odd', requestId: 'req\u0000nul', features: [{ note: 'a\u0000b', half: 'x\ud800y', literal: 'back\\u0000slash' }] };
    const neighbour = { ...purchaseRecord(), model: 'odd' };
    await store.append([r, neighbour]);
    const back = await store.get('odd', r.id);
    assert.equal(back?.requestId, 'req\ufffdnul');
    assert.deepEqual(back?.features, [{ note: 'a\ufffdb', half: 'x\ufffdy', literal: 'back\\u0000slash' }]);
    assert.equal((await store.get('odd', neighbour.id))?.id, neighbour.id);
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
