import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { createKey, type CreatedKey } from '@ponte/auth-apikey';

const ROW = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] };

function infer(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v2/models/purchase/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(ROW) });
}

function metadata(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v2/models/purchase`, { headers });
}

const bearer = (k: CreatedKey): Record<string, string> => ({ authorization: `Bearer ${k.key}` });
const entryOf = (k: CreatedKey): { id: string; hash: string; scopes: string[] } => ({ id: k.id, hash: k.hash, scopes: k.scopes });

describe('keys in the config', () => {
  let server: PonteServer;
  let billing: CreatedKey;
  let ops: CreatedKey;

  before(async () => {
    billing = await createKey({ id: 'billing', scopes: ['infer:purchase'] });
    ops = await createKey({ id: 'ops', scopes: ['read:*'] });
    server = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-apikey', options: { keys: [entryOf(billing), entryOf(ops)] } }], repository: EXAMPLE_MODELS } });
  });
  after(() => server.stop());

  it('a key with infer:purchase may infer on purchase, but not read its metadata', async () => {
    const res = await infer(server.url, bearer(billing));
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { model_name: string }).model_name, 'purchase');
    const denied = await metadata(server.url, bearer(billing));
    assert.equal(denied.status, 403);
    assert.match(((await denied.json()) as { error: string }).error, /no scope for read:purchase/);
  });

  it('a key with read:* may read, but not infer', async () => {
    assert.equal((await metadata(server.url, bearer(ops))).status, 200);
    assert.equal((await infer(server.url, bearer(ops))).status, 403);
  });

  it('the key may come in X-API-Key instead', async () => {
    assert.equal((await infer(server.url, { 'x-api-key': billing.key })).status, 200);
  });

  it('no credentials: 401 with a Bearer challenge', async () => {
    const res = await infer(server.url);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await res.json()) as { code: string }).code, 'PONTE_UNAUTHENTICATED');
  });

  it('a wrong, unknown or malformed key: 401 "invalid API key", the key never echoed', async () => {
    const wrong = `${billing.key.slice(0, -43)}${'Z'.repeat(43)}`;
    for (const headers of [{ authorization: `Bearer ${wrong}` }, { 'x-api-key': wrong }, { 'x-api-key': billing.key.replace('billing', 'nobody') }, { authorization: 'Bearer pnt_garbage' }] as Array<Record<string, string>>) {
      const res = await infer(server.url, headers);
      const text = await res.text();
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(JSON.parse(text).error, 'invalid API key');
      assert.ok(!text.includes('ZZZZ') && !text.includes('pnt_') && !text.includes('nobody'), text);
    }
  });

  it('a bearer token that is not an API key (a JWT) is left to other authenticators', async () => {
    const res = await infer(server.url, { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: string }).error, /credentials required/);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('health probes stay public', async () => {
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
  });
});

describe('config errors', () => {
  it('a malformed scope or hash stops the start-up, naming its path', async () => {
    const k = await createKey({ id: 'svc', scopes: ['infer:purchase'] });
    const options = { keys: [entryOf(k), { id: 'other', hash: 'plaintext-key', scopes: ['infer:*', 'write:purchase'] }] };
    await assert.rejects(startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-apikey', options }], repository: EXAMPLE_MODELS } }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PONTE_CONFIG_INVALID');
      assert.match(e.message, /plugins\[1\]\.options\.keys\[1\]\.scopes\[1\]: must match pattern/);
      assert.match(e.message, /plugins\[1\]\.options\.keys\[1\]\.hash: must match pattern/);
      assert.ok(!e.message.includes('plaintext-key'));
      return true;
    });
  });

  it('neither keys nor keysFile, or a keysFile that is missing, stops the start-up', async () => {
    await assert.rejects(startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-apikey', options: {} }], repository: EXAMPLE_MODELS } }), /give keys, keysFile or both/);
    const dir = mkdtempSync(join(tmpdir(), 'ponte-apikey-'));
    try {
      await assert.rejects(startTestServer({ baseDir: dir, config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-apikey', options: { keysFile: './missing.yaml' } }], repository: EXAMPLE_MODELS } }), /keysFile \.\/missing\.yaml: cannot read \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Polls `probe` every 20 ms until it returns true or `limitMs` passes; resolves with the time it took, or -1. */
async function until(probe: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (await probe()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  return -1;
}

describe('a watched keys file', () => {
  let dir: string;
  let file: string;
  let server: PonteServer;
  let alice: CreatedKey;
  let bob: CreatedKey;

  /** Writes the file the way a deploy tool should: a temp file renamed over it. */
  const writeKeys = (entries: unknown[]): void => {
    writeFileSync(`${file}.tmp`, JSON.stringify(entries));
    renameSync(`${file}.tmp`, file);
  };
  const status = async (k: CreatedKey): Promise<number> => (await infer(server.url, bearer(k))).status;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-apikey-'));
    file = join(dir, 'keys.yaml');
    alice = await createKey({ id: 'alice', scopes: ['infer:purchase'] });
    bob = await createKey({ id: 'bob', scopes: ['infer:*'] });
    writeFileSync(file, `# API keys: hashes only\n- id: alice\n  hash: '${alice.hash}'\n  scopes: ['infer:purchase']\n`);
    server = await startTestServer({ baseDir: dir, config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-apikey', options: { keysFile: './keys.yaml', pollIntervalMs: 250 } }], repository: EXAMPLE_MODELS } });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the keys of the YAML file it started with', async () => {
    assert.equal(await status(alice), 200);
    assert.equal(await status(bob), 401);
  });

  it('a key added to the file works without a restart', async () => {
    writeKeys([entryOf(alice), entryOf(bob)]);
    const took = await until(async () => (await status(bob)) === 200);
    assert.ok(took >= 0, 'bob was never accepted');
    assert.equal(await status(alice), 200);
  });

  it('a key removed from the file (revoked) fails within 2 s, though it was just verified and cached', async (t) => {
    assert.equal(await status(alice), 200);
    writeKeys([entryOf(bob)]);
    const took = await until(async () => (await status(alice)) === 401);
    assert.ok(took >= 0, 'alice was never refused');
    t.diagnostic(`revoked after ${Math.round(took)} ms`);
    assert.ok(took < 2000, `revocation took ${Math.round(took)} ms`);
    assert.equal(await status(bob), 200);
  });

  it('a key rotated in place (same id, new hash): the new key works, the old one fails', async () => {
    const bob2 = await createKey({ id: 'bob', scopes: ['infer:*'] });
    writeFileSync(file, JSON.stringify([entryOf(bob2)])); // written in place, not renamed: the watcher sees that too
    assert.ok((await until(async () => (await status(bob2)) === 200)) >= 0, 'the new key was never accepted');
    assert.equal(await status(bob), 401);
    bob = bob2;
  });

  it('an invalid or half-written file keeps the previous keys; a fixed file applies', async () => {
    const carol = await createKey({ id: 'carol', scopes: ['infer:purchase'] });
    for (const broken of ['', '- id: carol\n  hash: "scrypt$16', JSON.stringify([entryOf(bob), { ...entryOf(carol), scopes: ['write:purchase'] }]), '{ not yaml: [']) {
      writeFileSync(file, broken);
      await new Promise((r) => setTimeout(r, 700)); // longer than a poll and a settle
      assert.equal(await status(bob), 200, `bob kept after ${JSON.stringify(broken.slice(0, 20))}`);
      assert.equal(await status(carol), 401);
    }
    writeKeys([entryOf(bob), entryOf(carol)]);
    assert.ok((await until(async () => (await status(carol)) === 200)) >= 0, 'the fixed file was never applied');
  });

  it('a deleted file keeps the keys (an editor may be replacing it); an empty list revokes them all', async () => {
    rmSync(file);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await status(bob), 200);
    writeKeys([]);
    assert.ok((await until(async () => (await status(bob)) === 401)) >= 0);
  });
});

describe('a keys file mounted from a Kubernetes ConfigMap', () => {
  it('sees an update made by swapping the ..data symlink, as the kubelet does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ponte-apikey-'));
    const a = await createKey({ id: 'a', scopes: ['infer:*'] });
    const b = await createKey({ id: 'b', scopes: ['infer:*'] });
    const version = (name: string, entries: unknown[]): void => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'keys.json'), JSON.stringify(entries));
    };
    version('..v1', [entryOf(a)]);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/keys.json', join(dir, 'keys.json'));
    const server = await startTestServer({ baseDir: dir, config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-apikey', options: { keysFile: 'keys.json' } }], repository: EXAMPLE_MODELS } });
    try {
      assert.equal((await infer(server.url, bearer(a))).status, 200);
      version('..v2', [entryOf(b)]);
      symlinkSync('..v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      assert.ok((await until(async () => (await infer(server.url, bearer(a))).status === 401)) >= 0, 'a was never revoked');
      assert.equal((await infer(server.url, bearer(b))).status, 200);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
