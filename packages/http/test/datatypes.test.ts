/**
 * A client sends tensors of every OIP datatype, as JSON and as raw bytes (the
 * binary tensor data extension), to an identity model: what comes back must be
 * exactly what was sent, and values a datatype cannot hold are refused with a
 * 400 that names the element and the rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { startTestServer } from '../src/testing.js';
import { assertError, fixture, PLUGINS, post } from './support/rest.js';

const ECHO = '/v2/models/echo/infer';

type Value = number | boolean | string;

/** Two rows of three values per datatype, reaching each type's limits. */
const VALUES: Record<string, Value[]> = {
  BOOL: [true, false, true, true, false, false],
  INT8: [-128, 127, 0, -1, 5, 100],
  INT16: [-32768, 32767, 0, -1, 300, -300],
  INT32: [-2147483648, 2147483647, 0, -1, 70000, -70000],
  INT64: [-(2 ** 53 - 1), 2 ** 53 - 1, 0, -1, 2 ** 40, -(2 ** 40)],
  UINT8: [0, 255, 1, 128, 7, 200],
  UINT16: [0, 65535, 1, 256, 7, 40000],
  UINT32: [0, 4294967295, 1, 65536, 7, 3000000000],
  UINT64: [0, 2 ** 53 - 1, 1, 2 ** 32, 7, 2 ** 50],
  FP16: [0.1, -2.5, 65504, 1 / 3, 0.001, 0],
  FP32: [0.1, -1e38, 3.4e38, 1e-30, 1 / 3, 0],
  FP64: [0.1, 1e300, -1e-300, Math.PI, 1 / 3, 0],
  BYTES: ['hello', '', 'ünïcödé', 'a b', '{"json":1}', '🙂'],
};
const TYPES = Object.keys(VALUES);

/** What a value of `datatype` becomes after a trip through the server. */
function stored(datatype: string, v: Value): Value {
  return datatype === 'FP32' ? Math.fround(v as number) : v;
}

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: PLUGINS, repository: fixture('repo-datatypes') } });
});

after(async () => {
  await server?.stop();
});

