import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKey, DEFAULT_LIMITS, KeyVerifier, loadKeyEntries, verifyKeyHash, type KeyHash, type LoadedKey } from '@ponte/auth-apikey';
import type { Principal } from '@ponte/core';

/** `verify` answers a cached key synchronously: as a promise either way, for assert.rejects. */
const verifyAsync = async (v: KeyVerifier, key: string): Promise<Principal> => v.verify(key);

/** scrypt's check, counted, with how many ran at once. */
function countingCheck(): { calls: number; peak: number; check: (key: string, stored: KeyHash) => Promise<boolean> } {
  const c = { calls: 0, peak: 0, running: 0, check: async (key: string, stored: KeyHash) => {
    c.calls++;
    c.running++;
    c.peak = Math.max(c.peak, c.running);
    try { return await verifyKeyHash(key, stored); } finally { c.running--; }
  } };
  return c;
}

async function entry(id: string, scopes: string[]): Promise<{ key: string; loaded: LoadedKey }> {
  const created = await createKey({ id, scopes });
  const { keys, errors } = loadKeyEntries([{ id, hash: created.hash, scopes }], 'test');
  assert.deepEqual(errors, []);
  return { key: created.key, loaded: keys[0]! };
}

const wrongSecret = (key: string): string => `${key.slice(0, -43)}${'A'.repeat(43)}`;

test('a key is hashed once, however many requests carry it, at once or one after another', async () => {
  const { key, loaded } = await entry('billing', ['infer:purchase']);
  const counter = countingCheck();
  const verifier = new KeyVerifier(DEFAULT_LIMITS, counter.check);
  verifier.setKeys([loaded]);
  const principals = await Promise.all(Array.from({ length: 50 }, () => verifyAsync(verifier, key)));
  for (let i = 0; i < 50; i++) principals.push(await verifyAsync(verifier, key));
  assert.equal(counter.calls, 1);
  assert.deepEqual(principals[99], { id: 'billing', scheme: 'apikey', scopes: ['infer:purchase'] });
});

test('a wrong key is hashed once and then refused from memory; an unknown id is refused without hashing', async () => {
  const { key, loaded } = await entry('billing', ['infer:purchase']);
  const counter = countingCheck();
  const verifier = new KeyVerifier(DEFAULT_LIMITS, counter.check);
  verifier.setKeys([loaded]);
  for (let i = 0; i < 20; i++) await assert.rejects(verifyAsync(verifier, wrongSecret(key)), { code: 'PONTE_UNAUTHENTICATED', message: 'invalid API key' });
  assert.equal(counter.calls, 1);
  await assert.rejects(verifyAsync(verifier, key.replace('billing', 'nobody')), { message: 'invalid API key' });
  await assert.rejects(verifyAsync(verifier, 'pnt_not-a-key'), { message: 'invalid API key' });
  assert.equal(counter.calls, 1);
});

test('a flood of distinct wrong keys for a known id runs scrypt a few at a time and sheds the excess', async () => {
  const { key, loaded } = await entry('billing', ['infer:purchase']);
  const counter = countingCheck();
  const verifier = new KeyVerifier({ ...DEFAULT_LIMITS, maxConcurrentHashes: 2, maxWaiting: 8 }, counter.check);
  verifier.setKeys([loaded]);
  const flood = Array.from({ length: 40 }, (_, i) => verifyAsync(verifier, `${key.slice(0, -43)}${String(i).padStart(43, 'x')}`).then(() => 'ok', (e: Error) => e.message));
  assert.deepEqual(new Set(await Promise.all(flood)), new Set(['invalid API key']));
  assert.ok(counter.peak <= 2, `at most 2 at once, saw ${counter.peak}`);
  assert.ok(counter.calls <= 10, `the rest were shed without hashing, hashed ${counter.calls}`);
  assert.equal((await verifyAsync(verifier, key)).id, 'billing', 'the real key still verifies');
});

test('a new key set forgets what was remembered: a revoked key fails on its next request, a re-added one passes', async () => {
  const a = await entry('a', ['infer:*']);
  const b = await entry('b', ['read:*']);
  const verifier = new KeyVerifier();
  verifier.setKeys([a.loaded, b.loaded]);
  assert.equal((await verifyAsync(verifier, a.key)).id, 'a');
  verifier.setKeys([b.loaded]);
  await assert.rejects(verifyAsync(verifier, a.key), { message: 'invalid API key' });
  verifier.setKeys([a.loaded, b.loaded]);
  assert.equal((await verifyAsync(verifier, a.key)).id, 'a');
});

test('a key revoked while it is being checked is not accepted', async () => {
  const a = await entry('a', ['infer:*']);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const verifier = new KeyVerifier(DEFAULT_LIMITS, async (key, stored) => { await gate; return verifyKeyHash(key, stored); });
  verifier.setKeys([a.loaded]);
  const pending = verifyAsync(verifier, a.key);
  verifier.setKeys([]);
  release();
  await assert.rejects(pending, { message: 'invalid API key' });
});

test('two entries with one id (a rotation in progress) both admit their key', async () => {
  const old = await entry('svc', ['infer:*']);
  const next = await entry('svc', ['infer:*', 'read:*']);
  const verifier = new KeyVerifier();
  verifier.setKeys([old.loaded, next.loaded]);
  assert.deepEqual((await verifyAsync(verifier, old.key)).scopes, ['infer:*']);
  assert.deepEqual((await verifyAsync(verifier, next.key)).scopes, ['infer:*', 'read:*']);
});

test('entries read from a file are checked with a path for every broken rule, never echoing a hash', () => {
  const { keys, errors } = loadKeyEntries([
    { id: 'ok', hash: 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', scopes: ['infer:purchase'] },
    { id: 'bad id', hash: 'secret-looking-value', scopes: ['write:x'], extra: 1 },
    'nope',
  ], 'keys.yaml');
  assert.deepEqual(keys.map((k) => k.id), ['ok']);
  assert.deepEqual(errors, [
    'keys.yaml[1].extra: unknown key',
    'keys.yaml[1].id: must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
    'keys.yaml[1].hash: must be scrypt$N$r$p$<salt base64url>$<hash base64url> (from `ponte key create`)',
    'keys.yaml[1].scopes[0]: must be <action>:<model> (action one of *, infer, explain, feedback, read, monitor, admin; model a name or *)',
    'keys.yaml[2]: must be an object { id, hash, scopes }',
  ]);
  assert.ok(!errors.join('\n').includes('secret-looking-value'));
});
