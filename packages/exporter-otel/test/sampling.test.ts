import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/core/testing';
import { OtlpCollector } from './otlp-collector.js';

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

async function traceRequests(samplingRatio: number | undefined, n: number): Promise<{ roots: number; collector: OtlpCollector }> {
  const collector = new OtlpCollector();
  const endpoint = await collector.start();
  const options: Record<string, unknown> = { endpoint, scheduledDelayMillis: 100, metrics: false };
  if (samplingRatio !== undefined) options['samplingRatio'] = samplingRatio;
  const server: PonteServer = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/exporter-otel', options }], repository: EXAMPLE_MODELS } });
  try {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', body: JSON.stringify({ instances: [ROW] }) });
      assert.equal(res.status, 200);
    }
  } finally {
    await server.stop();
    await collector.stop();
  }
  return { roots: collector.spans.filter((s) => s.kind === 2).length, collector };
}

describe('sampling of new traces', () => {
  let all: number;
  let none: number;
  let fallback: number;
  before(async () => {
    all = (await traceRequests(1, 20)).roots;
    none = (await traceRequests(0, 20)).roots;
    fallback = (await traceRequests(undefined, 50)).roots;
  });
  after(() => undefined);

  it('samplingRatio 1 traces every request without a traceparent, 0 traces none', () => {
    assert.equal(all, 20);
    assert.equal(none, 0);
  });

  it('by default only a small fraction of new traces is recorded (1 %), so tracing stays cheap at high traffic', () => {
    assert.ok(fallback <= 5, `${fallback} of 50 requests traced`);
  });
});
