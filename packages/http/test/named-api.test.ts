/**
 * An application developer calls a model by feature names, not tensors:
 * `POST /v1/models/purchase:predict` with `{"instances": [...]}`. Good rows get
 * readable predictions; a bad row gets a 400 that names the row, the feature
 * and the rule it broke.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import { assertError, get, loadGolden, PLUGINS, post } from './support/rest.js';

const PREDICT = '/v1/models/purchase:predict';
const golden = loadGolden('purchase');
const FEATURES = golden.feature_names;
/** A valid customer, as the golden file's first row. */
const CUSTOMER: Readonly<Record<string, number>> = golden.inputs_named[0]!;

function customer(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CUSTOMER, ...changes };
}

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS } });
});

after(async () => {
  await server?.stop();
});

describe('predicting with named features', () => {
  test('objects keyed by feature name give a label and each class probability', async () => {
    const res = await post(server.url, PREDICT, { instances: [customer()] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.model_name, 'purchase');
    assert.equal(res.body.model_version, '1');
    const [p] = res.body.predictions;
    assert.ok(p.label === 'no' || p.label === 'yes');
    assert.deepEqual(Object.keys(p.probabilities), ['no', 'yes']);
    assert.ok(Math.abs(p.probabilities.no + p.probabilities.yes - 1) < 1e-5);
    assert.equal(p.probability, p.probabilities.yes, 'a binary classifier reports P(positive class) as probability');
    assert.equal(p.label, p.probabilities.yes > p.probabilities.no ? 'yes' : 'no');
  });

  test('arrays of values in feature order give the same predictions as objects', async () => {
    const objects = await post(server.url, PREDICT, { instances: golden.inputs_named });
    const arrays = await post(server.url, PREDICT, { instances: golden.inputs_named.map((row) => FEATURES.map((f) => row[f])) });
    assert.equal(objects.status, 200, JSON.stringify(objects.body));
    assert.equal(arrays.status, 200, JSON.stringify(arrays.body));
    assert.equal(arrays.body.predictions.length, 10);
    assert.deepEqual(arrays.body.predictions, objects.body.predictions);
  });

  test('objects may list features in any order', async () => {
    const reversed = Object.fromEntries(Object.entries(CUSTOMER).reverse());
    const a = await post(server.url, PREDICT, { instances: [reversed] });
    const b = await post(server.url, PREDICT, { instances: [customer()] });
    assert.equal(a.status, 200);
    assert.deepEqual(a.body.predictions, b.body.predictions);
  });

  test('the versioned route /v1/models/purchase/versions/1:predict answers the same', async () => {
    const plain = await post(server.url, PREDICT, { instances: [customer()] });
    const versioned = await post(server.url, '/v1/models/purchase/versions/1:predict', { instances: [customer()] });
    assert.equal(versioned.status, 200, JSON.stringify(versioned.body));
    assert.equal(versioned.body.model_version, '1');
    assert.deepEqual(versioned.body.predictions, plain.body.predictions);
  });

  test('an unknown version on the versioned route is a 404', async () => {
    const res = await post(server.url, '/v1/models/purchase/versions/9:predict', { instances: [customer()] });
    assertError(res, 404, 'PONTE_VERSION_NOT_FOUND', '"9"');
  });

  test('the request id is echoed in the answer', async () => {
    const res = await post(server.url, PREDICT, { id: 'order-1234', instances: [customer()] });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'order-1234');
  });

  test('a regressor answers with a prediction per row', async () => {
    const house = loadGolden('house');
    const res = await post(server.url, '/v1/models/house:predict', { instances: house.inputs_named.slice(0, 3) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.predictions.length, 3);
    for (const p of res.body.predictions) assert.deepEqual(Object.keys(p), ['prediction']);
  });
});

describe('bad rows are refused with the row, the feature and the rule', () => {
  test('a missing required feature', async () => {
    const { cart_items: _dropped, ...row } = customer();
    const res = await post(server.url, PREDICT, { instances: [customer(), row] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[1].cart_items', 'is required');
  });

  test('an unknown feature', async () => {
    const res = await post(server.url, PREDICT, { instances: [customer({ favourite_colour: 3 })] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0].favourite_colour', 'unknown feature');
  });

  test('a number sent as a string ("41")', async () => {
    const res = await post(server.url, PREDICT, { instances: [customer({ age: '41' })] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0].age', 'must be a number');
  });

  test('null for a required feature', async () => {
    const res = await post(server.url, PREDICT, { instances: [customer({ income: null })] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0].income', 'must not be null');
  });

  test('a value below the configured minimum (age -1)', async () => {
    const res = await post(server.url, PREDICT, { instances: [customer({ age: -1 })] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0].age', 'must be >= 0');
  });

  test('a value outside the configured allowed values (is_returning 2)', async () => {
    const res = await post(server.url, PREDICT, { instances: [customer(), customer(), customer({ is_returning: 2 })] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[2].is_returning', 'must be one of 0, 1');
  });

  test('a number too large for JSON doubles (1e400 parses to Infinity)', async () => {
    const body = `{"instances":[${JSON.stringify(customer()).replace(/"income":[^,}]+/, '"income":1e400')}]}`;
    assert.ok(body.includes('1e400'));
    const res = await post(server.url, PREDICT, body);
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0].income', 'finite');
  });

  test('an array row with the wrong number of values', async () => {
    const res = await post(server.url, PREDICT, { instances: [[1, 2, 3]] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0]', 'expected 8 values in feature order, got 3');
  });

  test('a row that is neither an object nor an array', async () => {
    const res = await post(server.url, PREDICT, { instances: [42] });
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', 'instances[0]', 'must be an object or an array');
  });

  test('empty instances', async () => {
    const res = await post(server.url, PREDICT, { instances: [] });
    assertError(res, 400, 'PONTE_BAD_REQUEST', 'instances', 'non-empty array');
  });

  test('no instances at all, or an unknown top-level field', async () => {
    assertError(await post(server.url, PREDICT, {}), 400, 'PONTE_BAD_REQUEST', 'instances');
    assertError(await post(server.url, PREDICT, { instances: [customer()], rows: [] }), 400, 'PONTE_BAD_REQUEST', 'rows', 'unknown field');
    assertError(await post(server.url, PREDICT, 'not json'), 400, 'PONTE_BAD_REQUEST', 'invalid JSON');
  });

  test('an unknown model is a 404, whatever the rows', async () => {
    const res = await post(server.url, '/v1/models/churn:predict', { instances: [{ anything: 1 }] });
    assertError(res, 404, 'PONTE_MODEL_NOT_FOUND', '"churn"');
  });
});

describe('listing models and finding the route', () => {
  test('GET /v1/models lists every model with its readiness and versions', async () => {
    const res = await get(server.url, '/v1/models');
    assert.equal(res.status, 200);
    const byName = new Map<string, { ready: boolean; required: boolean; versions: Array<{ version: string; state: string }> }>(
      res.body.models.map((m: { name: string }) => [m.name, m]),
    );
    assert.deepEqual([...byName.keys()].sort(), ['digits', 'house', 'purchase', 'wide_mlp']);
    for (const [name, m] of byName) {
      assert.equal(m.ready, true, `${name} ready`);
      assert.equal(m.required, true);
      assert.deepEqual(m.versions.map((v) => [v.version, v.state]), [['1', 'ready']]);
    }
  });

  test('POST /v1/models/purchase without :predict is a 404 that suggests the right route', async () => {
    const res = await post(server.url, '/v1/models/purchase', { instances: [customer()] });
    assertError(res, 404, 'PONTE_NOT_FOUND', '/v1/models/purchase:predict');
  });
});
