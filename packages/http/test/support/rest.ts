/**
 * Shared helpers of the REST end-to-end tests: the plugin set every test server
 * loads, a JSON client that insists every answer is JSON, and golden-file
 * loading. Not a test file itself (node's runner still lists it, as a file
 * with no tests).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_MODELS } from '../../src/testing.js';

/** The built-in plugins every REST test server loads, as a user's config would list them. */
export const PLUGINS = ['@ponte/onnx', '@ponte/js-model', '@ponte/validator-jsonschema'];

/** A fixture folder of packages/cli/test/fixtures (the tests run from dist/test, the fixtures stay in test/). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));
}

/** An answer as a user sees it: status, headers and the parsed JSON body. */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  // The body is checked field by field in each test; `any` keeps those checks short.
  body: any;
}

/**
 * Sends a request and parses the answer, failing the test when the answer is
 * not JSON: every REST answer of Ponte, error or not, is a JSON document.
 */
export async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    if (!('content-type' in headers)) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path} answered ${res.status} with content-type ${res.headers.get('content-type')}: ${text.slice(0, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`${method} ${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** POSTs `body` as JSON. */
export function post(baseUrl: string, path: string, body: unknown, headers?: Record<string, string>): Promise<JsonAnswer> {
  return call(baseUrl, 'POST', path, body, headers);
}

/** GETs `path`. */
export function get(baseUrl: string, path: string, headers?: Record<string, string>): Promise<JsonAnswer> {
  return call(baseUrl, 'GET', path, undefined, headers);
}

/**
 * Asserts an error answer: its status, its stable code, and that the message
 * names what was wrong (every pattern must match).
 */
export function assertError(answer: JsonAnswer, status: number, code: string, ...mentions: Array<string | RegExp>): void {
  assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.code, code, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.error, 'string');
  for (const m of mentions) {
    if (typeof m === 'string') assert.ok(answer.body.error.includes(m), `error ${JSON.stringify(answer.body.error)} should mention ${JSON.stringify(m)}`);
    else assert.match(answer.body.error, m);
  }
}

/** examples/models/<name>/golden.json: inputs, expected outputs and the tolerance they hold to. */
export interface Golden {
  model: string;
  task: 'binary_classification' | 'multiclass_classification' | 'regression';
  input_name: string;
  output_name: string;
  tolerance: { atol: number; rtol: number };
  feature_names: string[];
  inputs: number[][];
  inputs_named: Array<Record<string, number>>;
  expected: number[][];
  /** Index into the model's labels, per row (classifiers only). */
  expected_label?: number[];
}

/** Reads a model's golden file from examples/models. */
export function loadGolden(model: string): Golden {
  return JSON.parse(readFileSync(join(EXAMPLE_MODELS, model, 'golden.json'), 'utf8')) as Golden;
}

/** Asserts |got - exp| <= atol + rtol * |exp| for every element, naming the first that is off. */
export function assertClose(got: readonly number[], expected: readonly number[], tol: { atol: number; rtol: number }, what: string): void {
  assert.equal(got.length, expected.length, `${what}: ${got.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const g = got[i]!;
    const e = expected[i]!;
    assert.equal(typeof g, 'number', `${what}[${i}]: got ${String(g)}, not a number`);
    const limit = tol.atol + tol.rtol * Math.abs(e);
    assert.ok(Math.abs(g - e) <= limit, `${what}[${i}]: got ${g}, expected ${e} (|diff| ${Math.abs(g - e)} > ${limit})`);
  }
}
