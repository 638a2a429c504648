/**
 * A client written against the Open Inference Protocol v2 (KServe, Triton
 * clients) talks to Ponte: health, server and model metadata, readiness and
 * inference answer as the protocol says, and every mistake a client can make
 * is a 4xx JSON answer naming the field, never a 5xx or an HTML page.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import { assertError, call, get, loadGolden, PLUGINS, post } from './support/rest.js';

const INFER = '/v2/models/purchase/infer';
const golden = loadGolden('purchase');
const ROW = golden.inputs[0]!;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function row(data: unknown = ROW, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data }], ...extra };
}

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS } });
});

after(async () => {
  await server?.stop();
});

describe('health and metadata', () => {
  test('GET /v2/health/live says the server is live', async () => {
    const res = await get(server.url, '/v2/health/live');
    assert.equal(res.status, 200);
    assert.equal(res.body.live, true);
  });

  test('GET /v2/health/ready is 200 with every model\'s state in its detail', async () => {
    const res = await get(server.url, '/v2/health/ready');
    assert.equal(res.status, 200);
    assert.equal(res.body.ready, true);
    assert.equal(res.body.state, 'serving');
    const names = res.body.models.map((m: { name: string }) => m.name).sort();
    assert.deepEqual(names, ['digits', 'house', 'purchase', 'wide_mlp']);
    for (const m of res.body.models) {
      assert.equal(m.ready, true, `${m.name}: ${m.reason}`);
      assert.deepEqual(m.versions.map((v: { version: string; state: string }) => [v.version, v.state]), [['1', 'ready']]);
    }
  });

  test('GET /v2 names the server, its version and the binary tensor extension', async () => {
    const res = await get(server.url, '/v2');
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'ponte');
    assert.match(res.body.version, /^\d+\.\d+\.\d+/);
    assert.ok(Array.isArray(res.body.extensions));
    assert.ok(res.body.extensions.includes('binary_tensor_data'));
  });

  for (const path of ['/v2/models/purchase', '/v2/models/purchase/versions/1']) {
    test(`GET ${path} describes inputs and outputs, -1 for the batch dimension`, async () => {
      const res = await get(server.url, path);
      assert.equal(res.status, 200);
      assert.equal(res.body.name, 'purchase');
      assert.deepEqual(res.body.versions, ['1']);
      assert.equal(res.body.platform, 'onnx_onnxv1');
      assert.deepEqual(res.body.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 8] }]);
      const outputs = Object.fromEntries(res.body.outputs.map((o: { name: string }) => [o.name, o]));
      assert.deepEqual(outputs.probabilities, { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] });
      assert.deepEqual(outputs.label, { name: 'label', datatype: 'INT64', shape: [-1] });
      assert.equal(res.body.ready, true);
      assert.deepEqual(res.body.labels, ['no', 'yes']);
      assert.deepEqual(res.body.features.map((f: { name: string }) => f.name), golden.feature_names);
    });
  }

  test('metadata of an unknown model is 404, of an unknown version too', async () => {
    assertError(await get(server.url, '/v2/models/churn'), 404, 'PONTE_MODEL_NOT_FOUND', '"churn"');
    assertError(await get(server.url, '/v2/models/purchase/versions/3'), 404, 'PONTE_VERSION_NOT_FOUND', '"3"');
  });

  test('GET .../ready is 200 for the model and for its version', async () => {
    const model = await get(server.url, '/v2/models/purchase/ready');
    assert.equal(model.status, 200);
    assert.deepEqual(model.body, { name: 'purchase', ready: true });
    const version = await get(server.url, '/v2/models/purchase/versions/1/ready');
    assert.equal(version.status, 200);
    assert.deepEqual(version.body, { name: 'purchase', version: '1', ready: true });
  });

  test('readiness of an unknown model is 404', async () => {
    assertError(await get(server.url, '/v2/models/churn/ready'), 404, 'PONTE_MODEL_NOT_FOUND');
  });
});

describe('inference', () => {
  test('the request id is echoed and every output comes back', async () => {
    const res = await post(server.url, INFER, row(ROW, { id: 'req-42' }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.id, 'req-42');
    assert.equal(res.body.model_name, 'purchase');
    assert.equal(res.body.model_version, '1');
    assert.deepEqual(res.body.outputs.map((o: { name: string }) => o.name).sort(), ['label', 'probabilities']);
  });

  test('without an id the answer has none', async () => {
    const res = await post(server.url, INFER, row());
    assert.equal(res.status, 200);
    assert.equal('id' in res.body, false);
  });

  test('`outputs` returns only the output asked for', async () => {
    const all = await post(server.url, INFER, row());
    const res = await post(server.url, INFER, row(ROW, { outputs: [{ name: 'probabilities' }] }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.outputs.length, 1);
    assert.equal(res.body.outputs[0].name, 'probabilities');
    assert.deepEqual(res.body.outputs[0], all.body.outputs.find((o: { name: string }) => o.name === 'probabilities'));
  });

  test('an empty `outputs` list returns every output, as no list does', async () => {
    const res = await post(server.url, INFER, row(ROW, { outputs: [] }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.outputs.map((o: { name: string }) => o.name).sort(), ['label', 'probabilities']);
  });

  test('request `parameters` of every allowed type are accepted', async () => {
    const res = await post(server.url, INFER, row(ROW, { parameters: { priority: 1, tag: 'batch-7', sequence_start: true } }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  test('the versioned route answers the same as the unversioned one', async () => {
    const a = await post(server.url, INFER, row());
    const b = await post(server.url, '/v2/models/purchase/versions/1/infer', row());
    assert.equal(b.status, 200);
    assert.deepEqual(b.body, a.body);
  });
});

describe('malformed requests are 400 naming the field', () => {
  const malformed: Array<{ story: string; body: unknown; code?: string; mentions: string[] }> = [
    { story: 'invalid JSON', body: '{"inputs": [', mentions: ['body', 'invalid JSON'] },
    { story: 'an empty body', body: '', mentions: ['body', 'empty'] },
    { story: 'a body that is an array, not an object', body: [row()], mentions: ['body', 'JSON object'] },
    { story: 'a body that is a string', body: '"infer please"', mentions: ['body', 'JSON object'] },
    { story: 'no inputs', body: { id: 'x' }, mentions: ['inputs', 'non-empty array'] },
    { story: 'empty inputs', body: { inputs: [] }, mentions: ['inputs', 'non-empty array'] },
    { story: 'an unknown top-level field', body: row(ROW, { input: [] }), mentions: ['input: unknown field', 'allowed'] },
    { story: 'an id that is not a string', body: row(ROW, { id: 7 }), mentions: ['id', 'must be a string'] },
    { story: 'an input that is not an object', body: { inputs: [42] }, mentions: ['inputs[0]', 'must be an object'] },
    { story: 'an input without a name', body: { inputs: [{ datatype: 'FP32', shape: [1, 8], data: ROW }] }, mentions: ['inputs[0].name'] },
    { story: 'a datatype that does not exist', body: { inputs: [{ name: 'input', datatype: 'FLOAT32', shape: [1, 8], data: ROW }] }, mentions: ['inputs[0].datatype', 'FLOAT32'] },
    { story: 'a shape that is not an array', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: '1x8', data: ROW }] }, mentions: ['inputs[0].shape', 'array'] },
    { story: 'a shape with a string in it', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, '8'], data: ROW }] }, mentions: ['inputs[0].shape[1]', 'non-negative integer'] },
    { story: 'a shape with a fraction in it', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1.5, 8], data: ROW }] }, mentions: ['inputs[0].shape[0]', 'non-negative integer'] },
    { story: 'a negative shape', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 8], data: ROW }] }, mentions: ['inputs[0].shape[0]'] },
    { story: 'a shape asking for a huge tensor', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1e6, 1e6], data: ROW }] }, mentions: ['inputs[0].shape', 'exceeds the limit'] },
    { story: 'fewer values than the shape holds', body: row(ROW.slice(0, 7)), mentions: ['inputs[0].data', 'needs 8 elements, got 7'] },
    { story: 'more values than the shape holds', body: row([...ROW, 1]), mentions: ['inputs[0].data', 'needs 8 elements, got 9'] },
    { story: 'no data', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8] }] }, mentions: ['inputs[0].data', 'required'] },
    { story: 'a parameter whose value is an object', body: row(ROW, { parameters: { nested: { a: 1 } } }), mentions: ['parameters.nested'] },
    { story: 'outputs that are not an array', body: row(ROW, { outputs: 'probabilities' }), mentions: ['outputs', 'array'] },
    { story: 'an output without a name', body: row(ROW, { outputs: [{}] }), mentions: ['outputs[0].name'] },
    { story: 'a timeout parameter that is not positive', body: row(ROW, { parameters: { timeout: -5 } }), mentions: ['parameters.timeout'] },
    // Well-formed, but not what this model takes.
    { story: 'FP64 data for the FP32 input', body: { inputs: [{ name: 'input', datatype: 'FP64', shape: [1, 8], data: ROW }] }, code: 'PONTE_VALIDATION_FAILED', mentions: ['inputs[0].datatype', 'must be FP32, got FP64'] },
    { story: 'seven columns for an eight-column input', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 7], data: ROW.slice(0, 7) }] }, code: 'PONTE_VALIDATION_FAILED', mentions: ['inputs[0].shape', 'must be 8'] },
    { story: 'a one-dimensional input', body: { inputs: [{ name: 'input', datatype: 'FP32', shape: [8], data: ROW }] }, code: 'PONTE_VALIDATION_FAILED', mentions: ['inputs[0].shape', '2 dimensions'] },
    { story: 'an input the model does not have', body: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: ROW }] }, code: 'PONTE_VALIDATION_FAILED', mentions: ['inputs[0].name', '"features"'] },
    { story: 'the same input twice', body: { inputs: [row().inputs, row().inputs].flat() }, code: 'PONTE_VALIDATION_FAILED', mentions: ['inputs[1].name', 'twice'] },
    { story: 'an output the model does not have', body: row(ROW, { outputs: [{ name: 'probabilities' }, { name: 'logits' }] }), code: 'PONTE_VALIDATION_FAILED', mentions: ['outputs[1].name', '"logits"'] },
    { story: 'a value outside a feature\'s range', body: row(ROW.map((v, i) => (i === 0 ? -3 : v))), code: 'PONTE_VALIDATION_FAILED', mentions: ['feature age', 'must be >= 0'] },
  ];
  for (const m of malformed) {
    test(`${m.story} → 400 ${m.code ?? 'PONTE_BAD_REQUEST'}`, async () => {
      const res = await post(server.url, INFER, m.body);
      assertError(res, 400, m.code ?? 'PONTE_BAD_REQUEST', ...m.mentions);
    });
  }
});

describe('what is not there is 404', () => {
  test('an unknown model', async () => {
    assertError(await post(server.url, '/v2/models/churn/infer', row()), 404, 'PONTE_MODEL_NOT_FOUND', '"churn"');
  });

  test('an unknown version', async () => {
    assertError(await post(server.url, '/v2/models/purchase/versions/2/infer', row()), 404, 'PONTE_VERSION_NOT_FOUND', '"2"', 'available: 1');
  });

  test('an unknown route answers JSON, not an HTML page', async () => {
    assertError(await get(server.url, '/v2/modelz/purchase'), 404, 'PONTE_NOT_FOUND', '/v2/modelz/purchase');
    assertError(await call(server.url, 'DELETE', '/v2/models/purchase'), 405, 'PONTE_METHOD_NOT_ALLOWED');
  });
});

describe('request ids and deadlines', () => {
  test('an X-Request-Id sent is returned, on success and on error', async () => {
    const ok = await post(server.url, INFER, row(), { 'X-Request-Id': 'trace-abc.123' });
    assert.equal(ok.headers.get('x-request-id'), 'trace-abc.123');
    const bad = await post(server.url, INFER, '{', { 'X-Request-Id': 'trace-abc.124' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('x-request-id'), 'trace-abc.124');
  });

  test('without an X-Request-Id each answer carries a fresh generated one', async () => {
    const a = await get(server.url, '/v2/health/ready');
    const b = await post(server.url, INFER, row());
    const c = await get(server.url, '/nowhere');
    const ids = [a, b, c].map((r) => r.headers.get('x-request-id') ?? '');
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, 3);
  });

  test('an X-Request-Id that could forge log lines is replaced by a generated one', async () => {
    const res = await post(server.url, INFER, row(), { 'X-Request-Id': 'a b "c" {}' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-request-id') ?? '', UUID);
  });

  for (const value of ['soon', '0', '-5', 'Infinity']) {
    test(`X-Request-Timeout-Ms: ${value} → 400`, async () => {
      const res = await post(server.url, INFER, row(), { 'X-Request-Timeout-Ms': value });
      assertError(res, 400, 'PONTE_BAD_REQUEST', 'x-request-timeout-ms', 'positive number of milliseconds');
    });
  }

  test('a generous X-Request-Timeout-Ms is accepted', async () => {
    const res = await post(server.url, INFER, row(), { 'X-Request-Timeout-Ms': '60000' });
    assert.equal(res.status, 200);
  });
});

/** Sends a body with node:http, chunk by chunk, so the test decides whether a content-length is sent. */
function rawPost(url: string, chunks: Uint8Array[], headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    // The server may answer 413 and close before it has read everything: that is the point.
    req.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e); });
    const write = (i: number): void => {
      if (i === chunks.length) { req.end(); return; }
      req.write(chunks[i]!, () => setImmediate(() => write(i + 1)));
    };
    write(0);
  });
}