describe('JSON tensors of every datatype', () => {
  test('the echo model declares one dynamic-shape input and output per datatype', async () => {
    const res = await fetch(`${server.url}/v2/models/echo`);
    const meta = (await res.json()) as { inputs: Array<{ name: string; datatype: string; shape: number[] }> };
    assert.equal(res.status, 200);
    assert.deepEqual(meta.inputs.map((i) => i.datatype), TYPES);
    for (const i of meta.inputs) assert.deepEqual(i.shape, [-1, -1]);
  });

  for (const nested of [false, true]) {
    test(`every datatype round-trips through JSON (${nested ? 'nested' : 'flat'} data)`, async () => {
      const inputs = TYPES.map((t) => ({
        name: `in_${t}`, datatype: t, shape: [2, 3],
        data: nested ? [VALUES[t]!.slice(0, 3), VALUES[t]!.slice(3)] : VALUES[t],
      }));
      const res = await post(server.url, ECHO, { inputs });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const outputs = res.body.outputs as Array<{ name: string; datatype: string; shape: number[]; data: Value[] }>;
      assert.deepEqual(outputs.map((o) => o.name), TYPES.map((t) => `out_${t}`));
      for (const o of outputs) {
        const t = o.datatype;
        assert.equal(o.name, `out_${t}`);
        assert.deepEqual(o.shape, [2, 3], `${t} shape`);
        if (t === 'FP16') {
          // Half precision keeps 11 significant bits: each value within half an ulp.
          o.data.forEach((g, i) => {
            const want = VALUES.FP16![i] as number;
            assert.ok(Math.abs((g as number) - want) <= Math.abs(want) * 2 ** -11, `FP16[${i}]: sent ${want}, got ${g}`);
          });
        } else {
          assert.deepEqual(o.data, VALUES[t]!.map((v) => stored(t, v)), `${t} data`);
        }
      }
    });
  }

  test('an empty tensor (a zero dimension) round-trips', async () => {
    const inputs = TYPES.map((t) => ({ name: `in_${t}`, datatype: t, shape: [1, 0], data: [] }));
    const res = await post(server.url, ECHO, { inputs });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const o of res.body.outputs) {
      assert.deepEqual(o.shape, [1, 0]);
      assert.deepEqual(o.data, []);
    }
  });

  // Each value the datatype cannot hold, with the words the error must use.
  const outOfRange: Array<[string, Value, string]> = [
    ['INT8', 200, '200 is outside the INT8 range'],
    ['INT8', -129, '-129 is outside the INT8 range'],
    ['UINT8', -1, '-1 is outside the UINT8 range'],
    ['UINT16', 65536, 'outside the UINT16 range'],
    ['INT32', 2 ** 31, 'outside the INT32 range'],
    ['UINT32', -1, 'outside the UINT32 range'],
    ['UINT64', -1, 'outside the UINT64 range'],
    ['INT64', 2 ** 60, 'within ±2^53'],
    ['FP32', 1e39, 'outside the FP32 range'],
    ['FP16', 70000, 'outside the FP16 range'],
  ];
  for (const [t, v, words] of outOfRange) {
    test(`${t} ${v} is refused as out of range`, async () => {
      const res = await post(server.url, ECHO, { inputs: [{ name: `in_${t}`, datatype: t, shape: [1, 2], data: [0, v] }] });
      assertError(res, 400, 'PONTE_BAD_REQUEST', 'inputs[0].data[1]', words);
    });
  }

  const wrongType: Array<[string, Value, string]> = [
    ['FP32', '1.5', 'must be a number for FP32'],
    ['FP64', true, 'must be a number for FP64'],
    ['INT32', 1.5, 'must be an integer for INT32'],
    ['UINT8', '7', 'must be an integer for UINT8'],
    ['BOOL', 1, 'must be true or false for BOOL'],
    ['BYTES', 5, 'must be a string for BYTES'],
  ];
  for (const [t, v, words] of wrongType) {
    test(`${t} refuses ${JSON.stringify(v)} as the wrong element type`, async () => {
      const first = t === 'BOOL' ? false : t === 'BYTES' ? 'a' : 0;
      const res = await post(server.url, ECHO, { inputs: [{ name: `in_${t}`, datatype: t, shape: [1, 2], data: [first, v] }] });
      assertError(res, 400, 'PONTE_BAD_REQUEST', 'inputs[0].data[1]', words);
    });
  }

  test('FP64 1e400 (Infinity once parsed) is refused as not finite', async () => {
    // A complete request, so the check that fails is the one on the value.
    const inputs = TYPES.map((t) => ({ name: `in_${t}`, datatype: t, shape: [2, 3], data: VALUES[t] }));
    const body = JSON.stringify({ inputs }).replace(String(Math.PI), '1e400');
    assert.ok(body.includes('1e400'));
    const res = await post(server.url, ECHO, body);
    assertError(res, 400, 'PONTE_VALIDATION_FAILED', `inputs[${TYPES.indexOf('FP64')}].data[3]`, 'must be a finite number, got Infinity');
  });

  test('a null element is refused, not read as zero', async () => {
    const res = await post(server.url, ECHO, { inputs: [{ name: 'in_FP32', datatype: 'FP32', shape: [1, 2], data: [1, null] }] });
    assertError(res, 400, 'PONTE_BAD_REQUEST', 'inputs[0].data[1]', 'got null');
  });
});

/** Raw little-endian bytes of `values` as `datatype` (BYTES: 4-byte length, then UTF-8). */
function toBytes(datatype: string, values: ReadonlyArray<Value | bigint>): Uint8Array {
  const n = values.length;
  switch (datatype) {
    case 'BOOL': return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'INT8': return new Uint8Array(Int8Array.from(values as number[]).buffer);
    case 'INT16': return new Uint8Array(Int16Array.from(values as number[]).buffer);
    case 'INT32': return new Uint8Array(Int32Array.from(values as number[]).buffer);
    case 'INT64': return new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v as number | bigint)).buffer);
    case 'UINT8': return Uint8Array.from(values as number[]);
    case 'UINT16': return new Uint8Array(Uint16Array.from(values as number[]).buffer);
    case 'UINT32': return new Uint8Array(Uint32Array.from(values as number[]).buffer);
    case 'UINT64': return new Uint8Array(BigUint64Array.from(values, (v) => BigInt(v as number | bigint)).buffer);
    case 'FP16': {
      // Exact half bit patterns, so the echo can be compared bit for bit.
      return new Uint8Array(Uint16Array.from(values as number[]).buffer);
    }
    case 'FP32': return new Uint8Array(Float32Array.from(values as number[]).buffer);
    case 'FP64': return new Uint8Array(Float64Array.from(values as number[]).buffer);
    case 'BYTES': {
      const parts = (values as string[]).map((s) => new TextEncoder().encode(s));
      const out = new Uint8Array(parts.reduce((k, p) => k + 4 + p.byteLength, 0));
      const view = new DataView(out.buffer);
      let off = 0;
      for (const p of parts) { view.setUint32(off, p.byteLength, true); out.set(p, off + 4); off += 4 + p.byteLength; }
      return out;
    }
    default: throw new Error(`no encoding for ${datatype} (${n} values)`);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((k, p) => k + p.byteLength, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.byteLength; }
  return out;
}

