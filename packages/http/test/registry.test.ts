import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, Tokens, type LoadedModel, type ModelFormat, type ModelLoadRequest } from '@ponte/core';
import { startTestServer } from '../src/testing.js';

/** A format for `model.txt` files holding a number k: y = k·x. `warmupFails` makes warm-up throw. */
function scaleFormat(calls: string[]): ModelFormat {
  return {
    name: 'scale',
    fileNames: ['model.txt'],
    optionsSchema: { type: 'object', additionalProperties: false, properties: { warmupFails: { type: 'boolean' } } },
    async load(req: ModelLoadRequest): Promise<LoadedModel> {
      const k = Number((await import('node:fs')).readFileSync(req.file, 'utf8'));
      let runs = 0;
      return {
        platform: 'scale',
        signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] },
        async run(r) {
          runs++;
          calls.push(`${req.name}/${req.version} run ${runs}`);
          if (req.options['warmupFails'] === true) throw new Error('out of memory in warm-up');
          const x = r.inputs[0]!;
          return [{ name: 'y', datatype: 'FP32', shape: x.shape, data: (x.data as Float32Array).map((v) => v * k) }];
        },
        async close() { calls.push(`${req.name}/${req.version} closed`); },
      };
    },
  };
}

function repo(models: Record<string, Record<string, string>>, yaml: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-repo-'));
  for (const [name, versions] of Object.entries(models)) {
    for (const [v, k] of Object.entries(versions)) {
      mkdirSync(join(dir, name, v), { recursive: true });
      writeFileSync(join(dir, name, v, 'model.txt'), k);
    }
    if (yaml[name] !== undefined) writeFileSync(join(dir, name, 'model.yaml'), yaml[name]);
  }
  return dir;
}

const infer = async (url: string, path: string, x: number): Promise<Response> =>
  fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [x] }] }) });

test('versions follow the policy, unversioned requests go to the newest ready one, and warm-up runs before ready', async () => {
  const calls: string[] = [];
  const plugin = definePlugin({ name: 'scale', kind: 'model-format', register(ctx) { ctx.provide(Tokens.ModelFormat, scaleFormat(calls)); } });
  const dir = repo({ doubler: { '1': '2', '2': '20', '3': '200' } }, { doubler: 'versionPolicy: { latest: 2 }\nwarmup: { runs: 3 }\n' });
  const server = await startTestServer({ config: { repository: dir }, builtins: [plugin], baseDir: dir });
  try {
    const meta = (await (await fetch(`${server.url}/v2/models/doubler`)).json()) as { versions: string[] };
    assert.deepEqual(meta.versions, ['3', '2']);
    // Three warm-up runs per version happened before the server said it was ready.
    assert.equal(calls.filter((c) => c.startsWith('doubler/3 run')).length, 3);
    const newest = (await (await infer(server.url, '/v2/models/doubler/infer', 1)).json()) as { model_version: string; outputs: Array<{ data: number[] }> };
    assert.equal(newest.model_version, '3');
    assert.deepEqual(newest.outputs[0]!.data, [200]);
    const v2 = (await (await infer(server.url, '/v2/models/doubler/versions/2/infer', 1)).json()) as { outputs: Array<{ data: number[] }> };
    assert.deepEqual(v2.outputs[0]!.data, [20]);
    assert.equal((await infer(server.url, '/v2/models/doubler/versions/1/infer', 1)).status, 404);
  } finally {
    await server.stop();
  }
  assert.ok(calls.includes('doubler/3 closed') && calls.includes('doubler/2 closed'), 'sessions are closed on stop');
});

test('a version that fails its warm-up is not ready, with the reason, and the other models serve', async () => {
  const calls: string[] = [];
  const plugin = definePlugin({ name: 'scale', kind: 'model-format', register(ctx) { ctx.provide(Tokens.ModelFormat, scaleFormat(calls)); } });
  const dir = repo({ good: { '1': '3' }, flaky: { '1': '1' } }, { flaky: 'required: true\noptions: { warmupFails: true }\n' });
  const server = await startTestServer({ config: { repository: dir }, builtins: [plugin], baseDir: dir });
  try {
    const ready = await fetch(`${server.url}/v2/health/ready`);
    assert.equal(ready.status, 503);
    const detail = (await ready.json()) as { models: Array<{ name: string; ready: boolean; reason?: string }> };
    assert.equal(detail.models.find((m) => m.name === 'flaky')?.reason, 'version 1: out of memory in warm-up');
    assert.equal(detail.models.find((m) => m.name === 'good')?.ready, true);
    const res = await infer(server.url, '/v2/models/flaky/infer', 1);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'model "flaky" is not ready: version 1: out of memory in warm-up', code: 'PONTE_MODEL_NOT_READY' });
    assert.equal((await infer(server.url, '/v2/models/good/infer', 2)).status, 200);
    assert.ok(calls.includes('flaky/1 closed'), 'a model that failed warm-up is closed');
  } finally {
    await server.stop();
  }
});
