import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyIdOf, parseKeyHash, verifyKeyHash } from '@ponte/auth-apikey';
import { runCli } from './cli-process.js';

test('ponte key create --json prints the key once with a hash that verifies it', async () => {
  const run = await runCli(['key', 'create', '--id', 'billing', '--scopes', 'infer:purchase,read:*', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const created = JSON.parse(run.stdout) as { id: string; key: string; hash: string; scopes: string[] };
  assert.deepEqual(Object.keys(created), ['id', 'key', 'hash', 'scopes']);
  assert.equal(created.id, 'billing');
  assert.deepEqual(created.scopes, ['infer:purchase', 'read:*']);
  assert.equal(keyIdOf(created.key), 'billing');
  assert.equal(await verifyKeyHash(created.key, parseKeyHash(created.hash)), true);
});

test('ponte key create prints the key and the YAML entry to paste into the config', async () => {
  const run = await runCli(['key', 'create', '--id', 'ops', '--scopes', 'read:*']);
  assert.equal(run.code, 0, run.stderr);
  const key = /^ {2}(pnt_\S+)$/m.exec(run.stdout)?.[1];
  assert.ok(key !== undefined, run.stdout);
  const entry = /^ {2}- id: 'ops'\n {4}hash: '(scrypt\$[^']+)'\n {4}scopes: \['read:\*'\]$/m.exec(run.stdout);
  assert.ok(entry !== null, run.stdout);
  assert.equal(await verifyKeyHash(key, parseKeyHash(entry[1]!)), true);
});

test('ponte key create refuses a missing or unsafe id and a malformed scope with a usage error', async () => {
  for (const [args, message] of [
    [['--scopes', 'infer:purchase'], /needs --id ID and --scopes/],
    [['--id', 'a/b', '--scopes', 'infer:purchase'], /--id: must be 1 to 64 letters/],
    [['--id', 'svc', '--scopes', 'infer:purchase,write:purchase'], /--scopes\[1\]: "write:purchase" must be <action>:<model>/],
  ] as const) {
    const run = await runCli(['key', 'create', ...args]);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
});
