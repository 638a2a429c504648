/**
 * The monitor reads the log's segments for the few fields it counts instead
 * of paging whole records: a team sees the same windows either way — same
 * rows, same edges, same counts, same verdicts — when two replicas' traffic
 * overlaps in the log, when requests carry several rows, when a model logs
 * an input tensor instead of named features, and across ticks that stop
 * mid-window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, uuidV7, type PredictionStore, type StoredPrediction } from '@ponte/core';
import { REPO_ROOT } from '@ponte/http/testing';
import { SqliteStore } from '@ponte/store-sqlite';
import { monitoringConfig, type ReferenceProfile } from '../src/index.js';
import { VersionMonitor } from '../src/version-monitor.js';
import { readPurchaseCsv } from './monitor-support.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const FEATURES = ['age', 'income', 'visits_last_30d', 'avg_session_minutes', 'pages_viewed', 'days_since_last_purchase', 'cart_items', 'is_returning'];

/** A logged purchase prediction of `rows` (named features, or the input tensor when `asTensor`), at `time`. */
function logged(rows: ReadonlyArray<Record<string, number>>, time: number, asTensor: boolean): StoredPrediction {
  const p = rows.map((r) => Math.min(0.99, Math.max(0.01, (r['cart_items'] ?? 0) / 5 + 0.1)));
  const base = {
    id: uuidV7(time), time, model: 'purchase', version: '1', requestId: `r-${time}`, principal: 'anonymous', protocol: 'rest', endpoint: 'predict', latencyMs: 1,
    outputs: [
      { name: 'label', datatype: 'INT64' as const, shape: [rows.length], data: p.map((x) => (x >= 0.5 ? 1 : 0)) },
      { name: 'probabilities', datatype: 'FP32' as const, shape: [rows.length, 2], data: p.flatMap((x) => [Math.fround(1 - x), Math.fround(x)]) },
    ],
  };
  if (asTensor) return { ...base, inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, FEATURES.length], data: rows.flatMap((r) => FEATURES.map((f) => Math.fround(r[f]!))) }] };
  return { ...base, features: rows.map((r) => Object.fromEntries(FEATURES.map((f) => [f, r[f]!]))) };
}

/** The same store without `readSegments`: the way the monitor reads a store that has no segments. */
function pagesOnly(store: SqliteStore): PredictionStore {
  return {
    name: 'pages-only',
    append: (r) => store.append(r),
    appendFeedback: (m, i) => store.appendFeedback(m, i),
    get: (m, id) => store.get(m, id),
    query: (q) => store.query(q),
    prune: (p) => store.prune(p),
    putDocuments: (d) => store.putDocuments(d),
    getDocument: (k, key) => store.getDocument(k, key),
    listDocuments: (q) => store.listDocuments(q),
    acquireLease: (n, o, t) => store.acquireLease(n, o, t),
    releaseLease: (n, o) => store.releaseLease(n, o),
  };
}

test('reading segments and reading pages give the same windows, tick after tick', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-segread-'));
  const profile = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/models/purchase/1/profile.json'), 'utf8')) as ReferenceProfile;
  const shape = { task: 'binary_classification' as const, labels: ['no', 'yes'], mainOutput: 'probabilities', featureNames: FEATURES };
  const config = monitoringConfig({ window: { rows: 250, seconds: 20 }, minRows: 150 });
  const logger = createLogger('silent');
  const [a, b] = await Promise.all([SqliteStore.open(join(dir, 'a.db')), SqliteStore.open(join(dir, 'b.db'))]);
  try {
    assert.ok(a.readSegments !== undefined, 'the SQLite store reads segments');
    // Two replicas logging at once (their segments overlap in time), 1 to 3 rows a request, every fifth as an input tensor,
    // and a quiet minute in the middle that closes a window by time.
    const rows = [...readPurchaseCsv('holdout').slice(0, 1200), ...readPurchaseCsv('drifted').slice(0, 1200)];
    const one: StoredPrediction[] = [];
    const two: StoredPrediction[] = [];
    let t = T0;
    for (let k = 0, n = 0; k < 2400; n++) {
      const take = 1 + (n % 3);
      const rec = logged(rows.slice(k, k + take), t, n % 5 === 0);
      (n % 2 === 0 ? one : two).push(rec);
      k += take;
      t += n === 600 ? 60_000 : 3 + (n % 4);
    }
    for (const store of [a, b]) {
      for (let k = 0; k < Math.max(one.length, two.length); k += 150) await Promise.all([store.append(one.slice(k, k + 150)), store.append(two.slice(k, k + 150))]);
    }
    const bySegments = new VersionMonitor(a, 'purchase', '1', shape, config, profile, logger);
    const byPages = new VersionMonitor(pagesOnly(b), 'purchase', '1', shape, config, profile, logger);
    // Ticks that end mid-window and mid-request-stream, then one past the end.
    for (const until of [T0 + 1_000, T0 + 2_500, t - 500, t + 30_000]) {
      const [x, y] = await Promise.all([bySegments.advance(until), byPages.advance(until)]);
      assert.deepEqual(x, y, `windows closed by the tick up to +${until - T0} ms`);
    }
    const windows = await bySegments.windows(100);
    assert.deepEqual(windows, await byPages.windows(100));
    assert.ok(windows.length >= 8, `${windows.length} windows closed`);
    assert.equal(windows.reduce((n, w) => n + w.rows, 0), 2400, 'every logged row counted once');
    assert.ok(windows.some((w) => w.rows < 250), 'a window closed by time');
    assert.ok(windows.some((w) => w.drifted === true), 'the drifted rows drift');
  } finally {
    await Promise.all([a.close(), b.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
