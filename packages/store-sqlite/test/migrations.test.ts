import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { uuidV7 } from '@ponte/core';
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

describe('schema migrations', () => {
  it('a new file gets every migration, in order, recorded in schema_version', async () => {
    const file = join(dir, 'new.db');
    await (await SqliteStore.open(file)).close();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
      const rows = db.prepare('SELECT version, description FROM schema_version ORDER BY version').all() as { version: number; description: string }[];
      assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(indexes(db), ['documents_time', 'predictions_model_time', 'predictions_model_version_time', 'predictions_time']);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      assert.deepEqual(tables, ['documents', 'feedback', 'leases', 'predictions', 'schema_version']);
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
      assert.deepEqual(indexes(db), ['documents_time', 'predictions_model_time', 'predictions_model_version_time', 'predictions_time']);
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
      assert.deepEqual((db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]).map((r) => r.version), [1, 2, 3, 4]);
    } finally {
      db.close();
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
