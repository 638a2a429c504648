import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitInferBody, unavailableReason, type SplitInferBody } from '../src/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What a caller rebuilds from a split body: JSON.parse of the rest, the arrays put back as plain numbers. */
function rebuilt(split: SplitInferBody): unknown {
  const body = JSON.parse(split.json) as { inputs: Array<{ data: unknown }> };
  for (const d of split.data) body.inputs[d.input]!.data = Array.from(d.values);
  return body;
}

const skip = unavailableReason === undefined ? false : `the addon is not built here (${unavailableReason})`;

test('a client sending 256 full-precision floats gets exactly the numbers JSON.parse reads', { skip }, () => {
  let seed = 7;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  for (let round = 0; round < 200; round++) {
    const data = Array.from({ length: 256 }, () => {
      const kind = rand();
      if (kind < 0.6) return Math.fround((rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6));
      if (kind < 0.8) return (rand() - 0.5) * 10 ** Math.floor(rand() * 600 - 300);
      if (kind < 0.9) return Math.floor((rand() - 0.5) * 2 ** 53);
      return [0, -0, 1, -1, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308][Math.floor(rand() * 7)]!;
    });
    const text = JSON.stringify({ id: `r${round}`, inputs: [{ name: 'input', shape: [1, 256], datatype: 'FP32', data }], outputs: [{ name: 'p' }] });
    const split = splitInferBody(bytes(text));
    assert.ok(split, `round ${round}: split`);
    assert.deepEqual(split.json, text.replace(/"data":\[[^\]]*\]/, '"data":null'));
    const values = split.data[0]!.values;
    const expected = (JSON.parse(text) as { inputs: Array<{ data: number[] }> }).inputs[0]!.data;
    for (let i = 0; i < expected.length; i++) assert.ok(Object.is(values[i], expected[i]), `round ${round}, element ${i}: ${values[i]} vs ${expected[i]}`);
  }
});

test('numbers written by hand, in every form JSON allows, read as JSON.parse reads them', { skip }, () => {
  const forms = ['0', '-0', '1', '-1', '10', '0.5', '-0.5', '1e3', '1E3', '1e+3', '1e-3', '-1.25E-2', '123456789012345678901234567890',
    '0.1000000000000000055511151231257827', '4.9406564584124654e-324', '2.225073858507201e-308', '9007199254740993', '1.7976931348623157e308', '0e0', '0.0000'];
  const text = `{"inputs":[{"name":"x","datatype":"FP64","shape":[${forms.length}],"data":[ ${forms.join(' ,\n\t')} ]}]}`;
  const split = splitInferBody(bytes(text));
  assert.ok(split);
  assert.deepEqual(rebuilt(split), JSON.parse(text));
  forms.forEach((f, i) => assert.ok(Object.is(split.data[0]!.values[i], Number(JSON.parse(f))), f));
});

test('several inputs: each flat number array is lifted out and the rest is kept as sent', { skip }, () => {
  const body = {
    id: 'batch-7',
    parameters: { timeout: 200, note: 'data: [1, 2] in a string stays a string', data: [9, 9] },
    inputs: [
      { name: 'a', shape: [2], datatype: 'FP32', data: [1.5, -2] },
      { name: 'b', shape: [2], datatype: 'BYTES', data: ['x', 'y'] },
      { name: 'c', shape: [2, 2], datatype: 'INT32', data: [[1, 2], [3, 4]] },
      { name: 'd', shape: [0], datatype: 'FP32', data: [] },
      { name: 'e', shape: [1], datatype: 'BOOL', data: [true] },
      { name: 'f', shape: [2], datatype: 'FP32', parameters: { data: [1] }, data: [3, 4] },
      { name: 'g', shape: [1], datatype: 'FP32', data: [1, 'mixed'] },
    ],
  };
  const text = JSON.stringify(body);
  const split = splitInferBody(bytes(text));
  assert.ok(split);
  assert.deepEqual(split.data.map((d) => [d.input, Array.from(d.values)]), [[0, [1.5, -2]], [3, []], [5, [3, 4]]]);
  assert.deepEqual(rebuilt(split), body);
});

test('bodies the split would read differently from JSON.parse are left to JSON.parse', { skip }, () => {
  const refused = [
    // JSON.parse keeps the last of repeated keys, and reads escaped ones as plain
    '{"inputs":[{"data":[1],"data":[2]}]}', '{"inputs":[],"inputs":[{"data":[1]}]}', '{"inputs":[{"d\\u0061ta":[1],"data":[2]}]}', '{"\\u0069nputs":[{"data":[1]}],"inputs":[]}',
    // TextDecoder drops a BOM and replaces malformed UTF-8; doubles overflow to Infinity or underflow to 0
    '\uFEFF{"inputs":[{"data":[1]}]}', '{"inputs":[{"name":"é","data":[1]}]}', '{"inputs":[{"data":[1e400]}]}', '{"inputs":[{"data":[-1e400]}]}', '{"inputs":[{"data":[1e-400]}]}',
  ];
  for (const text of refused) assert.equal(splitInferBody(bytes(text)), undefined, JSON.stringify(text));
});

