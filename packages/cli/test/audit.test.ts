/**
 * The audit log over REST: a plugin's admin route and the gate's refusals,
 * written to the file `server.audit.path` names, without the credential.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, Tokens, type PonteServer } from '@ponte/core';
import { HttpTokens, jsonAnswer } from '@ponte/http';
import { bearerTestAuth, EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

const TOKEN = 'tok-7f3a9c1e5b2d4068';

/** `Bearer <TOKEN>` is "ops" (may administer purchase); `Bearer viewer` may only read. */
const auth = bearerTestAuth((t) => (t === TOKEN ? { id: 'ops', scopes: ['admin:purchase', 'read:*'] } : t === 'viewer' ? { id: 'viewer', scopes: ['read:*'] } : undefined));

/** A management route: `POST /admin/models/{name}/reload`. */
const management = definePlugin({
  name: 'test-management',
  kind: 'other',
  register(ctx) {
    ctx.resolve(HttpTokens.Routes).add({ method: 'POST', path: '/admin/models/{name}/reload', name: 'model_reload', action: 'admin', respond: (x) => jsonAnswer({ reloaded: x.params['name'] }) }, ctx.name);
  },
});

let dir: string;
let server: PonteServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ponte-audit-'));
  server = await startTestServer({ config: { plugins: ['@ponte/onnx'], repository: EXAMPLE_MODELS, server: { audit: { path: 'audit.jsonl' } } }, baseDir: dir, builtins: [auth, management] });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('refusals and a plugin\'s admin route are audited in the file, never with the credential', async () => {
  const reload = (headers: Record<string, string>): Promise<Response> => fetch(`${server.url}/admin/models/purchase/reload`, { method: 'POST', headers });
  assert.equal((await reload({})).status, 401);
  assert.equal((await reload({ authorization: `Bearer ${TOKEN}x` })).status, 401);
  assert.equal((await reload({ authorization: 'Bearer viewer' })).status, 403);
  assert.equal((await reload({ authorization: `Bearer ${TOKEN}`, 'x-request-id': 'reload-1' })).status, 200);
  assert.equal((await fetch(`${server.url}/v2/models/purchase`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, 'a read is not audited');

  const text = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
  assert.equal(text.includes(TOKEN), false, 'the credential never reaches the audit log');
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => [l['event'], l['status'], l['code'] ?? l['outcome'], l['principal'], l['protocol'], l['endpoint'], l['action'], l['model']]), [
    ['unauthenticated', 401, 'PONTE_UNAUTHENTICATED', undefined, 'rest', 'model_reload', 'admin', 'purchase'],
    ['unauthenticated', 401, 'PONTE_UNAUTHENTICATED', undefined, 'rest', 'model_reload', 'admin', 'purchase'],
    ['forbidden', 403, 'PONTE_FORBIDDEN', 'viewer', 'rest', 'model_reload', 'admin', 'purchase'],
    ['admin', 200, 'ok', 'ops', 'rest', 'model_reload', 'model_reload', 'purchase'],
  ]);
  assert.equal(lines[3]!['requestId'], 'reload-1');
  assert.equal(lines[1]!['reason'], 'invalid credentials');
});
