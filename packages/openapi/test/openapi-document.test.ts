import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { PONTE_VERSION, type PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

type Json = Record<string, any>;

const PLUGINS = ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi'];
let server: PonteServer;
let doc: Json;
let ajv: Ajv2020;

before(async () => {
  server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS } });
  const res = await fetch(`${server.url}/openapi.json`);
  assert.equal(res.status, 200);
  doc = (await res.json()) as Json;
  // The document's own schemas, to check real requests and responses against them.
  ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'https://ponte.test/openapi.json', components: { schemas: doc.components.schemas } });
});

after(async () => {
  await server.stop();
});

/** Follows `$ref`s inside the document. */
function deref(node: Json): Json {
  let n = node;
  while (typeof n?.['$ref'] === 'string') {
    n = (n['$ref'] as string).slice(2).split('/').reduce((o: Json, k: string) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return n;
}

function conforms(schemaRef: Json, value: unknown): void {
  const validate = ajv.compile({ $ref: `https://ponte.test/openapi.json${(schemaRef['$ref'] as string)}` });
  assert.ok(validate(value), `${JSON.stringify(value).slice(0, 300)} does not match ${schemaRef['$ref']}: ${ajv.errorsText(validate.errors)}`);
}

const MODELS = ['digits', 'house', 'purchase', 'wide_mlp'];

test('GET /openapi.json is a valid OpenAPI 3.1 document describing this deployment', async () => {
  const result = await new Validator().validate(structuredClone(doc));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
  assert.match(doc.openapi, /^3\.1\./);
  assert.equal(doc.info.version, PONTE_VERSION);
  assert.equal(doc.servers, undefined, 'no servers option: the document is relative to where it was fetched');
  const expected: Array<[string, string]> = [
    ['/v2/health/live', 'get'], ['/v2/health/ready', 'get'], ['/v2', 'get'],
    ['/v2/models/{name}', 'get'], ['/v2/models/{name}/versions/{version}', 'get'],
    ['/v2/models/{name}/ready', 'get'], ['/v2/models/{name}/versions/{version}/ready', 'get'],
    ['/v2/models/{name}/infer', 'post'], ['/v2/models/{name}/versions/{version}/infer', 'post'],
    ['/v1/models', 'get'], ['/v1/models/{name}:predict', 'post'], ['/v1/models/{name}/versions/{version}:predict', 'post'],
  ];
  for (const [path, method] of expected) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is described`);
  for (const m of MODELS) assert.match(doc.info.description, new RegExp(m));
});

test('every model has its own infer and predict paths, unversioned and for its ready version', () => {
  for (const m of MODELS) {
    for (const path of [`/v2/models/${m}/infer`, `/v2/models/${m}/versions/1/infer`, `/v1/models/${m}:predict`, `/v1/models/${m}/versions/1:predict`]) {
      assert.ok(doc.paths[path]?.post, `POST ${path} is described`);
      assert.deepEqual(doc.paths[path].post.tags, [m]);
    }
    assert.ok(doc.tags.some((t: Json) => t.name === m), `model ${m} has a tag`);
  }
});

test('the purchase predict request names all 8 features with their rules and descriptions', () => {
  const op = doc.paths['/v1/models/purchase:predict'].post;
  const request = deref(op.requestBody.content['application/json'].schema);
  assert.deepEqual(request.required, ['instances']);
  assert.equal(request.additionalProperties, false);
  const [objectRow, arrayRow] = request.properties.instances.items.oneOf.map(deref);
  const features = server.registry.config('purchase').features!;
  assert.equal(features.length, 8);
  assert.deepEqual(Object.keys(objectRow.properties), features.map((f) => f.name));
  assert.deepEqual(objectRow.required, features.map((f) => f.name), 'all 8 are required');
  assert.equal(objectRow.additionalProperties, false, 'unknown feature names are refused');
  for (const f of features) {
    const p = objectRow.properties[f.name];
    assert.equal(p.type, 'number', `${f.name} is a number`);
    assert.equal(p.description, f.description);
    if (f.name === 'is_returning') assert.deepEqual(p.enum, [0, 1]);
    else assert.equal(p.minimum, 0, `${f.name} >= 0`);
  }
  assert.equal(arrayRow.type, 'array');
  assert.equal(arrayRow.minItems, 8);
  assert.equal(arrayRow.maxItems, 8);
  assert.deepEqual(arrayRow.prefixItems.map((p: Json) => p.description), features.map((f) => f.description), 'positional rows follow feature order');
});

test('predictions are described as the server returns them: label and probabilities for classifiers, a value for regressors', () => {
  const purchase = deref(deref(doc.paths['/v1/models/purchase:predict'].post.responses['200'].content['application/json'].schema).properties.predictions.items);
  assert.deepEqual(purchase.required, ['label', 'probabilities', 'probability']);
  assert.deepEqual(purchase.properties.label.enum, ['no', 'yes']);
  assert.deepEqual(Object.keys(purchase.properties.probabilities.properties), ['no', 'yes']);
  assert.match(purchase.properties.probability.description, /"yes"/);

  const digits = deref(deref(doc.paths['/v1/models/digits:predict'].post.responses['200'].content['application/json'].schema).properties.predictions.items);
  assert.deepEqual(digits.properties.label.enum, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(digits.properties.probability, undefined, 'multiclass predictions have no single probability');

  const house = deref(deref(doc.paths['/v1/models/house:predict'].post.responses['200'].content['application/json'].schema).properties.predictions.items);
  assert.deepEqual(house.required, ['prediction']);
  assert.deepEqual(house.properties.prediction.type, ['number', 'null']);
});

test('the purchase infer request is derived from the model signature', () => {
  const request = deref(doc.paths['/v2/models/purchase/infer'].post.requestBody.content['application/json'].schema);
  const input = request.properties.inputs.items;
  const sig = server.registry.resolve('purchase').signature;
  assert.equal(input.properties.name.const, sig.inputs[0]!.name);
  assert.equal(input.properties.datatype.const, sig.inputs[0]!.datatype);
  assert.deepEqual(input.properties.shape.prefixItems, [{ type: 'integer', minimum: 0 }, { const: 8 }]);
  const response = deref(doc.paths['/v2/models/purchase/infer'].post.responses['200'].content['application/json'].schema);
  assert.deepEqual(response.properties.outputs.items.oneOf.map((o: Json) => o.properties.name.const), sig.outputs.map((o) => o.name));
});

test('the example request of every model path succeeds when POSTed, and the answer matches the documented schema', async () => {
  let tried = 0;
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    if (path.includes('{') || item['post'] === undefined) continue;
    const media = item['post'].requestBody.content['application/json'];
    assert.ok(media.example !== undefined, `${path} has an example`);
    conforms(media.schema, media.example);
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(media.example) });
    const body = await res.json();
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(body)}`);
    conforms(item['post'].responses['200'].content['application/json'].schema, body);
    tried++;
  }
  assert.equal(tried, MODELS.length * 4);
});

