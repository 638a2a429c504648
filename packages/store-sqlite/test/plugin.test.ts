import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger, loadConfigObject, PonteServer, resolveToken, Tokens, uuidV7, type StoredPrediction } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { LATEST_SCHEMA_VERSION, SqliteStore, schemaVersion } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-plugin-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

function record(time: number, n: number): StoredPrediction {
  return {
    id: uuidV7(time), time, model: 'purchase', version: '1', requestId: `req-${n}`, principal: 'anonymous', protocol: 'rest', endpoint: 'predict',
    features: [{ age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 }],
    outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [0] }, { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.9, 0.1] }],
    latencyMs: 0.8,
  };
}

function storeEntry(options: Record<string, unknown>): Record<string, unknown> {
  return { plugins: ['@ponte/onnx', { package: '@ponte/store-sqlite', options }], repository: EXAMPLE_MODELS };
}

describe('the @ponte/store-sqlite plugin in a server', () => {
  it('creates its file (and folder) relative to the config folder, migrated, and serves as the prediction store', async () => {
    const baseDir = mkdtempSync(join(dir, 'relative-'));
    const server = await startTestServer({ config: storeEntry({ file: 'logs/nested/ponte.db' }), baseDir });
    const file = join(baseDir, 'logs', 'nested', 'ponte.db');
    try {
      assert.ok(existsSync(file), `${file} exists`);
      const db = new Database(file, { readonly: true });
      try {
        assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        db.close();
      }
      const store = resolveToken(server.container, Tokens.PredictionStore);
      assert.equal(store.name, 'sqlite');
      const r = record(Date.now(), 1);
      await store.append([r]);
      assert.deepEqual(await store.get('purchase', r.id), r);
      assert.deepEqual(await store.appendFeedback('purchase', [{ id: r.id, label: 1 }]), [{ id: r.id, status: 'stored' }]);
      assert.equal((await store.query({ model: 'purchase', limit: 10 })).items[0]?.feedback?.label, 1);
      // Documents and leases go through the provided store too, as the model monitor uses them.
      await store.putDocuments([{ kind: 'monitor-cursor', key: 'purchase', body: { closedUpTo: r.time }, time: r.time }]);
      assert.deepEqual((await store.getDocument('monitor-cursor', 'purchase'))?.body, { closedUpTo: r.time });
      assert.equal((await store.listDocuments({ kind: 'monitor-cursor', limit: 10 })).length, 1);
      assert.equal(await store.acquireLease('monitor', 'process-1', 30_000), true);
      assert.equal(await store.acquireLease('monitor', 'process-2', 30_000), false);
      await store.releaseLease('monitor', 'process-1');
      assert.equal(await store.acquireLease('monitor', 'process-2', 30_000), true);
    } finally {
      await server.stop();
    }
    // Closed on stop: the WAL was checkpointed into the file and removed.
    assert.equal(existsSync(`${file}-wal`), false);
  });

  it('without options, keeps the log in ./data/ponte.db of the config folder', async () => {
    const baseDir = mkdtempSync(join(dir, 'default-'));
    const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/store-sqlite'], repository: EXAMPLE_MODELS }, baseDir });
    try {
      assert.ok(existsSync(join(baseDir, 'data', 'ponte.db')));
    } finally {
      await server.stop();
    }
  });

  it('prunes what its retention no longer keeps as soon as it starts, labels included', async () => {
    const file = join(dir, 'retention.db');
    const now = Date.now();
    const old = [record(now - 40 * DAY, 1), record(now - 35 * DAY, 2)];
    const fresh = [record(now - 1000, 3), record(now - 500, 4), record(now, 5)];
    const seed = await SqliteStore.open(file);
    await seed.append([...old, ...fresh]);
    await seed.appendFeedback('purchase', [{ id: old[0]!.id, label: 1 }]);
    await seed.close();

    const server = await startTestServer({ config: storeEntry({ file, retention: { maxAgeDays: 30, maxRows: 2 } }) });
    try {
      const store = resolveToken(server.container, Tokens.PredictionStore);
      // The first prune runs at start, off the start path: wait for it with a wide margin.
      const deadline = Date.now() + 30_000;
      let kept = (await store.query({ model: 'purchase', limit: 10 })).items;
      while (kept.length > 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        kept = (await store.query({ model: 'purchase', limit: 10 })).items;
      }
      assert.deepEqual(kept.map((p) => p.requestId), ['req-4', 'req-5']);
    } finally {
      await server.stop();
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT count(*) AS n FROM feedback').get(), { n: 0 });
    } finally {
      db.close();
    }
  });

  it('refuses an unknown option with a config error naming its path', async () => {
    await assert.rejects(startTestServer({ config: storeEntry({ file: join(dir, 'bad.db'), retention: { maxAgeDay: 30 } }) }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PONTE_CONFIG_INVALID');
      assert.match(e.message, /plugins\[1\]\.options\.retention\.maxAgeDay: unknown key/);
      return true;
    });
    await assert.rejects(startTestServer({ config: storeEntry({ file: join(dir, 'bad.db'), busyTimeoutMs: -1 }) }), /plugins\[1\]\.options\.busyTimeoutMs: must be >= 0/);
    assert.equal(existsSync(join(dir, 'bad.db')), false);
  });

  it('a file it cannot use stops the server from starting, with the plugin and the reason named', async () => {
    const file = join(dir, 'future.db');
    await (await SqliteStore.open(file)).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version (version, applied_at, description) VALUES (?, 0, 'from a newer package')").run(LATEST_SCHEMA_VERSION + 1);
    db.close();
    await assert.rejects(startTestServer({ config: storeEntry({ file }) }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PONTE_PLUGIN_FAILED');
      assert.match(e.message, /@ponte\/store-sqlite.*failed in start.*schema version \d+ is newer/);
      return true;
    });
  });

  it('logs a prune that fails (the file locked by another process) and keeps serving', async () => {
    const file = join(dir, 'locked.db');
    const seed = await SqliteStore.open(file);
    await seed.append([record(Date.now() - 40 * DAY, 1)]);
    await seed.close();
    // Another process in the middle of a long write: it holds the write lock until it rolls back.
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => { lines.push(line); } });
    const loaded = loadConfigObject({ version: 1, server: { host: '127.0.0.1', port: 0 }, ...storeEntry({ file, busyTimeoutMs: 0, retention: { maxAgeDays: 30 } }) }, dir);
    const server = await PonteServer.create(loaded, { logger });
    try {
      await server.start();
      const deadline = Date.now() + 30_000;
      while (!lines.some((l) => l.includes('pruning the prediction log failed')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const failure = lines.find((l) => l.includes('pruning the prediction log failed'));
      assert.ok(failure !== undefined, `no prune failure logged; lines: ${lines.join('')}`);
      assert.match(failure, /"plugin":"@ponte\/store-sqlite"/);
      assert.match(failure, /"code":"SQLITE_BUSY"/);
      other.exec('ROLLBACK');
      const store = resolveToken(server.container, Tokens.PredictionStore);
      await store.append([record(Date.now(), 2)]);
      assert.equal((await store.query({ model: 'purchase', limit: 10 })).items.length, 2);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await server.stop();
    }
  });

  it('answers a call made before the server started, or after it stopped, with an error that says so', async () => {
    const file = join(dir, 'lifecycle.db');
    const loaded = loadConfigObject({ version: 1, server: { host: '127.0.0.1', port: 0 }, ...storeEntry({ file }) }, dir);
    const server = await PonteServer.create(loaded, { logger: createLogger('silent') });
    const store = resolveToken(server.container, Tokens.PredictionStore);
    await assert.rejects(store.query({ model: 'purchase', limit: 1 }), /used before the server started it/);
    await server.start();
    await store.append([record(Date.now(), 1)]);
    await server.stop();
    await assert.rejects(store.append([record(Date.now(), 2)]), (e: Error & { code?: string }) => e.code === 'PONTE_SHUTTING_DOWN' && /stopped/.test(e.message));
    const reopened = await SqliteStore.open(file);
    try {
      assert.deepEqual((await reopened.query({ model: 'purchase', limit: 10 })).items.map((p) => p.requestId), ['req-1']);
    } finally {
      await reopened.close();
    }
  });
});
