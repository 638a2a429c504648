import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger, type PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { ExportFailureReporter } from '../src/index.js';
import { OtlpCollector } from './otlp-collector.js';

const ROW = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };
const INFER = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] };

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function eventually<T>(what: string, fn: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('OpenTelemetry export to a collector', () => {
  const collector = new OtlpCollector();
  let server: PonteServer;

  before(async () => {
    const endpoint = await collector.start();
    server = await startTestServer({
      config: {
        plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', { package: '@ponte/exporter-otel', options: { endpoint, scheduledDelayMillis: 200, metricExportIntervalMillis: 500, serviceName: 'ponte-test', resourceAttributes: { 'deployment.environment.name': 'test' } } }],
        repository: EXAMPLE_MODELS,
      },
    });
  });
  after(async () => {
    await server.stop();
    await collector.stop();
  });

  it('traces a request under the caller\'s trace, with a span per pipeline stage', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const res = await post(`${server.url}/v2/models/purchase/infer`, INFER, { traceparent: `00-${traceId}-${callerSpanId}-01`, 'x-request-id': 'trace-me-1' });
    assert.equal(res.status, 200);

    const serverSpan = await eventually('the server span to reach the collector', () => collector.spans.find((s) => s.traceId === traceId && s.kind === 2));
    assert.equal(serverSpan.parentSpanId, callerSpanId, 'the server span is a child of the caller\'s span');
    assert.equal(serverSpan.attributes['ponte.model.name'], 'purchase');
    assert.equal(serverSpan.attributes['ponte.model.version'], '1');
    assert.equal(serverSpan.attributes['ponte.protocol'], 'rest');
    assert.equal(serverSpan.attributes['ponte.endpoint'], 'infer');
    assert.equal(serverSpan.attributes['ponte.request.id'], 'trace-me-1');
    assert.equal(serverSpan.attributes['ponte.batch.size'], 1);
    assert.equal(serverSpan.attributes['http.response.status_code'], 200);
    assert.equal(serverSpan.resource['service.name'], 'ponte-test');
    assert.equal(serverSpan.resource['deployment.environment.name'], 'test');

    const children = await eventually('the stage spans', () => {
      const c = collector.spans.filter((s) => s.traceId === traceId && s.parentSpanId === serverSpan.spanId);
      return ['decode', 'validate', 'queue', 'run', 'encode'].every((n) => c.some((s) => s.name === n)) ? c : undefined;
    });
    for (const name of ['decode', 'validate', 'queue', 'run', 'encode']) {
      const span = children.find((s) => s.name === name)!;
      assert.ok(span.startNs >= serverSpan.startNs && span.endNs <= serverSpan.endNs, `${name} lies within the request`);
    }
    const run = children.find((s) => s.name === 'run')!;
    assert.equal(run.attributes['ponte.model.name'], 'purchase');
    assert.equal(run.attributes['ponte.batch.size'], 1);
    assert.ok(collector.contentTypes.has('application/x-protobuf'));
  });

  it('marks a rejected request with its status and error code, without an error status', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await post(`${server.url}/v1/models/purchase:predict`, { instances: [{ ...ROW, age: -1 }] }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    assert.equal(res.status, 400);
    const span = await eventually('the server span', () => collector.spans.find((s) => s.traceId === traceId && s.kind === 2));
    assert.equal(span.attributes['http.response.status_code'], 400);
    assert.equal(span.attributes['error.type'], 'PONTE_VALIDATION_FAILED');
    assert.equal(span.attributes['ponte.model.name'], 'purchase');
    assert.notEqual(span.statusCode, 2, 'a 4xx is not a server error');
  });

  it('exports service and runtime metrics over OTLP', async () => {
    const N = 4;
    for (let i = 0; i < N; i++) assert.equal((await post(`${server.url}/v1/models/purchase:predict`, { instances: [ROW] })).status, 200);
    assert.equal((await post(`${server.url}/v1/models/purchase:predict`, { instances: [{ ...ROW, age: -1 }] })).status, 400);
    const requests = await eventually('ponte.requests to count the predicts', () => {
      const m = collector.latestMetrics().get('ponte.requests');
      const p = m?.points.find((pt) => pt.attributes['ponte.endpoint'] === 'predict' && pt.attributes['ponte.model.name'] === 'purchase' && pt.attributes['http.response.status_code'] === 200);
      return p !== undefined && p.value >= N ? p : undefined;
    });
    assert.equal(requests.value, N, 'each predict is counted once');
    const metrics = collector.latestMetrics();
    assert.equal(metrics.get('ponte.request.duration')?.type, 'histogram');
    assert.equal(metrics.get('ponte.request.duration')?.unit, 's');
    for (const name of ['ponte.compute.duration', 'ponte.queue.duration', 'ponte.batch.size', 'ponte.errors', 'ponte.model.ready', 'ponte.queue.depth', 'process.cpu.time', 'process.memory.usage']) {
      assert.ok(metrics.has(name), `${name} is exported`);
    }
    assert.equal(metrics.get('ponte.model.ready')?.points.find((p) => p.attributes['ponte.model.name'] === 'purchase')?.value, 1);

    // Cumulative and consistent with each other, as a dashboard would read them.
    const predicts = (name: string) => metrics.get(name)?.points.filter((p) => p.attributes['ponte.endpoint'] === 'predict' && p.attributes['ponte.model.name'] === 'purchase' && p.attributes['ponte.protocol'] === 'rest') ?? [];
    const answered = predicts('ponte.requests').reduce((n, p) => n + p.value, 0);
    const rejected = predicts('ponte.requests').find((p) => p.attributes['http.response.status_code'] === 400)?.value ?? 0;
    assert.ok(rejected >= 1, 'the rejected predict is counted with its status');
    assert.equal(predicts('ponte.errors').find((p) => p.attributes['error.type'] === 'PONTE_VALIDATION_FAILED')?.value, rejected, 'each rejected predict is an error with its code');
    assert.equal(predicts('ponte.request.duration')[0]?.value, answered, 'every answered predict has its duration recorded once');
    const batches = metrics.get('ponte.batch.size')?.points.find((p) => p.attributes['ponte.model.name'] === 'purchase' && p.attributes['ponte.model.version'] === '1');
    assert.ok(batches !== undefined && batches.value >= 1 && batches.value <= answered, 'purchase batches are recorded');
  });
});

