import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

type Json = Record<string, any>;

test('a model that failed to load is listed as not ready, and the document follows readiness changes', async () => {
  const repo = mkdtempSync(join(tmpdir(), 'ponte-openapi-'));
  cpSync(join(EXAMPLE_MODELS, 'purchase'), join(repo, 'purchase'), { recursive: true });
  mkdirSync(join(repo, 'broken', '1'), { recursive: true });
  writeFileSync(join(repo, 'broken', '1', 'model.onnx'), 'this is not an ONNX model');
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi'], repository: repo } });
  try {
    const res = await fetch(`${server.url}/openapi.json`);
    const doc = (await res.json()) as Json;
    const etag = res.headers.get('etag');
    assert.equal((await new Validator().validate(structuredClone(doc))).valid, true);
    assert.ok(doc.paths['/v1/models/purchase:predict'], 'the working model is described');
    assert.equal(doc.paths['/v1/models/broken:predict'], undefined, 'a failed model has no concrete paths');
    const tag = doc.tags.find((t: Json) => t.name === 'broken');
    assert.match(tag.description, /Not ready/);
    assert.match(tag.description, /failed/);

    // Unloading changes readiness: the next request rebuilds the document.
    await server.registry.closeAll();
    const after = await fetch(`${server.url}/openapi.json`, { headers: { 'if-none-match': etag! } });
    assert.equal(after.status, 200, 'the old ETag no longer matches');
    const rebuilt = (await after.json()) as Json;
    assert.equal(rebuilt.paths['/v1/models/purchase:predict'], undefined);
    assert.match(rebuilt.tags.find((t: Json) => t.name === 'purchase').description, /unloaded/);
  } finally {
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  }
});
