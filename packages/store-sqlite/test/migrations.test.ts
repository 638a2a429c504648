import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { uuidV7, type StoredPrediction } from '@ponte/core';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, SqliteStore, migrate, schemaVersion } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function indexes(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

const SEGMENT_INDEXES = ['documents_time', 'feedback_segment', 'segments_model_id', 'segments_model_time', 'segments_model_version_time', 'segments_time'];

describe('schema migrations', () => {
  it('a new file gets every migration, in order, recorded in schema_version', async () => {
    const file = join(dir, 'new.db');
    await (await SqliteStore.open(file)).close();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
      const rows = db.prepare('SELECT version, description FROM schema_version ORDER BY version').all() as { version: number; description: string }[];
      assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(indexes(db), SEGMENT_INDEXES);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      assert.deepEqual(tables, ['documents', 'feedback', 'leases', 'prediction_segments', 'schema_version']);
      assert.equal(db.pragma('page_size', { simple: true }), 16_384, 'a segment spans few pages');
    } finally {
      db.close();
    }
    assert.equal(integrity(file), 'ok');
  });

  it('a file left at version 1 is upgraded to the latest when a store opens it, its records kept', async () => {
    const file = join(dir, 'v1.db');
    const id = uuidV7();
    const v1 = new Database(file);
    try {
      assert.deepEqual(migrate(v1, MIGRATIONS.slice(0, 1)), { from: 0, to: 1, applied: [1] });
      assert.deepEqual(indexes(v1), ['predictions_model_time']);
      // A record written by the version-1 code, straight in SQL: the upgrade must not care how it got there.
      v1.prepare(`INSERT INTO predictions (id, time, model, version, request_id, principal, protocol, endpoint, outputs, latency_ms)
                  VALUES (?, ?, 'purchase', '1', 'req-v1', 'anonymous', 'rest', 'predict', '[]', 2)`).run(id, Date.now());
    } finally {
      v1.close();
    }

    const store = await SqliteStore.open(file);
    try {
      assert.equal((await store.get('purchase', id))?.requestId, 'req-v1');
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
      assert.deepEqual((db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(indexes(db), SEGMENT_INDEXES);
      assert.equal(db.pragma('page_size', { simple: true }), 4096, 'an existing file keeps its page size');
    } finally {
      db.close();
    }
    assert.equal(integrity(file), 'ok');
  });

  it('a file left at version 3 (before documents and leases) gets both tables, its log kept, and they work at once', async () => {
    const file = join(dir, 'v3.db');
    const id = uuidV7();
    const v3 = new Database(file);
    try {
      assert.deepEqual(migrate(v3, MIGRATIONS.filter((m) => m.version <= 3)), { from: 0, to: 3, applied: [1, 2, 3] });
      v3.prepare(`INSERT INTO predictions (id, time, model, version, request_id, principal, protocol, endpoint, outputs, latency_ms)
                  VALUES (?, ?, 'purchase', '1', 'req-v3', 'anonymous', 'rest', 'predict', '[]', 2)`).run(id, Date.now());
      assert.equal(v3.prepare("SELECT 1 FROM sqlite_master WHERE name IN ('documents', 'leases')").get(), undefined);
    } finally {
      v3.close();
    }
    const store = await SqliteStore.open(file);
    try {
      assert.equal((await store.get('purchase', id))?.requestId, 'req-v3');
      await store.putDocuments([{ kind: 'cursor', key: 'purchase', body: { upTo: 1 }, time: 1 }]);
      assert.deepEqual((await store.getDocument('cursor', 'purchase'))?.body, { upTo: 1 });
      assert.equal(await store.acquireLease('job', 'me', 1000), true);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      assert.deepEqual((db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version), MIGRATIONS.map((m) => m.version));
    } finally {
      db.close();
    }
    assert.equal(integrity(file), 'ok');
  });

  it('a file left at version 4 (a row per prediction) is re-encoded into segments: every record, field and label kept', async () => {
    const file = join(dir, 'v4.db');
    const t0 = Date.UTC(2026, 2, 1);
    const records: StoredPrediction[] = Array.from({ length: 700 }, (_, i) => ({
      id: uuidV7(t0 + i * 100), time: t0 + i * 100, model: i % 7 === 0 ? 'house' : 'purchase', version: i % 2 === 0 ? '1' : '2', requestId: `req-${i}`,
      ...(i % 3 === 0 ? { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } : {}), principal: i % 5 === 0 ? 'svc ☃' : 'anonymous', protocol: 'rest', endpoint: 'infer',
      ...(i % 11 === 0 ? { inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [1, 2], data: [i, 0.1] }] } : { features: [{ age: 20 + (i % 50), income: 52.7, plan: i % 4 === 0 ? 'gold' : 'basic' }] }),
      outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [i % 2] }], latencyMs: 1.234,
    }));
    const v4 = new Database(file);
    try {
      migrate(v4, MIGRATIONS.filter((m) => m.version <= 4));
      // Rows as the version-4 code wrote them.
      const insert = v4.prepare('INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of records) {
        insert.run(r.id, r.time, r.model, r.version, r.requestId, r.traceId ?? null, r.principal, r.protocol, r.endpoint,
          r.features === undefined ? null : JSON.stringify(r.features), r.inputs === undefined ? null : JSON.stringify(r.inputs), JSON.stringify(r.outputs), r.latencyMs);
      }
      const label = v4.prepare('INSERT INTO feedback (prediction_id, model, label, value, time) VALUES (?, ?, ?, ?, ?)');
      for (const r of records.filter((_, i) => i % 10 === 1)) label.run(r.id, r.model, JSON.stringify('yes'), null, t0 + 5);
    } finally {
      v4.close();
    }
    const store = await SqliteStore.open(file);
    try {
      for (const model of ['purchase', 'house']) {
        const mine = records.filter((r) => r.model === model);
        const page = await store.query({ model, limit: 1000 });
        assert.equal(page.items.length, mine.length);
        for (const [i, r] of mine.entries()) {
          const { feedback, ...read } = page.items[i]!;
          assert.deepEqual(read, r);
          assert.equal(feedback?.label, records.indexOf(r) % 10 === 1 ? 'yes' : undefined);
        }
      }
      assert.deepEqual((await store.get('purchase', records[1]!.id))?.feedback, { id: records[1]!.id, label: 'yes', time: t0 + 5 });
      assert.deepEqual(await store.appendFeedback('purchase', [{ id: records[1]!.id, label: 'no' }]), [{ id: records[1]!.id, status: 'duplicate' }]);
    } finally {
      await store.close();
    }
    assert.equal(integrity(file), 'ok');
  });

  it('opening an up-to-date file again changes nothing', async () => {
    const file = join(dir, 'twice.db');
    await (await SqliteStore.open(file)).close();
    const read = (): unknown[] => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT * FROM schema_version ORDER BY version').all();
      } finally {
        db.close();
      }
    };
    const before = read();
    await (await SqliteStore.open(file)).close();
    assert.deepEqual(read(), before);
    const db = new Database(file);
    try {
      assert.deepEqual(migrate(db), { from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    } finally {
      db.close();
    }
    assert.equal(integrity(file), 'ok');
  });

  it('a file from a newer version of the package is refused, not half understood', async () => {
    const file = join(dir, 'future.db');
    await (await SqliteStore.open(file)).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version (version, applied_at, description) VALUES (?, 0, 'from the future')").run(LATEST_SCHEMA_VERSION + 1);
    db.close();
    await assert.rejects(SqliteStore.open(file), new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1} is newer than this @ponte/store-sqlite knows \\(${LATEST_SCHEMA_VERSION}\\)`));
  });

  it('a failing migration leaves the file as it was', () => {
    const file = join(dir, 'failing.db');
    const db = new Database(file);
    try {
      const broken = [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE INDEX x ON no_such_table (a);' }];
      assert.throws(() => migrate(db, broken), /no such table/);
      assert.equal(schemaVersion(db), 0);
      assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), []);
    } finally {
      db.close();
    }
  });
});
