import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startTestServer } from '@ponte/http/testing';

/** The project folder (this file runs from dist/test/). */
const projectDir = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = '{{model}}';

interface InputMetadata { name: string; datatype: string; shape: number[] }

/** `rows` rows of zeros for every input of the model, shaped as its metadata says (OIP v2 infer body). */
function zeroRows(inputs: readonly InputMetadata[], rows: number): unknown {
  return {
    inputs: inputs.map((input) => {
      const shape = [rows, ...input.shape.slice(1).map((d) => (d > 0 ? d : 1))];
      const size = shape.reduce((a, b) => a * b, 1);
      const zero = input.datatype === 'BOOL' ? false : input.datatype === 'BYTES' ? '' : 0;
      return { name: input.name, datatype: input.datatype, shape, data: new Array(size).fill(zero) };
    }),
  };
}

test('the service refuses a request with more rows than the plugin allows, naming the field and the rule', async () => {
  const server = await startTestServer({
    baseDir: projectDir,
    config: {
      plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', { package: './dist/src/plugins/request-limits.js', options: { maxRows: 100, perModel: { [MODEL]: 2 } } }],
      repository: join(projectDir, 'models'),
    },
  });
  try {
    const metadata = (await (await fetch(`${server.url}/v2/models/${MODEL}`)).json()) as { inputs: InputMetadata[] };

    const within = await fetch(`${server.url}/v2/models/${MODEL}/infer`, { method: 'POST', body: JSON.stringify(zeroRows(metadata.inputs, 2)) });
    assert.equal(within.status, 200, await within.clone().text());

    const tooMany = await fetch(`${server.url}/v2/models/${MODEL}/infer`, { method: 'POST', body: JSON.stringify(zeroRows(metadata.inputs, 3)) });
    assert.equal(tooMany.status, 400);
    const body = (await tooMany.json()) as { error: string; code: string };
    assert.equal(body.code, 'PONTE_VALIDATION_FAILED');
    assert.equal(body.error, `inputs[0].shape[0]: at most 2 rows per request for model "${MODEL}", got 3`);
  } finally {
    await server.stop();
  }
});
