import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '@ponte/http/testing';
import type { PonteServer } from '@ponte/core';
import { parseMetrics, post, PROMTOOL, PURCHASE_INFER, PURCHASE_ROW, run, skipUnless, total, type Sample } from './helpers.js';

const PLUGINS = ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/exporter-prometheus'];

describe('GET /metrics on the data-plane port', () => {
  let server: PonteServer;
  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    return { text, samples: parseMetrics(text) };
  };

  before(async () => {
    server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS } });
  });
  after(async () => {
    await server.stop();
  });

  it('counts each predict once, with its model, version and status code', async () => {
    const before = (await scrape()).samples;
    const N = 5;
    for (let i = 0; i < N; i++) assert.equal((await post(`${server.url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] })).status, 200);
    const after = (await scrape()).samples;
    const ok = { protocol: 'rest', endpoint: 'predict', model: 'purchase', version: '1', code: '200' };
    assert.equal(total(after, 'ponte_requests_total', ok) - total(before, 'ponte_requests_total', ok), N);
    const lat = { endpoint: 'predict', model: 'purchase', version: '1' };
    assert.equal(total(after, 'ponte_request_duration_seconds_count', lat) - total(before, 'ponte_request_duration_seconds_count', lat), N);
    assert.equal(total(after, 'ponte_compute_duration_seconds_count', { model: 'purchase' }) - total(before, 'ponte_compute_duration_seconds_count', { model: 'purchase' }), N);
    assert.ok(total(after, 'ponte_batch_size_sum', { model: 'purchase' }) - total(before, 'ponte_batch_size_sum', { model: 'purchase' }) >= N, 'every row went through a batch');
  });

  it('reports a rejected input as a 400 of its model and as an error by code', async () => {
    const before = (await scrape()).samples;
    const bad = await post(`${server.url}/v1/models/purchase:predict`, { instances: [{ ...PURCHASE_ROW, age: -1 }] });
    assert.equal(bad.status, 400);
    const wrongType = await post(`${server.url}/v1/models/purchase:predict`, { instances: [{ ...PURCHASE_ROW, age: 'forty' }] });
    assert.equal(wrongType.status, 400);
    const wrongShape = await post(`${server.url}/v2/models/purchase/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    assert.equal(wrongShape.status, 400);
    const after = (await scrape()).samples;
    const diff = (name: string, m: Record<string, string>): number => total(after, name, m) - total(before, name, m);
    assert.equal(diff('ponte_requests_total', { endpoint: 'predict', model: 'purchase', code: '400' }), 2);
    assert.equal(diff('ponte_requests_total', { endpoint: 'infer', model: 'purchase', code: '400' }), 1);
    assert.equal(diff('ponte_errors_total', { model: 'purchase', code: 'PONTE_VALIDATION_FAILED' }), 3);
    assert.equal(diff('ponte_requests_total', { model: 'purchase', code: '200' }), 0, 'failures are not counted as successes');
  });

  it('labels unknown models with nothing from the URL', async () => {
    const res = await post(`${server.url}/v1/models/no-such-model-${Date.now()}:predict`, { instances: [PURCHASE_ROW] });
    assert.equal(res.status, 404);
    const { text, samples } = await scrape();
    assert.doesNotMatch(text, /no-such-model/);
    assert.ok(total(samples, 'ponte_errors_total', { model: '', code: 'PONTE_MODEL_NOT_FOUND' }) >= 1);
  });

  it('counts API requests only: probes, scrapes and unknown paths leave the request metrics alone', async () => {
    const before = total((await scrape()).samples, 'ponte_requests_total');
    for (const path of ['/v2/health/live', '/v2/health/ready', '/metrics', '/no/such/route']) await (await fetch(`${server.url}${path}`)).arrayBuffer();
    const after = (await scrape()).samples;
    assert.equal(total(after, 'ponte_requests_total'), before);
    for (const endpoint of ['server_live', 'server_ready', 'metrics', 'not_found']) assert.equal(total(after, 'ponte_requests_total', { endpoint }), 0, endpoint);
    assert.equal(total(after, 'ponte_requests_in_flight'), 0, 'a scrape does not count itself in flight');
  });

  it('exposes model state, queue depth, in-flight and process metrics', async () => {
    const { samples } = await scrape();
    assert.equal(total(samples, 'ponte_model_state', { model: 'purchase', version: '1', state: 'ready' }), 1);
    assert.equal(total(samples, 'ponte_model_state', { model: 'purchase', version: '1', state: 'failed' }), 0);
    assert.equal(total(samples, 'ponte_model_ready', { model: 'purchase' }), 1);
    assert.ok(total(samples, 'ponte_model_load_duration_seconds', { model: 'purchase', version: '1' }) > 0);
    assert.ok(samples.some((s) => s.name === 'ponte_queue_depth' && s.labels['model'] === 'purchase'));
    assert.ok(samples.some((s) => s.name === 'ponte_requests_in_flight'));
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      assert.ok(samples.some((s) => s.name === name), `${name} is exported`);
    }
  });

  it('passes promtool check metrics after mixed traffic', { skip: skipUnless(PROMTOOL) }, async () => {
    await post(`${server.url}/v2/models/purchase/infer`, PURCHASE_INFER);
    await post(`${server.url}/v1/models/purchase:predict`, { instances: [{ ...PURCHASE_ROW, age: -1 }] });
    const { text } = await scrape();
    const r = await run(PROMTOOL, ['check', 'metrics'], text);
    assert.equal(r.code, 0, `promtool check metrics failed:\n${r.out}`);
  });

  it('serves every metric the Grafana dashboard and the alert rules use', async () => {
    await post(`${server.url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] });
    const { samples } = await scrape();
    const names = new Set(samples.map((s) => s.name));
    const used = new Set<string>();
    for (const file of [join(REPO_ROOT, 'deploy/grafana/ponte.json'), join(REPO_ROOT, 'deploy/prometheus/alerts.yml')]) {
      // ponte_monitor_* come from @ponte/monitor with a monitored model: packages/monitor/test/notifiers.test.ts checks those.
      for (const m of readFileSync(file, 'utf8').matchAll(/\b((?:ponte|process|nodejs)_[a-z0-9_]+)/g)) if (!m[1]!.startsWith('ponte_monitor_')) used.add(m[1]!);
    }
    assert.ok(used.size > 10);
    const missing = [...used].filter((n) => !names.has(n));
    assert.deepEqual(missing, [], `dashboard or alerts use metrics that /metrics does not serve: ${missing.join(', ')}`);
  });
});

describe('alert rules', () => {
  it('pass promtool check rules and their unit tests', { skip: skipUnless(PROMTOOL) }, async () => {
    const check = await run(PROMTOOL, ['check', 'rules', join(REPO_ROOT, 'deploy/prometheus/alerts.yml')]);
    assert.equal(check.code, 0, check.out);
    const test = await run(PROMTOOL, ['test', 'rules', join(REPO_ROOT, 'deploy/prometheus/alerts.test.yml')]);
    assert.equal(test.code, 0, test.out);
  });
});
