import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

interface Event { specversion: string; id: string; type: string; source: string; subject: string; time: string; data: { requestId: string; predictionId?: string; features?: Array<Record<string, number>> } }

/** A real HTTP endpoint that records what it receives, answering `status`. */
async function receiver(status = 202): Promise<{ url: string; batches: Array<{ contentType: string; auth: string | undefined; events: Event[] }>; close(): Promise<void> }> {
  const batches: Array<{ contentType: string; auth: string | undefined; events: Event[] }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      batches.push({ contentType: req.headers['content-type'] ?? '', auth: req.headers['authorization'], events: JSON.parse(body) as Event[] });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, batches, close: () => new Promise((r) => server.close(() => r())) };
}

const ROW = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };

test('every answered prediction reaches the endpoint as a CloudEvent, redacted features dropped', async () => {
  const sink = await receiver();
  const server = await startTestServer({
    config: {
      plugins: ['@ponte/onnx', { package: '@ponte/sink-cloudevents', options: { url: sink.url, headers: { Authorization: 'Bearer ${env:EVENTS_TOKEN}' }, source: 'ponte/test' } }],
      repository: EXAMPLE_MODELS,
      models: [{ name: 'purchase', logging: { redact: ['income'] } }],
    },
    env: { ...process.env, EVENTS_TOKEN: 't0k3n' },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'x-request-id': `ce-${i}` }, body: JSON.stringify({ instances: [{ ...ROW, age: 40 + i }] }) });
      assert.equal(res.status, 200);
    }
  } finally {
    await server.stop(); // drains the sink
    await sink.close();
  }
  const events = sink.batches.flatMap((b) => b.events);
  assert.ok(sink.batches.every((b) => b.contentType === 'application/cloudevents-batch+json' && b.auth === 'Bearer t0k3n'));
  assert.deepEqual(events.map((e) => e.data.requestId), ['ce-0', 'ce-1', 'ce-2']);
  for (const e of events) {
    assert.equal(e.specversion, '1.0');
    assert.equal(e.type, 'org.ponte.prediction');
    assert.equal(e.source, 'ponte/test');
    assert.equal(e.subject, 'purchase/1');
    assert.ok(!Number.isNaN(Date.parse(e.time)));
    assert.equal('income' in e.data.features![0]!, false);
  }
  assert.deepEqual(events.map((e) => e.data.features![0]!['age']), [40, 41, 42]);
});

test('an endpoint that refuses never fails an answer: the batches are counted as failed', async () => {
  const sink = await receiver(503);
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/exporter-prometheus', { package: '@ponte/sink-cloudevents', options: { url: sink.url } }], repository: EXAMPLE_MODELS } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', body: JSON.stringify({ instances: [ROW] }) })).status, 200);
    let failed = 0;
    for (let i = 0; i < 100 && failed < 3; i++) {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      failed = Number(/ponte_sink_records_failed_total\{sink="cloudevents"\} (\d+)/.exec(text)?.[1] ?? 0);
      if (failed < 3) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(failed, 3);
  } finally {
    await server.stop();
    await sink.close();
  }
});
