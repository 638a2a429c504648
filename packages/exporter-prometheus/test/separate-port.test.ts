import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { freePort, parseMetrics, post, PURCHASE_ROW, total } from './helpers.js';

describe('metrics on their own port', () => {
  it('serves /metrics only on the configured listener and closes it on stop', async () => {
    const port = await freePort();
    const server = await startTestServer({
      config: { plugins: ['@ponte/onnx', { package: '@ponte/exporter-prometheus', options: { port, path: '/internal/metrics', prefix: 'acme_' } }], repository: EXAMPLE_MODELS },
    });
    const metricsUrl = `http://127.0.0.1:${port}/internal/metrics`;
    try {
      assert.equal((await post(`${server.url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] })).status, 200);
      assert.equal((await fetch(`${server.url}/internal/metrics`)).status, 404, 'not on the data-plane port');
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
      const res = await fetch(metricsUrl);
      assert.equal(res.status, 200);
      const samples = parseMetrics(await res.text());
      assert.equal(total(samples, 'acme_requests_total', { model: 'purchase', code: '200' }), 1);
      assert.ok(!samples.some((s) => s.name.startsWith('ponte_')), 'the prefix applies to every service metric');
    } finally {
      await server.stop();
    }
    await assert.rejects(fetch(metricsUrl), 'the listener is closed after stop');
  });

  it('refuses unknown options with the path of the mistake', async () => {
    await assert.rejects(
      startTestServer({ config: { plugins: [{ package: '@ponte/exporter-prometheus', options: { prefx: 'x_' } }], repository: EXAMPLE_MODELS } }),
      /plugins\[0\]\.options/,
    );
  });
});
