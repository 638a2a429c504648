/**
 * An operator configures feature rules for a model (type, min/max, enum,
 * required, nullable) and expects every request that breaks one to be refused
 * with 400 PONTE_VALIDATION_FAILED naming the field and the rule, and every
 * request within the rules to pass. The validator is called as core's pipeline
 * calls it: with the InferenceRequest a protocol decoded (named rows come with
 * `instances` and the tensors core mapped them to) and the model's view.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPonteError, type FeatureConfig, type InferenceRequest, type ModelConfig, type ModelSignature, type ModelView, type Tensor } from '@ponte/core';
import validatorPlugin, { JsonSchemaValidator, type JsonSchemaValidatorOptions } from '@ponte/validator-jsonschema';

function view(name: string, signature: ModelSignature, features?: FeatureConfig[]): ModelView {
  const config: ModelConfig = { name, source: `/models/${name}`, versionPolicy: { latest: 1 }, required: true, warmup: { runs: 0 }, logging: { predictions: false, sampleRate: 1, redact: [] }, options: {} };
  if (features !== undefined) config.features = features;
  return { name, version: '1', config, signature };
}

/** A credit model taking one feature matrix, [rows, 4], its columns the features below in order. */
const CREDIT_FEATURES: FeatureConfig[] = [
  { name: 'age', type: 'integer', min: 0, max: 130, required: true, nullable: false },
  { name: 'income', type: 'number', min: 0, required: true, nullable: true },
  { name: 'plan', type: 'integer', enum: [1, 2, 3], required: false, nullable: false, default: 1 },
  { name: 'score', type: 'number', min: 0, max: 1, required: false, nullable: false },
];
const credit = (): ModelView =>
  view('credit', { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'p', datatype: 'FP32', shape: [-1, 1] }] }, CREDIT_FEATURES);

/** A model with one input per feature, one of them a string. */
const shipping = (): ModelView =>
  view(
    'shipping',
    { inputs: [{ name: 'region', datatype: 'BYTES', shape: [-1] }, { name: 'weight', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'cost', datatype: 'FP32', shape: [-1, 1] }] },
    [
      { name: 'region', type: 'string', enum: ['north', 'south'], required: true, nullable: false, input: 'region' },
      { name: 'weight', type: 'number', min: 0, required: true, nullable: false, input: 'weight' },
    ],
  );

/** A tensor model with no feature config: only the finite-float rule applies. */
const plain = (): ModelView =>
  view('plain', {
    inputs: [{ name: 'x', datatype: 'FP64', shape: [-1] }, { name: 'y', datatype: 'FP32', shape: [-1] }, { name: 'n', datatype: 'INT32', shape: [-1] }],
    outputs: [{ name: 'z', datatype: 'FP64', shape: [-1] }],
  });

/**
 * A named-API request for the credit model as core hands it over: the rows as
 * sent, plus the matrix core mapped them to (a missing or null value becomes
 * the feature's default, or NaN, which imputing models expect).
 */
function namedCredit(rows: Array<Record<string, unknown>>): InferenceRequest {
  const data = new Float32Array(rows.length * CREDIT_FEATURES.length);
  rows.forEach((row, i) => CREDIT_FEATURES.forEach((f, j) => {
    const v = row[f.name] ?? f.default;
    data[i * CREDIT_FEATURES.length + j] = typeof v === 'number' ? v : NaN;
  }));
  return { model: 'credit', inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, CREDIT_FEATURES.length], data }], instances: rows };
}

/** An OIP request for the credit model: the matrix as the client sent it. */
function oipCredit(rows: number[][]): InferenceRequest {
  return { model: 'credit', inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 4], data: Float32Array.from(rows.flat()) }] };
}

function plainRequest(x: number[], y: number[]): InferenceRequest {
  const inputs: Tensor[] = [
    { name: 'x', datatype: 'FP64', shape: [x.length], data: Float64Array.from(x) },
    { name: 'y', datatype: 'FP32', shape: [y.length], data: Float32Array.from(y) },
    { name: 'n', datatype: 'INT32', shape: [1], data: Int32Array.from([7]) },
  ];
  return { model: 'plain', inputs };
}

