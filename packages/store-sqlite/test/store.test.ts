import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { uuidV7, type StoredPrediction } from '@ponte/core';
import { MAX_PAGE, PRUNE_BATCH, SqliteStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

function small(model: string, time: number, n: number): StoredPrediction {
  return { id: uuidV7(time), time, model, version: '1', requestId: `r${n}`, principal: 'anonymous', protocol: 'rest', endpoint: 'infer', outputs: [{ name: 'y', datatype: 'FP32', shape: [1], data: [n] }], latencyMs: 1 };
}

/** Appends `count` records in appends of `per` (each append one segment when they are within a minute). */
async function appendMany(store: SqliteStore, model: string, count: number, time: (i: number) => number, per = 1000): Promise<StoredPrediction[]> {
  const all: StoredPrediction[] = [];
  for (let i = 0; i < count; i += per) {
    const batch = Array.from({ length: Math.min(per, count - i) }, (_, j) => small(model, time(i + j), i + j));
    await store.append(batch);
    all.push(...batch);
  }
  return all;
}

describe('reading the log', () => {
  let store: SqliteStore;
  before(async () => {
    store = await SqliteStore.open(join(dir, 'read.db'));
  });
  after(() => store.close());

  it('a page never holds more than 1000 predictions, whatever limit is asked', async () => {
    const t0 = Date.UTC(2026, 5, 1);
    await appendMany(store, 'big', MAX_PAGE + 5, (i) => t0 + i);
    const page = await store.query({ model: 'big', limit: 5000 });
    assert.equal(page.items.length, MAX_PAGE);
    assert.ok(page.cursor !== undefined);
    assert.equal((await store.query({ model: 'big', limit: 5000, cursor: page.cursor })).items.length, 5);
  });

  it('a cursor keeps the filters of the query it is passed with (version, time window)', async () => {
    const t0 = Date.UTC(2026, 6, 1);
    const records = Array.from({ length: 30 }, (_, i) => ({ ...small('filtered', t0 + i * 10, i), version: i % 2 === 0 ? 'a' : 'b' }));
    await store.append(records);
    const wanted = records.filter((r) => r.version === 'a' && r.time >= t0 + 50 && r.time < t0 + 250).map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.query({ model: 'filtered', version: 'a', since: t0 + 50, until: t0 + 250, limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.cursor;
    } while (cursor !== undefined);
    assert.deepEqual(seen, wanted);
  });

  it('a cursor this store did not make, or a limit below 1, is a bad request', async () => {
    for (const cursor of ['nonsense', Buffer.from('[1]').toString('base64url'), Buffer.from('{"time":1}').toString('base64url')]) {
      await assert.rejects(store.query({ model: 'big', limit: 10, cursor }), (e: Error & { code?: string }) => e.code === 'PONTE_BAD_REQUEST' && /cursor/.test(e.message));
    }
    await assert.rejects(store.query({ model: 'big', limit: 0 }), (e: Error & { code?: string }) => e.code === 'PONTE_BAD_REQUEST' && /limit/.test(e.message));
  });

  it('appending a batch again (a retry) stores each record once', async () => {
    const batch = [small('retried', Date.now(), 1), small('retried', Date.now(), 2)];
    await store.append(batch);
    await store.append(batch);
    assert.equal((await store.query({ model: 'retried', limit: 10 })).items.length, 2);
  });

  it('a label for one item of a batch repeated in the same call is stored once, then reported as a duplicate', async () => {
    const r = small('labels', Date.now(), 1);
    await store.append([r]);
    const results = await store.appendFeedback('labels', [{ id: r.id, value: 3.5 }, { id: r.id, value: 4 }]);
    assert.deepEqual(results.map((x) => x.status), ['stored', 'duplicate']);
    assert.equal((await store.get('labels', r.id))?.feedback?.value, 3.5);
  });
});

describe('pruning', () => {
  it('deletes a backlog a few segments at a time and reports how many predictions went', async () => {
    const store = await SqliteStore.open(join(dir, 'backlog.db'));
    try {
      const now = Date.now();
      await appendMany(store, 'm', 2 * PRUNE_BATCH + 7, (i) => now - 60 * DAY + i);
      const fresh = await appendMany(store, 'm', 3, (i) => now - 10 + i);
      assert.equal(await store.prune({ maxAgeDays: 30 }), 2 * PRUNE_BATCH + 7);
      assert.deepEqual((await store.query({ model: 'm', limit: 100 })).items.map((p) => p.id), fresh.map((r) => r.id));
      assert.equal(await store.prune({ maxAgeDays: 30 }), 0);
    } finally {
      await store.close();
    }
  });

  it('keeps exactly the newest maxRows when finding them takes more than one step of the walk', { timeout: 120_000 }, async () => {
    const store = await SqliteStore.open(join(dir, 'walk.db'));
    try {
      const t0 = Date.now() - DAY;
      // 60,000 rows in 3,000 segments of 20: the edge at 55,000 is found in two steps of the walk (2,000 + 750 segments).
      const all = await appendMany(store, 'w', 60_000, (i) => t0 + i, 20);
      assert.equal(await store.prune({ maxRows: 55_000 }), 5_000);
      const first = await store.query({ model: 'w', limit: 1 });
      assert.equal(first.items[0]?.id, all[5_000]!.id);
      assert.equal(await store.prune({ maxRows: 55_000 }), 0);
      assert.equal(await store.prune({ maxRows: 100_000 }), 0);
    } finally {
      await store.close();
    }
  });

  it('stops after the batch in progress when the store closes, without an error', async () => {
    const file = join(dir, 'closing.db');
    const store = await SqliteStore.open(file);
    // 5 × PRUNE_BATCH segments of 10 predictions.
    await appendMany(store, 'c', 50 * PRUNE_BATCH, (i) => Date.now() - 60 * DAY + i, 10);
    const pruning = store.prune({ maxAgeDays: 1 });
    await store.close();
    // The first step (PRUNE_BATCH segments) ran before prune() returned its promise; the close came before the second.
    assert.equal(await pruning, 10 * PRUNE_BATCH);
    await assert.rejects(store.prune({ maxAgeDays: 1 }), (e: Error & { code?: string }) => e.code === 'PONTE_SHUTTING_DOWN');
    const reopened = await SqliteStore.open(file);
    try {
      assert.equal(await reopened.prune({ maxAgeDays: 1 }), 40 * PRUNE_BATCH);
    } finally {
      await reopened.close();
    }
  });
});
