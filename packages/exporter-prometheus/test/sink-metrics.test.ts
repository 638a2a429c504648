import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePlugin, Tokens, type PredictionRecord } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { parseMetrics, post, PURCHASE_INFER, total } from './helpers.js';

test('records an after-response sink drops, writes and still holds are scraped per sink', async () => {
  let release: () => void = () => undefined;
  const stalled = new Promise<void>((r) => { release = r; });
  const written: PredictionRecord[] = [];
  const sink = definePlugin({
    name: 'tiny-sink', kind: 'monitor',
    register(ctx) {
      ctx.provide(Tokens.PredictionSink, { name: 'tiny', capacity: 2, maxBatch: 1, async write(records) { await stalled; written.push(...records); } });
    },
  });
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/exporter-prometheus'], repository: EXAMPLE_MODELS }, builtins: [sink] });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await post(`${server.url}/v2/models/purchase/infer`, PURCHASE_INFER)).status, 200);
    const samples = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
    const dropped = total(samples, 'ponte_sink_records_dropped_total', { sink: 'tiny' });
    const queued = total(samples, 'ponte_sink_queue_depth', { sink: 'tiny' });
    assert.ok(dropped >= 10 - 2 - 1, `dropped ${dropped}`);
    assert.ok(queued <= 2, `queued ${queued}`);
    assert.equal(total(samples, 'ponte_sink_records_written_total', { sink: 'tiny' }), 0);
  } finally {
    release();
    await server.stop();
  }
  assert.ok(written.length >= 1 && written.length <= 3);
});
