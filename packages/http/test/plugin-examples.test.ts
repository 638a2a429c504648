/**
 * The plugin examples of docs/plugins.md, as written there, against a real
 * server: a route the gate protects, and a sink.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, PonteError, Tokens } from '@ponte/core';
import { HttpTokens, jsonAnswer } from '../src/index.js';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';

const modelStats = definePlugin({
  name: 'model-stats',
  kind: 'other',
  dependsOn: ['@ponte/http'],
  register(ctx) {
    ctx.resolve(HttpTokens.Routes).add({
      method: 'GET',
      path: '/v2/models/{name}/stats',
      name: 'model_stats',
      action: 'monitor',
      docs: { operationId: 'modelStats', summary: 'Queue depth of a model', tag: 'Monitoring' },
      respond: (x) => {
        const model = ctx.resolve(Tokens.ModelRegistry).resolve(x.params['name']!);
        return jsonAnswer({ queueDepth: model.runner.queueDepth });
      },
    }, ctx.name);
  },
});

/** Lets monitor actions through only for the `ops` principal (who sends `X-Ops: 1`). */
const opsOnly = definePlugin({
  name: 'ops-only', kind: 'auth',
  register(ctx) {
    ctx.provide(Tokens.Authenticator, { scheme: 'ops', authenticate: async (req) => (req.headers['x-ops'] === '1' ? { id: 'ops', scheme: 'ops' } : { id: 'guest', scheme: 'ops' }) });
    ctx.provide(Tokens.Authorizer, { authorize(p, action) { if (action === 'monitor' && p.id !== 'ops') throw new PonteError('PONTE_FORBIDDEN', `${action}: not allowed for ${p.id}`); } });
  },
});

test('the route example: served, documented, and authorised like every other route', async () => {
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/openapi'], repository: EXAMPLE_MODELS }, builtins: [modelStats, opsOnly] });
  try {
    const denied = await fetch(`${server.url}/v2/models/purchase/stats`);
    assert.equal(denied.status, 403);
    const ok = await fetch(`${server.url}/v2/models/purchase/stats`, { headers: { 'x-ops': '1' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { queueDepth: 0 });
    const wrongMethod = await fetch(`${server.url}/v2/models/purchase/stats`, { method: 'POST' });
    assert.equal(wrongMethod.status, 405);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, { get?: { operationId?: string } }> };
    assert.equal(doc.paths['/v2/models/{name}/stats']?.get?.operationId, 'modelStats');
  } finally {
    await server.stop();
  }
});

test('the sink example: every answered prediction lands in the file, with its features by name', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ponte-jsonl-')), 'predictions.jsonl');
  const plugin = fileURLToPath(new URL('./support/jsonl-log.js', import.meta.url));
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: plugin, options: { file } }], repository: EXAMPLE_MODELS } });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'x-request-id': `example-${i}` }, body: JSON.stringify({ instances: [{ age: 39 + i, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 }] }) });
      assert.equal(res.status, 200);
    }
  } finally {
    await server.stop();
  }
  const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; model: string; principal: string; features: Array<Record<string, number>> });
  assert.deepEqual(lines.map((l) => l.id), ['example-0', 'example-1', 'example-2']);
  assert.deepEqual(lines.map((l) => l.features[0]!['age']), [39, 40, 41]);
  assert.ok(lines.every((l) => l.model === 'purchase' && l.principal === 'anonymous'));
});
