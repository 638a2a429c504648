import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, Tokens, validationError, type LoadedModel, type ModelFormat, type Validator } from '@ponte/core';
import { startTestServer } from '../src/testing.js';

const echo: ModelFormat = {
  name: 'echo',
  fileNames: ['model.echo'],
  async load(): Promise<LoadedModel> {
    return {
      platform: 'echo',
      signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] },
      async run(r) { return [{ ...r.inputs[0]!, name: 'y' }]; },
      async close() {},
    };
  },
};

test('a validator that checks asynchronously (say, against a lookup service) is waited for: its refusal is the answer', async () => {
  const repository = mkdtempSync(join(tmpdir(), 'ponte-async-validator-'));
  mkdirSync(join(repository, 'echo', '1'), { recursive: true });
  writeFileSync(join(repository, 'echo', '1', 'model.echo'), '');
  const checked: number[] = [];
  const lookup: Validator = {
    name: 'slow-lookup',
    async validate(req) {
      await new Promise((r) => setTimeout(r, 20));
      const x = (req.inputs[0]!.data as Float32Array)[0]!;
      checked.push(x);
      if (x > 10) throw validationError('inputs[0].data[0]', 'must be a known customer id (≤ 10)');
    },
  };
  const plugin = definePlugin({ name: 'echo-and-lookup', kind: 'model-format', register(ctx) { ctx.provide(Tokens.ModelFormat, echo); ctx.provide(Tokens.Validator, lookup); } });
  const server = await startTestServer({ config: { repository }, builtins: [plugin], baseDir: repository });
  try {
    const infer = (x: number): Promise<Response> => fetch(`${server.url}/v2/models/echo/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [x] }] }) });
    const refused = await infer(42);
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { error: 'inputs[0].data[0]: must be a known customer id (≤ 10)', code: 'PONTE_VALIDATION_FAILED' });
    const ok = await infer(7);
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data, [7]);
    assert.deepEqual(checked.filter((x) => x === 42 || x === 7), [42, 7]);
  } finally {
    await server.stop();
  }
});
