// Measures the SQLite prediction log on this machine, for docs/persistence.md:
// bytes per record on disk, append throughput in batches of 256 (the prediction log's batch size),
// the time one batch holds the event loop, and what synchronous=FULL costs against NORMAL.
// Run after a build: node packages/store-sqlite/scripts/measure.mjs
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { uuidV7 } from '@ponte/core';
import { SqliteStore } from '../dist/src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-measure-'));
const f32 = Math.fround;
const BATCH = 256;

// A purchase record as core's prediction log writes it: 8 named features (FP32 values as JSON
// doubles), the label (INT64 [1]) and the probabilities (FP32 [1, 2]), a request id, no trace id.
function purchase(n) {
  const p = f32(Math.random());
  return {
    id: uuidV7(), time: Date.now(), model: 'purchase', version: '1', requestId: crypto.randomUUID(),
    principal: 'anonymous', protocol: 'rest', endpoint: 'predict',
    features: [{
      age: 18 + (n % 60), income: f32(20 + Math.random() * 120), visits_last_30d: n % 15,
      avg_session_minutes: f32(Math.random() * 12), pages_viewed: n % 40, days_since_last_purchase: n % 366,
      cart_items: n % 6, is_returning: n % 2,
    }],
    outputs: [
      { name: 'label', datatype: 'INT64', shape: [1], data: [p > 0.5 ? 1 : 0] },
      { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [f32(1 - p), p] },
    ],
    latencyMs: Math.round(Math.random() * 3000) / 1000,
  };
}

function batches(total) {
  const out = [];
  for (let i = 0; i < total; i += BATCH) out.push(Array.from({ length: Math.min(BATCH, total - i) }, (_, j) => purchase(i + j)));
  return out;
}

function pct(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function throughput(file, total) {
  const work = batches(total);
  const store = await SqliteStore.open(file);
  const times = [];
  const t0 = performance.now();
  for (const b of work) {
    const s = performance.now();
    await store.append(b);
    times.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  times.sort((a, b) => a - b);
  return { recordsPerSecond: Math.round(total / seconds), batchMsMedian: +pct(times, 0.5).toFixed(2), batchMsP99: +pct(times, 0.99).toFixed(2) };
}

async function syncThroughput(file, total, synchronous, batch = BATCH) {
  const store = await SqliteStore.open(file, { synchronous: synchronous.toLowerCase() });
  const work = batch === BATCH ? batches(total) : Array.from({ length: total }, (_, i) => [purchase(i)]);
  const times = [];
  const t0 = performance.now();
  for (const b of work) {
    const s = performance.now();
    await store.append(b);
    times.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  times.sort((a, b) => a - b);
  return { synchronous, batch, recordsPerSecond: Math.round(total / seconds), batchMsMedian: +pct(times, 0.5).toFixed(3), batchMsP99: +pct(times, 0.99).toFixed(3) };
}

try {
  // Bytes per record: 10,000 records, closed (WAL checkpointed into the file and removed).
  const sizeFile = join(dir, 'size.db');
  const store = await SqliteStore.open(sizeFile);
  const sample = purchase(1);
  for (const b of batches(10_000)) await store.append(b);
  await store.close();
  const bytes = statSync(sizeFile).size;
  const db = new Database(sizeFile, { readonly: true });
  const perObject = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
  const segments = db.prepare('SELECT count(*) AS segments, sum(length(body)) * 1.0 / sum(count) AS bodyBytesPerRecord FROM prediction_segments').get();
  db.close();
  console.log(JSON.stringify({ sample }, null, 0));
  console.log({ records: 10_000, fileBytes: bytes, bytesPerRecord: Math.round(bytes / 10_000), perObjectBytesPerRecord: Object.fromEntries(perObject.map((o) => [o.name, Math.round(o.bytes / 10_000)])), segments: segments.segments, encodedBytesPerRecord: Math.round(segments.bodyBytesPerRecord) });

  // Throughput: 100,000 records in batches of 256 into a new file, three runs.
  for (let run = 0; run < 3; run++) console.log('store (synchronous=FULL)', await throughput(join(dir, `speed-${run}.db`), 100_000));
  // What FULL costs: the same appends with and without an fsync per commit.
  for (let run = 0; run < 2; run++) {
    console.log(await syncThroughput(join(dir, `normal-${run}.db`), 50_000, 'NORMAL'));
    console.log(await syncThroughput(join(dir, `full-${run}.db`), 50_000, 'FULL'));
    // One record per commit: the prediction log at low load, where each fsync covers one request.
    console.log(await syncThroughput(join(dir, `normal1-${run}.db`), 3_000, 'NORMAL', 1));
    console.log(await syncThroughput(join(dir, `full1-${run}.db`), 3_000, 'FULL', 1));
  }

  // Reads and pruning on a 100,000-record file.
  const big = await SqliteStore.open(join(dir, 'speed-0.db'));
  let t = performance.now();
  let page = await big.query({ model: 'purchase', limit: 100 });
  for (let i = 0; i < 99; i++) page = await big.query({ model: 'purchase', limit: 100, cursor: page.cursor });
  console.log({ query100PageMs: +((performance.now() - t) / 100).toFixed(2) });
  t = performance.now();
  const pruned = await big.prune({ maxRows: 50_000 });
  console.log({ pruneMaxRows: { pruned, ms: Math.round(performance.now() - t) } });
  t = performance.now();
  const none = await big.prune({ maxAgeDays: 1, maxRows: 50_000 });
  console.log({ pruneNothing: { pruned: none, ms: +(performance.now() - t).toFixed(2) } });
  await big.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
