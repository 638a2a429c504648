// Measures the figures docs/persistence.md quotes: append throughput in batches of 256,
// on-disk bytes per purchase-like record, a page, a get and a prune. Run after a build:
//   node packages/store-postgres/scripts/measure.mjs [postgres://…]
import pg from 'pg';
import { uuidV7 } from '@ponte/core';
import { PostgresStore } from '../dist/src/index.js';
import { purchaseRecord } from '../dist/test-support/records.js';

const url = process.argv[2] ?? process.env.PONTE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 256;

async function withSchema(fn) {
  const schema = `ponte_measure_${process.pid}_${Date.now()}`;
  const store = await PostgresStore.open({ connectionString: url, schema });
  try {
    return await fn(store, schema);
  } finally {
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
    await c.end();
  }
}

/**
 * Records/s appending `total` records in batches of 256 from `writers` concurrent writers.
 * Twenty template batches get fresh ids per append (as the prediction log makes records as it
 * goes): holding all 51,200 records at once would measure the garbage collector too.
 */
async function throughput(writers, total) {
  return withSchema(async (store) => {
    const templates = Array.from({ length: 20 }, () => Array.from({ length: BATCH }, () => purchaseRecord()));
    const batch = (i) => templates[i % templates.length].map((r) => ({ ...r, id: uuidV7() }));
    for (let i = 0; i < 8; i++) await store.append(batch(i));
    const count = Math.ceil(total / BATCH);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: writers }, async () => {
      while (next < count) await store.append(batch(next++));
    }));
    return (count * BATCH) / ((performance.now() - t0) / 1000);
  });
}

const results = {};
for (const writers of [1, 4]) {
  const runs = [];
  for (let r = 0; r < 5; r++) runs.push(Math.round(await throughput(writers, 51_200)));
  results[`records/s, batches of ${BATCH}, ${writers} writer(s)`] = runs;
}

results.size = await withSchema(async (store, schema) => {
  for (let i = 0; i < 10_000; i += 250) await store.append(Array.from({ length: 250 }, () => purchaseRecord()));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t = `${pg.escapeIdentifier(schema)}.prediction_segments`;
  await c.query(`VACUUM ANALYZE ${t}`);
  const { rows: [s] } = await c.query(`SELECT pg_total_relation_size($1::regclass)::float8 AS total, pg_relation_size($1::regclass)::float8 AS heap,
    pg_indexes_size($1::regclass)::float8 AS indexes, (SELECT pg_total_relation_size(reltoastrelid)::float8 FROM pg_class WHERE oid = $1::regclass) AS toast,
    (SELECT sum(length(body))::float8 FROM ${t}) AS body_bytes, (SELECT sum(pg_column_size(body))::float8 FROM ${t}) AS stored_body_bytes`, [t]);
  await c.end();
  return {
    records: 10_000, totalBytesPerRecord: s.total / 10_000, heapBytesPerRecord: s.heap / 10_000, indexBytesPerRecord: s.indexes / 10_000, toastBytes: s.toast,
    encodedBytesPerRecord: s.body_bytes / 10_000, storedBodyBytesPerRecord: s.stored_body_bytes / 10_000,
  };
});

// Reads and pruning on 100,000 records appended as the log writes them (batches of 256).
results.reads = await withSchema(async (store) => {
  const records = [];
  for (let i = 0; i < 100_000; i += BATCH) {
    const batch = Array.from({ length: BATCH }, () => purchaseRecord());
    records.push(batch[7]);
    await store.append(batch);
  }
  await store.appendFeedback('purchase', records.map((r) => ({ id: r.id, label: 'yes' })));
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const pages = [];
  let page = await store.query({ model: 'purchase', limit: 100 });
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    page = await store.query({ model: 'purchase', limit: 100, cursor: page.cursor });
    pages.push(performance.now() - t);
  }
  const gets = [];
  for (const r of records.slice(0, 100)) {
    const t = performance.now();
    await store.get('purchase', r.id);
    gets.push(performance.now() - t);
  }
  const t = performance.now();
  const pruned = await store.prune({ maxRows: 50_000 });
  return { page100MsMedian: +median(pages).toFixed(2), getMsMedian: +median(gets).toFixed(2), pruneMaxRows: { pruned, ms: Math.round(performance.now() - t) } };
});
console.log(JSON.stringify(results, null, 2));
