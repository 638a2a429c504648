/**
 * Two replicas, one view: two `ponte serve` processes share one prediction
 * log (PostgreSQL, or one SQLite file) and monitor the same model. Traffic is
 * spread over both; whichever holds the store's lease closes the windows, and
 * either answers the same report — every row counted once, no window twice.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import type { MonitoringReport } from '../src/index.js';
import { eventually, purchaseRepository, readPurchaseCsv, type PurchaseRow } from './monitor-support.js';
import { startServe, type ServeProcess } from './serve-process.js';

const DATABASE_URL = process.env['PONTE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const WINDOW = 500;

async function postgresSkip(): Promise<string | false> {
  const c = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return false;
  } catch (e) {
    return `PostgreSQL does not answer (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  c.on('error', () => undefined);
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Sends row i to `urls[i % urls.length]`, a few requests at a time. */
async function spread(urls: readonly string[], rows: readonly PurchaseRow[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const i = next++;
      const { purchased: _label, ...features } = rows[i]!;
      const res = await fetch(`${urls[i % urls.length]}/v1/models/purchase:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [features] }) });
      assert.equal(res.status, 200, await res.clone().text());
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function report(url: string): Promise<MonitoringReport> {
  const res = await fetch(`${url}/v2/models/purchase/monitoring?limit=100`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as MonitoringReport;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The scenario, for any store both processes can share. */
async function twoReplicas(storePlugin: (dir: string) => string, cleanup: () => Promise<void>): Promise<void> {
  const repo = await purchaseRepository();
  const config = join(repo.dir, 'ponte.yaml');
  writeFileSync(config, `version: 1
server: { host: 127.0.0.1, port: 0, shutdownTimeoutMs: 10000 }
logging: { level: info, requests: false }
plugins:
  - '@ponte/onnx'
  - ${storePlugin(repo.dir)}
  - { package: '@ponte/monitor', options: { tickSeconds: 0.2, lagSeconds: 1, performanceEverySeconds: 0.5 } }
repository: ${JSON.stringify(repo.repository)}
models:
  - name: purchase
    monitoring: { window: { rows: ${WINDOW} }, alerts: [{ when: drift, windows: 1, severity: warning }] }
`);
  const replicas: ServeProcess[] = [];
  try {
    replicas.push(...(await Promise.all([startServe(config), startServe(config)])));
    const [a, b] = replicas as [ServeProcess, ServeProcess];
    const holdout = readPurchaseCsv('holdout');
    assert.equal(holdout.length, 2000);
    await spread([a.url, b.url], holdout);

    const settled = await eventually('four windows of 500 rows', async () => {
      const r = await report(a.url);
      return r.windows.length >= 4 ? r : undefined;
    });
    // A few more ticks of both replicas: nothing more may appear (no row read twice, no window closed twice).
    await sleep(2500);
    const fromA = await report(a.url);
    const fromB = await report(b.url);
    assert.deepEqual(fromA.windows.map((w) => [w.seq, w.rows]), [[1, WINDOW], [2, WINDOW], [3, WINDOW], [4, WINDOW]]);
    assert.equal(fromA.windows.reduce((s, w) => s + w.rows, 0), holdout.length);
    assert.deepEqual(fromA.windows, settled.windows);
    assert.deepEqual(fromB, fromA, 'both replicas answer the same report');
    // Consecutive windows follow one another in the log: each starts after the last one ended.
    for (let i = 1; i < fromA.windows.length; i++) {
      const prev = fromA.windows[i - 1]!.last;
      const first = fromA.windows[i]!.first;
      assert.ok(first.time > prev.time || (first.time === prev.time && first.id > prev.id), `window ${i + 1} starts after window ${i} ends`);
    }

    // The lease holder leaves (SIGTERM releases the lease); the other replica carries on from the same cursor.
    const holder = /"msg":"monitoring window closed"/.test(a.logs()) ? a : b;
    const other = holder === a ? b : a;
    holder.child.kill('SIGTERM');
    assert.equal(await holder.exited, 0, holder.logs().slice(-2000));
    await spread([other.url], holdout.slice(0, WINDOW));
    const after = await eventually('a fifth window closed by the remaining replica', async () => {
      const r = await report(other.url);
      return r.windows.length >= 5 ? r : undefined;
    });
    await sleep(1500);
    const final = await report(other.url);
    assert.deepEqual(final.windows.map((w) => [w.seq, w.rows]), [[1, WINDOW], [2, WINDOW], [3, WINDOW], [4, WINDOW], [5, WINDOW]]);
    assert.deepEqual(final.windows.slice(0, 4), fromA.windows);
    assert.equal(after.windows[4]!.seq, 5);
    assert.match(other.logs(), /"window":5[,}][^\n]*"msg":"monitoring window closed"/, 'the remaining replica closed window 5');
  } finally {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await cleanup();
    repo.cleanup();
  }
}

describe('two replicas monitoring one model through a shared prediction log', () => {
  it('PostgreSQL: rows sent alternately to both add up to exactly four windows of 500, the same from either replica, and the survivor carries on', async (t) => {
    const skip = await postgresSkip();
    if (skip !== false) {
      t.skip(skip);
      return;
    }
    const schema = `ponte_test_monitor_${Math.random().toString(36).slice(2, 10)}`;
    await twoReplicas(
      () => `{ package: '@ponte/store-postgres', options: { connectionString: ${JSON.stringify(DATABASE_URL)}, schema: ${schema} } }`,
      () => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
    );
  });

  it('SQLite: two processes on one database file count every row once too', async () => {
    await twoReplicas((dir) => `{ package: '@ponte/store-sqlite', options: { file: ${JSON.stringify(join(dir, 'ponte.db'))} } }`, async () => undefined);
  });
});
