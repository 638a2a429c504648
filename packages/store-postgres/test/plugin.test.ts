import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createLogger, loadConfigObject, PonteServer, resolveToken, Tokens } from '@ponte/core';
import { EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '@ponte/http/testing';
import { PostgresStore } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, skip, sql } from '../test-support/postgres.js';
import { purchaseRecord } from '../test-support/records.js';

const DAY = 86_400_000;

function config(options: Record<string, unknown>): Record<string, unknown> {
  return { plugins: ['@ponte/onnx', { package: '@ponte/store-postgres', options }], repository: EXAMPLE_MODELS };
}

describe('@ponte/store-postgres in a server', { skip }, () => {
  const schemas: string[] = [];
  const schemaForTest = (): string => {
    const s = freshSchema();
    schemas.push(s);
    return s;
  };
  after(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('a server configured with the store starts, creates its tables, and the store it provides appends and reads', async () => {
    const schema = schemaForTest();
    const server = await startTestServer({ config: config({ connectionString: DATABASE_URL, schema }) });
    try {
      const tables = await sql<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema]);
      assert.deepEqual(tables.map((t) => t.tablename), ['documents', 'feedback', 'leases', 'prediction_segments', 'predictions', 'schema_version', 'segment_feedback']);
      const store = resolveToken(server.container, Tokens.PredictionStore);
      assert.equal(store.name, 'postgres');
      const record = purchaseRecord();
      await store.append([record]);
      assert.deepEqual(await store.get('purchase', record.id), record);
      assert.deepEqual(await store.appendFeedback('purchase', [{ id: record.id, label: 'yes' }]), [{ id: record.id, status: 'stored' }]);
      assert.deepEqual((await store.query({ model: 'purchase', limit: 10 })).items.map((p) => [p.id, p.feedback?.label]), [[record.id, 'yes']]);
      // Documents and leases go through the provided store too, as the model monitor uses them.
      await store.putDocuments([{ kind: 'monitor-cursor', key: 'purchase', body: { closedUpTo: record.time }, time: record.time }]);
      assert.deepEqual((await store.listDocuments({ kind: 'monitor-cursor', limit: 10 })).map((d) => d.body), [{ closedUpTo: record.time }]);
      assert.equal(await store.acquireLease('monitor', 'replica-1', 30_000), true);
      assert.equal(await store.acquireLease('monitor', 'replica-2', 30_000), false);
    } finally {
      await server.stop();
    }
  });

  it('a database that cannot be reached fails the start, with a message naming the target but not the password', async () => {
    const password = 'Sup3r-s3cret-pw';
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const unreachable = `postgres://ponte:${password}@127.0.0.1:1/test`;
    const failure = await startTestServer({ config: config({ connectionString: unreachable, schema: 'ponte' }) }).then(
      () => assert.fail('the server started without its database'),
      (e: unknown) => e,
    );
    assert.ok(failure instanceof Error);
    assert.match(failure.message, /@ponte\/store-postgres/);
    assert.match(failure.message, /cannot open the prediction log in PostgreSQL at postgres:\/\/ponte:\*\*\*@127\.0\.0\.1:1\/test \(schema "ponte"\): .*ECONNREFUSED/);
    // Not in the message, nor anywhere in the error and its causes as a log line would print them.
    assert.ok(!inspect(failure, { depth: 10 }).includes(password), inspect(failure, { depth: 10 }));
    assert.ok(!JSON.stringify(failure, Object.getOwnPropertyNames(failure)).includes(password));
  });

  it('the store rejects calls before the server starts and after it stops, saying why', async () => {
    const schema = schemaForTest();
    const loaded = loadConfigObject({ version: 1, server: { host: '127.0.0.1', port: 0 }, logging: { level: 'silent' }, ...config({ connectionString: DATABASE_URL, schema }) }, REPO_ROOT);
    const server = await PonteServer.create(loaded, { logger: createLogger('silent') });
    const store = resolveToken(server.container, Tokens.PredictionStore);
    await assert.rejects(store.append([purchaseRecord()]), /@ponte\/store-postgres: the prediction store is not started/);
    await server.start();
    try {
      await store.append([purchaseRecord()]);
    } finally {
      await server.stop();
    }
    await assert.rejects(store.query({ model: 'purchase', limit: 1 }), /not started/);
    await server.stop(); // stopping twice is harmless
  });

  it('with a retention policy, the server prunes in the background: old predictions go, recent ones stay', async () => {
    const schema = schemaForTest();
    const seed = await PostgresStore.open({ connectionString: DATABASE_URL, schema });
    const old = Array.from({ length: 30 }, (_, i) => purchaseRecord(Date.now() - 40 * DAY + i));
    const recent = Array.from({ length: 5 }, () => purchaseRecord());
    await seed.append([...old, ...recent]);
    await seed.close();
    const count = async (): Promise<number> => Number((await sql<{ n: string }>(`SELECT coalesce(sum(count), 0) AS n FROM ${pg.escapeIdentifier(schema)}.prediction_segments`))[0]!.n);
    const server = await startTestServer({ config: config({ connectionString: DATABASE_URL, schema, retention: { maxAgeDays: 30 }, pruneIntervalSeconds: 3600 }) });
    try {
      // The first prune runs right after start; the interval is an hour, so this is that one.
      const deadline = Date.now() + 60_000;
      while ((await count()) > recent.length && Date.now() < deadline) await sleep(50);
      assert.equal(await count(), recent.length);
    } finally {
      await server.stop();
    }
  });
});
