import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { createKey, DEFAULT_SCRYPT, HASH_PATTERN, hashKey, keyIdOf, parseKeyHash, verifyKeyHash } from '@ponte/auth-apikey';

test('a created key looks like pnt_<id>_<43 base64url characters> and names its id', async () => {
  const created = await createKey({ id: 'billing-eu_2', scopes: ['infer:purchase', 'read:*'] });
  assert.match(created.key, /^pnt_billing-eu_2_[A-Za-z0-9_-]{43}$/);
  assert.equal(keyIdOf(created.key), 'billing-eu_2');
  assert.deepEqual(created.scopes, ['infer:purchase', 'read:*']);
  assert.equal(keyIdOf('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'), undefined);
  assert.equal(keyIdOf('pnt_billing_short'), undefined);
});

test('the hash is scrypt$N$r$p$salt$hash, and anyone can recompute it from the documented format', async () => {
  const { key, hash } = await createKey({ id: 'billing', scopes: ['infer:purchase'] });
  assert.match(hash, new RegExp(HASH_PATTERN));
  const [scheme, n, r, p, salt, digest] = hash.split('$');
  assert.equal(scheme, 'scrypt');
  assert.deepEqual([Number(n), Number(r), Number(p)], [DEFAULT_SCRYPT.N, DEFAULT_SCRYPT.r, DEFAULT_SCRYPT.p]);
  assert.equal(Buffer.from(salt!, 'base64url').length, 16);
  const expected = scryptSync(key, Buffer.from(salt!, 'base64url'), 32, { N: Number(n), r: Number(r), p: Number(p) });
  assert.equal(expected.toString('base64url'), digest);
});

test('the hash of a created key verifies that key and no other; the hash holds no part of the key', async () => {
  const a = await createKey({ id: 'billing', scopes: ['infer:purchase'] });
  const b = await createKey({ id: 'billing', scopes: ['infer:purchase'] });
  assert.equal(await verifyKeyHash(a.key, parseKeyHash(a.hash)), true);
  assert.equal(await verifyKeyHash(b.key, parseKeyHash(a.hash)), false);
  assert.ok(!a.hash.includes(a.key.slice(-43)));
  assert.notEqual(a.hash.split('$')[4], b.hash.split('$')[4], 'every key gets its own salt');
});

test('other cost parameters are honoured, and unsafe ones are refused', async () => {
  const cheap = await hashKey('pnt_t_0123456789012345678901234567890123456789012', { N: 1024, r: 8, p: 1 });
  assert.match(cheap, /^scrypt\$1024\$8\$1\$/);
  assert.equal(await verifyKeyHash('pnt_t_0123456789012345678901234567890123456789012', parseKeyHash(cheap)), true);
  const [, , , , salt, digest] = cheap.split('$');
  assert.throws(() => parseKeyHash(`scrypt$1000$8$1$${salt}$${digest}`), /power of 2/);
  assert.throws(() => parseKeyHash(`scrypt$4194304$8$1$${salt}$${digest}`), /power of 2 between/);
  assert.throws(() => parseKeyHash(`scrypt$1024$64$1$${salt}$${digest}`), /r must be/);
  assert.throws(() => parseKeyHash(`bcrypt$1024$8$1$${salt}$${digest}`), /must be scrypt\$N\$r\$p/);
});

test('createKey refuses an unsafe id or a malformed scope, naming the field', async () => {
  await assert.rejects(createKey({ id: 'a b', scopes: ['infer:purchase'] }), /^RangeError: id: /);
  await assert.rejects(createKey({ id: 'svc.1', scopes: ['infer:purchase'] }), /^RangeError: id: /);
  await assert.rejects(createKey({ id: 'svc', scopes: ['infer:purchase', 'write:purchase'] }), /^RangeError: scopes\[1\]: "write:purchase" must be <action>:<model>/);
  await assert.rejects(createKey({ id: 'svc', scopes: [] }), /^RangeError: scopes: at least one/);
});