test('invalid JSON is never made valid by the split: it is refused, or its rest fails JSON.parse too', { skip }, () => {
  const invalid = [
    '', '   ', '{', '{"inputs":[{"data":[1 2]}]}', '{"inputs":[{"data":[01]}]}', '{"inputs":[{"data":[1.]}]}', '{"inputs":[{"data":[.5]}]}',
    '{"inputs":[{"data":[+1]}]}', '{"inputs":[{"data":[1e]}]}', '{"inputs":[{"data":[-]}]}', '{"inputs":[{"data":[NaN]}]}',
    '{"inputs":[{"data":[Infinity]}]}', '{"inputs":[{"data":[1]}]', '{"inputs":[{"data":[1]}]}x', '{"inputs":[{"data":[1],}]}',
    '{"inputs":[{"data" [1]}]}', '{"inputs":[{"data":[1]}]} {}', '{"inputs":[{"name":"unterminated}]}',
    '{"inputs":[{"data":[1]}],"parameters":{"a":tru}}', '{"inputs":[{"data":[1],"name":"x\u0001"}]}', '{"inputs":[{"data":[1],"shape":[1,}]}',
    '{"inputs":[{"data":[1,2,]}]}', '{"inputs":[{"data":[[1],]}]}', '{"inputs":[{"data":[1]},]}', '{"inputs":[{"data":[1]}],"x":[}',
    '{"inputs":[{"data":[1]}],"x":"\\q"}', '{"inputs":[{"data":[1]}],"x":01}', '{"inputs":[{"data":[1]}],"x":[1}]}',
  ];
  let split = 0;
  for (const text of invalid) {
    assert.throws(() => JSON.parse(text), SyntaxError, JSON.stringify(text));
    const r = splitInferBody(bytes(text));
    if (r === undefined) continue;
    split++;
    assert.throws(() => JSON.parse(r.json), SyntaxError, JSON.stringify(text));
  }
  assert.ok(split >= 5, `${split} of the invalid bodies were split (those whose fault lies outside inputs[].data's numbers)`);
});

test('a body with no flat number data comes back whole, with nothing lifted out', { skip }, () => {
  const text = '{"inputs":[{"name":"s","shape":[1],"datatype":"BYTES","data":["hello"]}],"outputs":[]}';
  assert.deepEqual(splitInferBody(bytes(text)), { json: text, data: [] });
});

test('5,000 mutated bodies: the split never crashes, never accepts what JSON.parse refuses, and reads the same values', { skip }, () => {
  let seed = 2024;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const base = JSON.stringify({ id: 'x', parameters: { a: [1, { b: 'c' }] }, inputs: [
    { name: 'a', shape: [1, 4], datatype: 'FP32', data: [0.5, -1.25e-3, 3, 1e10] },
    { name: 'b', shape: [2], datatype: 'BYTES', data: ['p', 'q'] },
    { name: 'c', shape: [1, 2], datatype: 'FP64', data: [[1, 2]] },
  ] });
  const alphabet = '{}[],:"\\ -+.eE0123456789tnulx';
  let validSplit = 0;
  for (let round = 0; round < 5000; round++) {
    const chars = [...base];
    for (let k = 1 + rand(3); k > 0; k--) {
      const at = rand(chars.length);
      const op = rand(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
      else chars[at] = alphabet[rand(alphabet.length)]!;
    }
    const text = chars.join('');
    let expected: unknown;
    let valid = true;
    try { expected = JSON.parse(text); } catch { valid = false; }
    const split = splitInferBody(bytes(text));
    if (split === undefined) continue;
    let rest: unknown;
    try { rest = JSON.parse(split.json); } catch {
      assert.equal(valid, false, `the rest of a valid body failed to parse: ${text}`);
      continue;
    }
    assert.equal(valid, true, `an invalid body became valid: ${text}`);
    assert.deepEqual(rebuilt(split), expected, text);
    void rest;
    validSplit++;
  }
  // About one mutation in twenty leaves valid JSON; the split must have read those, not passed them on.
  assert.ok(validSplit >= 200, `${validSplit} valid mutated bodies were split`);
});

for (const n of [20_000, 1_100_000]) test(`a body with more numbers than the reused buffer holds (${n}) is read whole, and later small ones still are`, { skip }, () => {
  const big = Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 100));
  const text = JSON.stringify({ inputs: [{ name: 'x', shape: [1, n], datatype: 'FP32', data: big }] });
  const split = splitInferBody(bytes(text));
  assert.ok(split);
  assert.deepEqual(Array.from(split.data[0]!.values), big);
  const small = splitInferBody(bytes('{"inputs":[{"name":"y","shape":[2],"datatype":"FP32","data":[7,8]}]}'));
  assert.deepEqual(Array.from(small!.data[0]!.values), [7, 8]);
});
