/**
 * Two Ponte servers (two processes, as two replicas would be) sharing one
 * PostgreSQL prediction log both log every prediction exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { segmentIds } from '@ponte/core';
import { EXAMPLE_MODELS } from '@ponte/http/testing';
import { startServe } from './cli-process.js';
import { POSTGRES_URL, postgresReachable } from './support/postgres.js';

const URL = POSTGRES_URL;

const available = await postgresReachable();

test('two servers sharing one PostgreSQL log every prediction exactly once', { skip: available ? false : `PostgreSQL is not reachable at ${URL.replace(/:[^:@/]+@/, ':***@')}` }, async (t) => {
  const schema = `ponte_test_${Math.random().toString(36).slice(2, 10)}`;
  const dir = mkdtempSync(join(tmpdir(), 'ponte-log-pg-'));
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0 }
logging: { level: info }
plugins: ['@ponte/onnx', { package: '@ponte/store-postgres', options: { connectionString: ${JSON.stringify(URL)}, schema: ${schema} } }]
repository: ${JSON.stringify(EXAMPLE_MODELS)}
models: [{ name: wide_mlp, required: false, versionPolicy: { specific: [99] } }]
`);
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  const [a, b] = await Promise.all([startServe(['--config', file], 'server ready', { PONTE_SINGLE_THREADED_GC: '0' }), startServe(['--config', file], 'server ready', { PONTE_SINGLE_THREADED_GC: '0' })]);
  t.after(async () => {
    for (const s of [a, b]) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });
  const ids: string[] = [];
  const send = async (url: string): Promise<void> => {
    const res = await fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', body: JSON.stringify({ instances: [[39, 52.7, 0, 3.26, 3, 365, 0, 0]] }) });
    assert.equal(res.status, 200);
    ids.push(res.headers.get('x-prediction-id')!);
  };
  for (let i = 0; i < 10; i++) await Promise.all([...Array.from({ length: 5 }, () => send(a.url)), ...Array.from({ length: 5 }, () => send(b.url))]);
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0]);
  const { rows } = await admin.query<{ body: Buffer }>(`SELECT body FROM "${schema}".prediction_segments`);
  const stored = rows.flatMap((r) => segmentIds(r.body));
  assert.equal(stored.length, 100);
  assert.deepEqual(new Set(stored), new Set(ids));
});
