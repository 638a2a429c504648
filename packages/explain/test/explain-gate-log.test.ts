import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import type { PonteServer } from '@ponte/core';
import { bearerTestAuth, startTestServer } from '@ponte/http/testing';
import { exampleRepository, MODELS, post, PURCHASE_ROW, sum, type AttributionJson } from './support.js';

describe('explain passes the gate and explains logged predictions', () => {
  const repo = exampleRepository();
  let server: PonteServer;
  let url: string;
  const auth = bearerTestAuth((t) => (t === 'predictor' ? { id: 'predictor', scopes: ['infer:*'] } : t === 'analyst' ? { id: 'analyst', scopes: ['infer:*', 'explain:purchase'] } : undefined));
  before(async () => {
    server = await startTestServer({
      config: { plugins: ['@ponte/onnx', { package: '@ponte/store-sqlite', options: { file: join(repo.dir, 'log.db') } }, '@ponte/explain'], repository: repo.repository, models: MODELS },
      builtins: [auth],
    });
    url = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.stop();
    repo.cleanup();
  });

  it('needs the explain scope on the model: 401 without credentials, 403 with infer only', async () => {
    const none = await post(`${url}/v1/models/purchase:explain`, { instances: [PURCHASE_ROW] });
    assert.equal(none.status, 401);
    const predictor = { authorization: 'Bearer predictor' };
    assert.equal((await post(`${url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] }, predictor)).status, 200);
    for (const path of ['/v1/models/purchase:explain', '/v2/models/purchase/explain']) {
      const res = await post(`${url}${path}`, { instances: [PURCHASE_ROW] }, predictor);
      assert.equal(res.status, 403, path);
    }
    const polled = await fetch(`${url}/v2/models/purchase/explain/jobs/x`, { headers: predictor });
    assert.equal(polled.status, 403, 'polling a job is explaining too');
    const analyst = { authorization: 'Bearer analyst' };
    assert.equal((await post(`${url}/v1/models/purchase:explain`, { instances: [PURCHASE_ROW] }, analyst)).status, 200);
    assert.equal((await post(`${url}/v1/models/house:explain`, { instances: [PURCHASE_ROW] }, analyst)).status, 403, 'explain:purchase does not cover house');
  });

  it('explains a logged prediction by its id, on the version that made it', async () => {
    const analyst = { authorization: 'Bearer analyst' };
    const predicted = await post(`${url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] }, analyst);
    const id = predicted.body['prediction_id'] as string;
    assert.ok(id);
    const probability = (predicted.body['predictions'] as Array<{ probabilities: Record<string, number> }>)[0]!.probabilities['yes']!;
    // The log is written after the answer, in batches: wait until it is there.
    let res = await post(`${url}/v1/models/purchase:explain`, { prediction_id: id }, analyst);
    for (let i = 0; i < 100 && res.status === 404; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await post(`${url}/v1/models/purchase:explain`, { prediction_id: id }, analyst);
    }
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body['prediction_id'], id);
    const [explained] = res.body['explanations'] as AttributionJson[][];
    assert.ok(Math.abs(explained![1]!.base_value + sum(explained![1]!.values) - probability) < 1e-3);
    const v2 = await post(`${url}/v2/models/purchase/explain`, { prediction_id: id }, analyst);
    assert.equal(v2.status, 200);
    const unknown = await post(`${url}/v2/models/purchase/explain`, { prediction_id: 'no-such-id' }, analyst);
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body['error']), /not in the log/);
    const mixed = await post(`${url}/v1/models/purchase:explain`, { prediction_id: id, instances: [PURCHASE_ROW] }, analyst);
    assert.equal(mixed.status, 400);
  });
});