/** A binary-extension body: JSON header, then the raw tensors; returns the body and the header length. */
function binaryBody(header: unknown, tensors: Uint8Array[]): { body: Uint8Array; headerLength: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  return { body: concat([json, ...tensors]), headerLength: json.byteLength };
}

interface BinaryAnswer {
  status: number;
  json: { outputs: Array<{ name: string; datatype: string; shape: number[]; data?: Value[]; parameters?: { binary_data_size?: number } }> } & Record<string, unknown>;
  /** Raw bytes of each binary output, by name. */
  raw: Map<string, Uint8Array>;
}

async function postBinary(body: Uint8Array, headerLength: number | string): Promise<BinaryAnswer> {
  const res = await fetch(`${server.url}${ECHO}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const h = res.headers.get('inference-header-content-length');
  // Without binary outputs the answer is plain JSON, and so is every error.
  const jsonLength = h === null ? bytes.byteLength : Number(h);
  if (h === null) assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(0, jsonLength))) as BinaryAnswer['json'];
  const raw = new Map<string, Uint8Array>();
  let off = jsonLength;
  for (const o of json.outputs ?? []) {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) continue;
    raw.set(o.name, bytes.slice(off, off + size));
    off += size;
  }
  if (res.status === 200) assert.equal(off, bytes.byteLength, 'every byte after the JSON header belongs to an output');
  return { status: res.status, json, raw };
}

describe('binary tensor data extension', () => {
  // Full 64-bit ranges, which JSON cannot carry, and exact half bit patterns.
  const BINARY: Record<string, ReadonlyArray<Value | bigint>> = {
    ...VALUES,
    INT64: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n, 42n],
    UINT64: [0n, 2n ** 64n - 1n, 1n, 2n ** 63n, 2n ** 53n + 1n, 42n],
    FP16: [0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x8000], // 1, -2, 65504, smallest subnormal, ~1/3, -0
  };

  test('raw input bytes in, raw output bytes out (binary_data_output): every datatype matches byte for byte', async () => {
    const tensors = TYPES.map((t) => toBytes(t, BINARY[t]!));
    const header = {
      inputs: TYPES.map((t, i) => ({ name: `in_${t}`, datatype: t, shape: [2, 3], parameters: { binary_data_size: tensors[i]!.byteLength } })),
      parameters: { binary_data_output: true },
    };
    const { body, headerLength } = binaryBody(header, tensors);
    const res = await postBinary(body, headerLength);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.outputs.length, TYPES.length);
    TYPES.forEach((t, i) => {
      const o = res.json.outputs[i]!;
      assert.equal(o.name, `out_${t}`);
      assert.equal(o.datatype, t);
      assert.deepEqual(o.shape, [2, 3]);
      assert.equal(o.data, undefined, `${t}: a binary output carries no JSON data`);
      assert.deepEqual(res.raw.get(o.name), tensors[i], `${t}: bytes differ`);
    });
    // Decode two of them as a client would, to check byte order and BYTES framing.
    assert.deepEqual([...new BigInt64Array(res.raw.get('out_INT64')!.buffer)], BINARY.INT64);
    const strings: string[] = [];
    const b = res.raw.get('out_BYTES')!;
    for (let off = 0; off < b.byteLength;) {
      const len = new DataView(b.buffer, b.byteOffset).getUint32(off, true);
      strings.push(new TextDecoder().decode(b.subarray(off + 4, off + 4 + len)));
      off += 4 + len;
    }
    assert.deepEqual(strings, VALUES.BYTES);
  });

  test('binary inputs can be answered in JSON, and JSON inputs in binary for just the outputs asked', async () => {
    // FP32 goes in as bytes and comes back as JSON; every other input is JSON.
    const fp32 = toBytes('FP32', VALUES.FP32!);
    const inputs = TYPES.map((t) => (t === 'FP32'
      ? { name: 'in_FP32', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: fp32.byteLength } }
      : { name: `in_${t}`, datatype: t, shape: [2, 3], data: VALUES[t] }));
    const header = { inputs, outputs: [{ name: 'out_FP32' }, { name: 'out_FP64', parameters: { binary_data: true } }] };
    const { body, headerLength } = binaryBody(header, [fp32]);
    const res = await postBinary(body, headerLength);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json.outputs.map((o) => o.name), ['out_FP32', 'out_FP64']);
    assert.deepEqual(res.json.outputs[0]!.data, VALUES.FP32!.map((v) => Math.fround(v as number)));
    assert.deepEqual([...new Float64Array(res.raw.get('out_FP64')!.buffer)], VALUES.FP64);
  });

  // Malformed bodies of the extension, each refused with 400 naming what is wrong.
  const one = toBytes('FP32', [1, 2, 3]);
  const fp32Header = (size: number): unknown => ({ inputs: [{ name: 'in_FP32', datatype: 'FP32', shape: [1, 3], parameters: { binary_data_size: size } }] });
  const cases: Array<{ story: string; make: () => { body: Uint8Array; headerLength: number | string }; mentions: string[] }> = [
    {
      story: 'a header length larger than the body',
      make: () => { const b = binaryBody(fp32Header(12), [one]); return { body: b.body, headerLength: b.body.byteLength + 10 }; },
      mentions: ['Inference-Header-Content-Length', 'between 1 and the body size'],
    },
    {
      story: 'a header length that is not a number',
      make: () => { const b = binaryBody(fp32Header(12), [one]); return { body: b.body, headerLength: 'twelve' }; },
      mentions: ['Inference-Header-Content-Length'],
    },
    {
      story: 'a header length that cuts the JSON short',
      make: () => { const b = binaryBody(fp32Header(12), [one]); return { body: b.body, headerLength: b.headerLength - 5 }; },
      mentions: ['invalid JSON'],
    },
    {
      story: 'bytes after the header that no input claims',
      make: () => binaryBody(fp32Header(12), [one, new Uint8Array(4)]),
      mentions: ['4 bytes', 'not claimed'],
    },
    {
      story: 'a binary_data_size running past the end of the body',
      make: () => binaryBody(fp32Header(16), [one]),
      mentions: ['inputs[0].parameters.binary_data_size', 'past the end'],
    },
    {
      story: 'a binary_data_size that does not fit the shape',
      make: () => binaryBody(fp32Header(8), [one.subarray(0, 8)]),
      mentions: ['inputs[0]', 'needs 12 bytes, got 8'],
    },
    {
      story: 'both data and binary_data_size on one input',
      make: () => binaryBody({ inputs: [{ name: 'in_FP32', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3], parameters: { binary_data_size: 12 } }] }, [one]),
      mentions: ['inputs[0].data', 'absent'],
    },
    {
      story: 'a BOOL byte that is neither 0 nor 1',
      make: () => binaryBody({ inputs: [{ name: 'in_BOOL', datatype: 'BOOL', shape: [1, 2], parameters: { binary_data_size: 2 } }] }, [Uint8Array.of(1, 2)]),
      mentions: ['inputs[0][1]', 'BOOL bytes must be 0 or 1'],
    },
    {
      story: 'a BYTES element whose length prefix runs past its data',
      make: () => binaryBody({ inputs: [{ name: 'in_BYTES', datatype: 'BYTES', shape: [1, 1], parameters: { binary_data_size: 6 } }] }, [Uint8Array.of(200, 0, 0, 0, 65, 66)]),
      mentions: ['inputs[0]', 'runs past the end'],
    },
  ];
  for (const c of cases) {
    test(`${c.story} is refused with 400`, async () => {
      const { body, headerLength } = c.make();
      const res = await postBinary(body, headerLength);
      assert.equal(res.status, 400, JSON.stringify(res.json));
      const err = res.json as unknown as { error: string; code: string };
      assert.equal(err.code, 'PONTE_BAD_REQUEST');
      for (const m of c.mentions) assert.ok(err.error.includes(m), `${JSON.stringify(err.error)} should mention ${JSON.stringify(m)}`);
    });
  }
});