describe('a collector that is down', () => {
  it('does not delay or fail requests, and the server still stops cleanly', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    });
    const exportTimeoutMillis = 20_000;
    const server = await startTestServer({
      config: {
        plugins: ['@ponte/onnx', { package: '@ponte/exporter-otel', options: { endpoint: `http://127.0.0.1:${closedPort}`, scheduledDelayMillis: 50, metricExportIntervalMillis: 200, exportTimeoutMillis, shutdownTimeoutMillis: 2000 } }],
        repository: EXAMPLE_MODELS,
      },
    });
    const t0 = Date.now();
    try {
      for (let i = 0; i < 20; i++) {
        const res = await post(`${server.url}/v1/models/purchase:predict`, { instances: [ROW] }, { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` });
        assert.equal(res.status, 200);
        // Give the span processor time to try (and fail) exports between requests.
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(Date.now() - t0 < exportTimeoutMillis / 2, 'requests never wait for an export');
    } finally {
      const s0 = Date.now();
      await server.stop();
      assert.ok(Date.now() - s0 < exportTimeoutMillis, 'stop gives up on the dead collector instead of waiting out the export timeout');
    }
  });
});

describe('export failure reporting', () => {
  it('logs a failing collector once per interval, then its recovery', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
    let now = 0;
    const reporter = new ExportFailureReporter(createLogger('info', sink), 60_000, () => now);
    for (let i = 0; i < 10; i++) { reporter.failure('traces', new Error('connect ECONNREFUSED 127.0.0.1:4318')); now += 1000; }
    assert.equal(lines.length, 1, 'ten failures within a minute make one line');
    assert.equal(lines[0]!['error'], 'connect ECONNREFUSED 127.0.0.1:4318');
    now = 61_000;
    reporter.failure('traces', new Error('still down'));
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!['suppressed'], 9);
    reporter.success('traces');
    assert.equal(lines.length, 3);
    assert.match(String(lines[2]!['msg']), /recovered/);
    reporter.success('traces');
    assert.equal(lines.length, 3, 'recovery is logged once');
  });
});