describe('body size limit (server.bodyLimitBytes: 2048)', () => {
  let small: PonteServer;
  before(async () => {
    small = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS, server: { bodyLimitBytes: 2048 } } });
  });
  after(async () => {
    await small?.stop();
  });

  test('a request under the limit is served', async () => {
    const res = await post(small.url, INFER, row());
    assert.equal(res.status, 200);
  });

  test('a body over the limit with a Content-Length is refused with 413', async () => {
    const body = JSON.stringify(row(ROW, { id: 'x'.repeat(4000) }));
    const res = await post(small.url, INFER, body);
    assertError(res, 413, 'PONTE_BODY_TOO_LARGE', 'bodyLimitBytes', '2048');
  });

  test('a chunked body (no Content-Length) is refused with 413 once it crosses the limit', async () => {
    const enc = new TextEncoder();
    const chunks = [enc.encode('{"id":"'), enc.encode('x'.repeat(1500)), enc.encode('x'.repeat(1500)), enc.encode(`",${JSON.stringify(row()).slice(1)}`)];
    const res = await rawPost(`${small.url}${INFER}`, chunks, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    assert.equal(res.status, 413, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = JSON.parse(res.body) as { code: string; error: string };
    assert.equal(body.code, 'PONTE_BODY_TOO_LARGE');
  });

  test('the named API has the same limit', async () => {
    const res = await post(small.url, '/v1/models/purchase:predict', { instances: Array.from({ length: 100 }, () => golden.inputs_named[0]) });
    assertError(res, 413, 'PONTE_BODY_TOO_LARGE');
  });

  test('after a refused body the server still serves', async () => {
    const res = await post(small.url, INFER, row());
    assert.equal(res.status, 200);
  });
});
