import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createLogger, loadConfigFile, PonteServer } from '@ponte/core';
import { httpProtocol } from '@ponte/http';

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function startFromExampleConfig(): Promise<PonteServer> {
  const loaded = loadConfigFile(join(exampleDir, 'ponte.yaml'));
  loaded.config.server.port = 0;
  loaded.config.logging.requests = false;
  const server = await PonteServer.create(loaded, { logger: createLogger('silent'), defaults: [httpProtocol] });
  await server.start();
  return server;
}

function rows(n: number, width: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: width }, (_, j) => ((i + j) % 7) / 7));
}

test('a plugin loaded by relative path from the config limits rows per request', async () => {
  const server = await startFromExampleConfig();
  try {
    const tooMany = await fetch(`${server.url}/v2/models/wide_mlp/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [17, 256], data: rows(17, 256) }] }),
    });
    assert.equal(tooMany.status, 400);
    const body = (await tooMany.json()) as { error: string; code: string };
    assert.equal(body.code, 'PONTE_VALIDATION_FAILED');
    assert.match(body.error, /^inputs\[0\]\.shape\[0\]: at most 16 rows per request for model "wide_mlp", got 17$/);

    const within = await fetch(`${server.url}/v2/models/wide_mlp/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [16, 256], data: rows(16, 256) }] }),
    });
    assert.equal(within.status, 200);
    const out = (await within.json()) as { outputs: Array<{ shape: number[] }> };
    assert.deepEqual(out.outputs[0]!.shape, [16, 10]);

    const named = await fetch(`${server.url}/v1/models/purchase:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: Array.from({ length: 101 }, () => [40, 50, 2, 5, 10, 30, 1, 1]) }),
    });
    assert.equal(named.status, 400);
    assert.match(((await named.json()) as { error: string }).error, /^instances: at most 100 rows/);
  } finally {
    await server.stop();
  }
});