test('errors are described as {error, code} with 400, 401, 404, 413, 429 and 503, and real errors match', async () => {
  for (const path of ['/v1/models/purchase:predict', '/v2/models/purchase/infer', '/v1/models/{name}:predict', '/v2/models/{name}/infer']) {
    const responses = doc.paths[path].post.responses;
    for (const status of ['400', '401', '404', '413', '429', '503']) assert.ok(responses[status], `${path} documents ${status}`);
  }
  assert.deepEqual(doc.components.schemas.Error.required, ['error', 'code']);
  assert.match(doc.components.responses.PayloadTooLarge.description, new RegExp(String(server.config.server.bodyLimitBytes)));
  assert.ok(doc.components.responses.TooManyRequests.headers['Retry-After']);

  const example = structuredClone(doc.paths['/v1/models/purchase:predict'].post.requestBody.content['application/json'].example);
  example.instances[0].age = -1;
  const bad = await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', body: JSON.stringify(example) });
  assert.equal(bad.status, 400);
  const badBody = (await bad.json()) as Json;
  conforms({ $ref: '#/components/schemas/Error' }, badBody);
  assert.match(badBody.error, /age/, 'the message names the field');
  assert.ok(deref(doc.components.responses.BadRequest).content['application/json'].schema.properties.code.enum.includes(badBody.code));

  const missing = await fetch(`${server.url}/v1/models/nope:predict`, { method: 'POST', body: JSON.stringify({ instances: [[1]] }) });
  assert.equal(missing.status, 404);
  const missingBody = (await missing.json()) as Json;
  conforms({ $ref: '#/components/schemas/Error' }, missingBody);
  assert.ok(deref(doc.components.responses.NotFound).content['application/json'].schema.properties.code.enum.includes(missingBody.code));
});

test('the request-id, timeout and binary-extension headers are described', () => {
  const infer = doc.paths['/v2/models/purchase/infer'].post;
  const names = infer.parameters.map((p: Json) => deref(p).name);
  assert.deepEqual(names, ['X-Request-Id', 'X-Request-Timeout-Ms', 'Inference-Header-Content-Length']);
  assert.ok(infer.requestBody.content['application/octet-stream'], 'binary request bodies are described');
  assert.ok(infer.responses['200'].content['application/octet-stream'], 'binary responses are described');
  assert.ok(infer.responses['200'].headers['Inference-Header-Content-Length']);
  assert.ok(infer.responses['200'].headers['X-Request-Id']);
  const predictNames = doc.paths['/v1/models/purchase:predict'].post.parameters.map((p: Json) => deref(p).name);
  assert.deepEqual(predictNames, ['X-Request-Id', 'X-Request-Timeout-Ms']);
});

test('the document is built once and revalidated cheaply with its ETag', async () => {
  const first = await fetch(`${server.url}/openapi.json`);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  assert.equal(first.headers.get('cache-control'), 'no-cache');
  assert.equal(first.headers.get('content-type'), 'application/json; charset=utf-8');
  await first.arrayBuffer();
  const again = await fetch(`${server.url}/openapi.json`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
});
