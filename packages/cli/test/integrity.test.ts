/**
 * Model integrity over REST: a repository holding copies of the purchase
 * model, each pinning the sha256 of its model.onnx. The one whose digest
 * matches serves; the one whose file was swapped is not ready, says why, and
 * the server goes on serving the other. `ponte inspect` prints the digest to
 * pin.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { runCli } from './cli-process.js';

const MODEL_FILE = join(EXAMPLE_MODELS, 'purchase', '1', 'model.onnx');
const DIGEST = createHash('sha256').update(readFileSync(MODEL_FILE)).digest('hex');
const WRONG = '0'.repeat(64);
const ROW = { instances: [[39, 52.7, 0, 3.26, 3, 365, 0, 0]] };

let dir: string;
let server: PonteServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ponte-integrity-'));
  for (const [name, sha256] of [['trusted', DIGEST], ['tampered', WRONG]] as const) {
    cpSync(join(EXAMPLE_MODELS, 'purchase'), join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'model.yaml'), `${readFileSync(join(dir, name, 'model.yaml'), 'utf8')}\nsha256: { "1": "${sha256}" }\n`);
  }
  server = await startTestServer({ config: { plugins: ['@ponte/onnx'], repository: dir } });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the model whose file matches its pinned sha256 is ready and serves', async () => {
  const ready = await fetch(`${server.url}/v2/models/trusted/ready`);
  assert.equal(ready.status, 200);
  const res = await fetch(`${server.url}/v1/models/trusted:predict`, { method: 'POST', body: JSON.stringify(ROW) });
  assert.equal(res.status, 200, await res.clone().text());
});

test('the model whose file does not match is not ready, with the reason in the ready endpoint and the metadata', async () => {
  const expected = `sha256 mismatch: expected ${WRONG}, got ${DIGEST}`;
  const ready = await fetch(`${server.url}/v2/models/tampered/ready`);
  assert.equal(ready.status, 503);
  const readyBody = (await ready.json()) as { ready: boolean; reason: string };
  assert.equal(readyBody.ready, false);
  assert.match(readyBody.reason, new RegExp(expected));

  const meta = (await (await fetch(`${server.url}/v2/models/tampered`)).json()) as { state: string; version_status: Array<{ version: string; state: string; reason: string }> };
  assert.equal(meta.state, 'failed');
  assert.deepEqual(meta.version_status.map((v) => [v.version, v.state, v.reason]), [['1', 'failed', expected]]);

  const refused = await fetch(`${server.url}/v1/models/tampered:predict`, { method: 'POST', body: JSON.stringify(ROW) });
  assert.equal(refused.status, 503);
  assert.match(((await refused.json()) as { error: string }).error, /sha256 mismatch/);
  // …and the trusted copy still answers.
  assert.equal((await fetch(`${server.url}/v1/models/trusted:predict`, { method: 'POST', body: JSON.stringify(ROW) })).status, 200);
});

test('ponte inspect prints the sha256 of the model file, the digest to pin', async () => {
  const r = await runCli(['inspect', MODEL_FILE]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { format: string; sha256: string };
  assert.equal(out.format, 'onnx');
  assert.equal(out.sha256, DIGEST);
});
