#!/usr/bin/env node
// Replays a CSV of purchase rows against a running Ponte server, one prediction per row, and (with
// --labels) sends each row's true label as delayed feedback. Try it against `npm start`:
//
//   node examples/monitoring/replay.mjs examples/data/purchase/holdout.csv
//   node examples/monitoring/replay.mjs examples/data/purchase/drifted.csv --labels
//
// then open http://127.0.0.1:8080/dashboard (or `npx ponte monitor report --model purchase`).
// Plain Node.js (20+), no dependencies: it is meant to be read.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    model: { type: 'string', default: 'purchase' },
    label: { type: 'string', default: 'purchased' },
    labels: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8' },
    header: { type: 'string', multiple: true, default: [] },
  },
});
const file = positionals[0];
if (file === undefined) {
  console.error('usage: node examples/monitoring/replay.mjs FILE.csv [--labels] [--url U] [--model M] [--label COLUMN] [--header "K: V"]');
  process.exit(2);
}
const headers = { 'content-type': 'application/json' };
for (const h of values.header) headers[h.slice(0, h.indexOf(':')).trim()] = h.slice(h.indexOf(':') + 1).trim();

// The example data is plain numeric CSV: no quoting to handle.
const [head, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
const columns = head.split(',');
const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], Number(v)])));

const feedback = [];
let next = 0;
let failed = 0;
async function worker() {
  while (next < rows.length) {
    const row = { ...rows[next++] };
    const label = row[values.label];
    delete row[values.label];
    const res = await fetch(`${values.url}/v1/models/${values.model}:predict`, { method: 'POST', headers, body: JSON.stringify({ instances: [row] }) });
    const body = await res.json();
    if (!res.ok) {
      if (failed++ < 3) console.error(`HTTP ${res.status}: ${body.error}`);
      continue;
    }
    if (values.labels && body.prediction_id !== undefined && label !== undefined) feedback.push({ id: body.prediction_id, label });
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
console.log(`${file}: ${rows.length - failed} predictions in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`);

// Labels arrive later in real life; here a second later (the prediction log writes in batches every
// 200 ms: a label for a prediction not yet written is answered unknown_id), in batches the route accepts.
if (feedback.length > 0) await new Promise((r) => setTimeout(r, 1000));
for (let i = 0; i < feedback.length; i += 5000) {
  const res = await fetch(`${values.url}/v2/models/${values.model}/feedback`, { method: 'POST', headers, body: JSON.stringify(feedback.slice(i, i + 5000)) });
  const body = await res.json();
  if (!res.ok) console.error(`feedback: HTTP ${res.status}: ${body.error}`);
  else console.log(`feedback: ${body.stored} labels stored, ${body.duplicates} duplicates, ${body.unknown} unknown ids`);
}
