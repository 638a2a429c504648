/**
 * The prediction log under the conditions a deployment meets: several server
 * processes writing one SQLite file, and a `kill -9` in the middle of a load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeSegment, type StoredPrediction } from '@ponte/core';
import { EXAMPLE_MODELS } from '@ponte/http/testing';
import { startServe } from './cli-process.js';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

function setup(processes: number): { dir: string; db: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-log-proc-'));
  const db = join(dir, 'ponte.db');
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0, processes: ${processes}, shutdownTimeoutMs: 20000 }
logging: { level: info }
plugins: ['@ponte/onnx', { package: '@ponte/store-sqlite', options: { file: ${JSON.stringify(db)} } }]
repository: ${JSON.stringify(EXAMPLE_MODELS)}
models: [{ name: wide_mlp, required: false, versionPolicy: { specific: [99] } }]
`);
  return { dir, db, file };
}

/** Every prediction in the file, read from its segments as they are on disk. */
function storedRecords(sqlite: Database.Database): StoredPrediction[] {
  return (sqlite.prepare('SELECT body FROM prediction_segments').all() as Array<{ body: Uint8Array }>).flatMap((r) => decodeSegment(r.body));
}

async function predict(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', headers, body: JSON.stringify({ instances: [ROW] }) });
  assert.equal(res.status, 200);
  const id = res.headers.get('x-prediction-id');
  assert.ok(id !== null);
  return id;
}

test('two server processes sharing one SQLite file log every prediction exactly once', async (t) => {
  const { dir, db, file } = setup(2);
  const { child, url, exited } = await startServe(['--config', file], 'all server processes ready');
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
  const ids: string[] = [];
  // A new connection per request, so the kernel spreads them over both processes; a few at a time.
  for (let i = 0; i < 20; i++) ids.push(...(await Promise.all(Array.from({ length: 10 }, () => predict(url, { Connection: 'close' })))));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const sqlite = new Database(db, { readonly: true });
  try {
    const stored = storedRecords(sqlite);
    assert.equal(stored.length, 200);
    assert.deepEqual(new Set(stored.map((r) => r.id)), new Set(ids));
    assert.equal(new Set(stored.map((r) => r.requestId)).size, 200);
  } finally {
    sqlite.close();
  }
});

test('a kill -9 in the middle of a load loses at most the last moments, and the file stays intact', async (t) => {
  const { dir, db, file } = setup(1);
  // One process (no relaunch for single-threaded GC), so SIGKILL reaches the server itself.
  const { child, url, exited } = await startServe(['--config', file], 'server ready', { PONTE_SINGLE_THREADED_GC: '0' });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });
  const received: Array<{ id: string; at: number }> = [];
  const killAfter = 300 + Math.floor(Math.random() * 1500);
  let stop = false;
  const workers = Array.from({ length: 8 }, async () => {
    while (!stop && received.length < 2000) {
      try {
        received.push({ id: await predict(url), at: performance.now() });
      } catch {
        return; // the server is gone
      }
    }
  });
  while (received.length < killAfter && received.length < 2000) await new Promise((r) => setTimeout(r, 5));
  const killedAt = performance.now();
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await exited;
  const sqlite = new Database(db, { readonly: true });
  try {
    assert.equal((sqlite.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    const stored = new Set(storedRecords(sqlite).map((r) => r.id));
    // Records are written within a turn of the event loop of their answer; a second is a wide margin on a busy machine.
    const settled = received.filter((r) => r.at < killedAt - 1000);
    const missing = settled.filter((r) => !stored.has(r.id));
    assert.deepEqual(missing, [], `${missing.length} of ${settled.length} settled predictions are missing`);
    assert.ok(stored.size <= received.length + 8, 'nothing was stored that no client was answered for (but the requests in flight)');
  } finally {
    sqlite.close();
  }
});
