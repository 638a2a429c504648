import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { OtlpCollector } from './otlp-collector.js';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

async function traceRequests(samplingRatio: number | undefined, n: number, extra: { maxTracesPerSecond?: number | null; traceparent?: boolean } = {}): Promise<{ roots: number; collector: OtlpCollector; elapsedMs: number }> {
  const collector = new OtlpCollector();
  const endpoint = await collector.start();
  const options: Record<string, unknown> = { endpoint, scheduledDelayMillis: 100, metrics: false };
  if (samplingRatio !== undefined) options['samplingRatio'] = samplingRatio;
  if (extra.maxTracesPerSecond !== undefined) options['maxTracesPerSecond'] = extra.maxTracesPerSecond;
  const server: PonteServer = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/exporter-otel', options }], repository: EXAMPLE_MODELS } });
  const started = performance.now();
  let elapsedMs = 0;
  try {
    for (let i = 0; i < n; i++) {
      const headers: Record<string, string> = extra.traceparent === true ? { traceparent: `00-${(i + 1).toString(16).padStart(32, '0')}-00f067aa0ba902b7-01` } : {};
      const res = await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', headers, body: JSON.stringify({ instances: [ROW] }) });
      assert.equal(res.status, 200);
    }
    elapsedMs = performance.now() - started;
  } finally {
    await server.stop();
    await collector.stop();
  }
  return { roots: collector.spans.filter((s) => s.kind === 2).length, collector, elapsedMs };
}

describe('sampling of new traces', () => {
  let all: number;
  let none: number;
  let fallback: number;
  let capped: { roots: number; elapsedMs: number };
  let cappedCallers: number;
  before(async () => {
    all = (await traceRequests(1, 20, { maxTracesPerSecond: null })).roots;
    none = (await traceRequests(0, 20)).roots;
    fallback = (await traceRequests(undefined, 50)).roots;
    capped = await traceRequests(1, 30, { maxTracesPerSecond: 5 });
    cappedCallers = (await traceRequests(1, 30, { maxTracesPerSecond: 5, traceparent: true })).roots;
  });
  after(() => undefined);

  it('samplingRatio 1 traces every request without a traceparent, 0 traces none', () => {
    assert.equal(all, 20);
    assert.equal(none, 0);
  });

  it('maxTracesPerSecond caps new traces (a burst of one second\'s worth, then the rate), whatever the ratio', () => {
    // The 5-token burst, plus what refilled while the 30 requests ran (5 a second).
    const most = 5 + Math.ceil((capped.elapsedMs / 1000) * 5);
    assert.ok(capped.roots >= 5 && capped.roots <= most && capped.roots < 30, `${capped.roots} of 30 requests traced in ${Math.round(capped.elapsedMs)} ms with a cap of 5 a second`);
  });

  it('a caller\'s sampled traceparent is always followed, cap or not', () => {
    assert.equal(cappedCallers, 30);
  });

  it('by default only a small fraction of new traces is recorded (1 %), so tracing stays cheap at high traffic', () => {
    assert.ok(fallback <= 5, `${fallback} of 50 requests traced`);
  });
});