const validator = (options: Partial<JsonSchemaValidatorOptions> = {}): JsonSchemaValidator =>
  new JsonSchemaValidator({ rejectNonFinite: true, allErrors: false, ...options });

/** Asserts the request is refused with 400 PONTE_VALIDATION_FAILED and returns the message. */
async function refused(v: JsonSchemaValidator, request: InferenceRequest, model: ModelView): Promise<string> {
  let message = '';
  await assert.rejects(async () => v.validate(request, model), (e: unknown) => {
    assert.ok(isPonteError(e), `not a PonteError: ${String(e)}`);
    assert.equal(e.code, 'PONTE_VALIDATION_FAILED');
    assert.equal(e.status, 400);
    message = e.message;
    return true;
  });
  return message;
}

const GOOD = { age: 42, income: 52_000, plan: 2, score: 0.7 };

test('rows and tensors within every rule pass', async () => {
  const v = validator();
  await v.validate(namedCredit([GOOD, { age: 0, income: 0 }, { age: 130, income: null, plan: 3 }]), credit());
  await v.validate(oipCredit([[42, 52_000, 2, 0.7], [0, 0, 1, 0], [130, 1e9, 3, 1]]), credit());
  await v.validate({ model: 'shipping', inputs: [], instances: [{ region: 'north', weight: 2.5 }] }, shipping());
  await v.validate(plainRequest([1, -2.5, 1e300], [0, -0]), plain());
});

test('a value outside min or max is refused naming the row, the feature and the bound', async () => {
  const v = validator();
  assert.equal(await refused(v, namedCredit([{ ...GOOD, age: -1 }]), credit()), 'instances[0].age: must be >= 0');
  assert.equal(await refused(v, namedCredit([GOOD, { ...GOOD, age: 131 }]), credit()), 'instances[1].age: must be <= 130');
  assert.equal(await refused(v, namedCredit([{ ...GOOD, score: 1.5 }]), credit()), 'instances[0].score: must be <= 1');
  assert.equal(await refused(v, { model: 'shipping', inputs: [], instances: [{ region: 'south', weight: -0.1 }] }, shipping()), 'instances[0].weight: must be >= 0');
});

test('the same ranges hold for OIP tensors feeding the feature matrix, naming the element, its row and its feature', async () => {
  const v = validator();
  assert.equal(await refused(v, oipCredit([[42, 1, 1, 0.5], [-3, 1, 1, 0.5]]), credit()), 'inputs[0].data[4] (row 1, feature age): must be >= 0, got -3');
  assert.equal(await refused(v, oipCredit([[42, 1, 1, 2]]), credit()), 'inputs[0].data[3] (row 0, feature score): must be <= 1, got 2');
  assert.equal(await refused(v, oipCredit([[42.5, 1, 1, 0.5]]), credit()), 'inputs[0].data[0] (row 0, feature age): must be an integer, got 42.5');
  assert.equal(await refused(v, oipCredit([[42, 1, 5, 0.5]]), credit()), 'inputs[0].data[2] (row 0, feature plan): must be one of 1, 2, 3, got 5');
});

test('a value not among the allowed ones is refused, listing them', async () => {
  const v = validator();
  assert.match(await refused(v, namedCredit([{ ...GOOD, plan: 4 }]), credit()), /^instances\[0\]\.plan: must be one of 1, 2, 3\b/);
  assert.equal(await refused(v, { model: 'shipping', inputs: [], instances: [{ region: 'east', weight: 1 }] }, shipping()), 'instances[0].region: must be one of "north", "south"');
});

test('a required feature must be sent; null is refused unless the feature is nullable or optional', async () => {
  const v = validator();
  assert.equal(await refused(v, namedCredit([{ income: 1 }]), credit()), 'instances[0].age: is required');
  assert.match(await refused(v, namedCredit([{ ...GOOD, age: null }]), credit()), /^instances\[0\]\.age: must be integer$/);
  // income is required but nullable; plan and score are optional: absent or null, they pass.
  await v.validate(namedCredit([{ age: 30, income: null }, { age: 30, income: 1, plan: null, score: null }]), credit());
  assert.equal(await refused(v, { model: 'shipping', inputs: [], instances: [{ weight: 1 }] }, shipping()), 'instances[0].region: is required');
});

