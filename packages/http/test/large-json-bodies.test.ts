/**
 * Large OIP JSON bodies (≥ 512 bytes) are read by the native parser of
 * @ponte/oip-json-native when it is built: a client must not be able to tell.
 * The same tensors sent as JSON and as raw bytes give the same answer, each
 * faulty value gets the same 400 as in a small body, and bodies the native
 * parser leaves to JSON.parse (repeated or escaped keys, non-ASCII text) are
 * read as JSON.parse reads them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { nativeInferJson } from '../src/index.js';
import { startTestServer } from '../src/testing.js';
import { assertError, fixture, PLUGINS, post } from './support/rest.js';

const ECHO = '/v2/models/echo/infer';
/** Pads a body past the native parser's threshold without touching its tensors. */
const PAD = 'p'.repeat(600);

/** The echo model wants every datatype: one element of each, with `tensors` put in their place. */
function withAll(...tensors: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }>): Array<Record<string, unknown>> {
  const one: Record<string, unknown> = { BOOL: true, BYTES: 'x', FP16: 0.5, FP32: 0.5, FP64: 0.5 };
  return ['BOOL', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'FP16', 'FP32', 'FP64', 'BYTES'].map((t) =>
    tensors.find((x) => x.datatype === t) ?? { name: `in_${t}`, datatype: t, shape: [1, 1], data: [one[t] ?? 1] });
}

/** The data of output `out_<datatype>`. */
function dataOf(body: { outputs: Array<{ name: string; data: unknown[] }> }, datatype: string): unknown[] {
  return body.outputs.find((o) => o.name === `out_${datatype}`)!.data;
}

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: PLUGINS, repository: fixture('repo-datatypes') } });
});

after(async () => {
  await server?.stop();
});

// Judged by whether the machine can build the addon, not by whether it was built: a build that
// failed quietly where g++ and Node's headers are present must fail this test.
const canBuild = spawnSync('g++', ['--version']).status === 0 && existsSync(join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h'));

test('where a C++ compiler and Node\'s headers are present, the server reads large JSON bodies natively (npm run build builds the addon)', { skip: canBuild ? false : 'no g++ or no Node headers here: Ponte runs on JSON.parse' }, () => {
  assert.equal(nativeInferJson, true, 'npm run build should have built @ponte/oip-json-native (see its warning in the build output)');
});

test('300 full-precision FP32 and FP64 values sent as JSON come back exactly as the same values sent as raw bytes', async () => {
  let seed = 11;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const values = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? (rand() - 0.5) * 1e-30 : (rand() - 0.5) * 10 ** (i % 9)));
  const res = await post(server.url, ECHO, { inputs: withAll(
    { name: 'in_FP32', datatype: 'FP32', shape: [3, 100], data: values },
    { name: 'in_FP64', datatype: 'FP64', shape: [3, 100], data: values },
  ) });
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  assert.deepEqual(dataOf(res.body, 'FP32'), Array.from(Float32Array.from(values)));
  assert.deepEqual(dataOf(res.body, 'FP64'), values);
});

test('integer datatypes in a large body keep every value and its limits', async () => {
  const ints = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 2147483647 - i : -2147483648 + i));
  const u8 = Array.from({ length: 200 }, (_, i) => i % 256);
  const res = await post(server.url, ECHO, { inputs: withAll(
    { name: 'in_INT32', datatype: 'INT32', shape: [2, 100], data: ints },
    { name: 'in_UINT8', datatype: 'UINT8', shape: [2, 100], data: u8 },
  ) });
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  assert.deepEqual([dataOf(res.body, 'INT32'), dataOf(res.body, 'UINT8')], [ints, u8]);
});

// Each faulty value, in a small body and padded past the threshold: the answers must be the same.
const faults: Array<[string, unknown, string]> = [
  ['FP32', 1e39, 'outside the FP32 range'],
  ['FP32', -3.5e38, 'outside the FP32 range'],
  ['INT8', 200, 'outside the INT8 range'],
  ['INT32', 1.5, 'must be an integer for INT32'],
  ['UINT32', -1, 'outside the UINT32 range'],
  ['INT64', 2 ** 60, 'within ±2^53'],
  ['UINT64', -1, 'outside the UINT64 range'],
  ['FP16', 70000, 'outside the FP16 range'],
  ['BOOL', 1, 'must be true or false for BOOL'],
  ['BYTES', 5, 'must be a string for BYTES'],
];
for (const [t, v, words] of faults) {
  test(`${t}: ${String(v)} in a large body gets the same 400 as in a small one`, async () => {
    const first = t === 'BOOL' ? false : t === 'BYTES' ? 'a' : 0;
    const inputs = withAll({ name: `in_${t}`, datatype: t, shape: [1, 2], data: [first, v] });
    const small = await post(server.url, ECHO, { inputs });
    const large = await post(server.url, ECHO, { id: PAD, inputs });
    assertError(small, 400, 'PONTE_BAD_REQUEST', `data[1]`, words);
    assert.deepEqual(large.body, small.body);
  });
}

test('a large body whose element count does not match the shape gets the same 400 as a small one', async () => {
  for (const data of [[1, 2, 3], []]) {
    const inputs = withAll({ name: 'in_FP32', datatype: 'FP32', shape: [1, 2], data });
    const small = await post(server.url, ECHO, { inputs });
    const large = await post(server.url, ECHO, { id: PAD, inputs });
    assertError(small, 400, 'PONTE_BAD_REQUEST', 'inputs[10].data', 'needs 2 elements');
    assert.deepEqual(large.body, small.body);
  }
});

test('invalid JSON in a large body gets the parser\'s own 400', async () => {
  const body = `{"id":"${PAD}","inputs":[{"name":"in_FP32","datatype":"FP32","shape":[1,2],"data":[1,2,]}]}`;
  const res = await post(server.url, ECHO, body);
  assertError(res, 400, 'PONTE_BAD_REQUEST', 'body: invalid JSON');
});

test('bodies the native parser leaves alone are read as JSON.parse reads them: last repeated key, escaped keys, non-ASCII', async () => {
  // The other inputs, as JSON text after the FP64 one.
  const rest = JSON.stringify(withAll().filter((t) => t['datatype'] !== 'FP64')).slice(1, -1);
  const echoOf = async (body: string): Promise<unknown[]> => {
    const res = await post(server.url, ECHO, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return dataOf(res.body, 'FP64');
  };
  const head = `"name":"in_FP64","datatype":"FP64","shape":[1,2]`;
  assert.deepEqual(await echoOf(`{"id":"${PAD}","inputs":[{${head},"data":[1,2],"data":[3,4]},${rest}]}`), [3, 4]);
  assert.deepEqual(await echoOf(`{"id":"${PAD}","inputs":[{${head},"d\\u0061ta":[5,6]},${rest}]}`), [5, 6]);
  assert.deepEqual(await echoOf(`{"id":"${PAD}é","inputs":[{${head},"data":[7,8]},${rest}]}`), [7, 8]);
  assert.deepEqual(await echoOf(`\uFEFF{"id":"${PAD}","inputs":[{${head},"data":[9,10]},${rest}]}`), [9, 10]);
});