test('a value of the wrong type is refused naming the type expected, and an unknown feature is refused by name', async () => {
  const v = validator();
  assert.equal(await refused(v, namedCredit([{ ...GOOD, age: 42.5 }]), credit()), 'instances[0].age: must be integer');
  assert.match(await refused(v, namedCredit([{ ...GOOD, income: 'lots' }]), credit()), /^instances\[0\]\.income: must be number\b/);
  assert.equal(await refused(v, { model: 'shipping', inputs: [], instances: [{ region: 7, weight: 1 }] }, shipping()), 'instances[0].region: must be string');
  assert.equal(await refused(v, namedCredit([{ ...GOOD, agee: 42 }]), credit()), 'instances[0].agee: unknown key');
});

test('with rejectNonFinite (the default), NaN and ±Infinity in float tensors are refused naming the element', async () => {
  const v = validator();
  assert.equal(await refused(v, plainRequest([1, NaN], [0]), plain()), 'inputs[0].data[1]: must be a finite number, got NaN');
  assert.equal(await refused(v, plainRequest([1], [0, 0, -Infinity]), plain()), 'inputs[1].data[2]: must be a finite number, got -Infinity');
  assert.equal(await refused(v, oipCredit([[42, Infinity, 1, 0.5]]), credit()), 'inputs[0].data[1]: must be a finite number, got Infinity');
  // An OIP client has no "missing" value: NaN is refused even in an optional feature's column.
  assert.equal(await refused(v, oipCredit([[42, 1, 1, NaN]]), credit()), 'inputs[0].data[3]: must be a finite number, got NaN');
});

test('with rejectNonFinite, the NaN core writes for a missing optional named feature still passes, and a non-finite required one is refused by name', async () => {
  const v = validator();
  await v.validate(namedCredit([{ age: 30, income: 1 }]), credit());
  // A row whose matrix carries Infinity for a required feature (as a buggy mapping or a binary body could).
  const request = namedCredit([GOOD]);
  (request.inputs[0]!.data as Float32Array)[0] = Infinity;
  assert.equal(await refused(v, request, credit()), 'instances[0].age: must be a finite number, got Infinity');
});

test('with rejectNonFinite false, non-finite floats are allowed through while the feature rules still hold', async () => {
  const v = validator({ rejectNonFinite: false });
  await v.validate(plainRequest([NaN, Infinity], [-Infinity]), plain());
  await v.validate(oipCredit([[42, Infinity, 1, NaN]]), credit());
  assert.equal(await refused(v, namedCredit([{ ...GOOD, age: -1 }]), credit()), 'instances[0].age: must be >= 0');
});

test('with allErrors, every broken rule of a row is reported in one answer; without, the first only', async () => {
  const row = { age: -1, income: 'lots', plan: 9, score: 2 };
  const all = await refused(validator({ allErrors: true }), namedCredit([row]), credit());
  const problems = all.split('; ');
  assert.equal(problems.length, 4, all);
  assert.ok(problems.includes('instances[0].age: must be >= 0'), all);
  assert.ok(problems.some((p) => /^instances\[0\]\.income: must be number\b/.test(p)), all);
  assert.ok(problems.some((p) => /^instances\[0\]\.plan: must be one of 1, 2, 3\b/.test(p)), all);
  assert.ok(problems.includes('instances[0].score: must be <= 1'), all);

  const first = await refused(validator({ allErrors: false }), namedCredit([row]), credit());
  assert.equal(first.split('; ').length, 1, first);
  assert.match(first, /^instances\[0\]\.(age|income|plan|score): /);
});

test('the plugin is a validator whose options default to rejectNonFinite on and allErrors off', () => {
  assert.equal(validatorPlugin.kind, 'validator');
  assert.equal(validatorPlugin.name, '@ponte/validator-jsonschema');
  const props = (validatorPlugin.configSchema as { properties: Record<string, { default: unknown }> }).properties;
  assert.deepEqual([props['rejectNonFinite']!.default, props['allErrors']!.default], [true, false]);
});
