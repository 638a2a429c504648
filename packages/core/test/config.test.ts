import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile, loadConfigObject, redactConfig } from '@ponte/core';
import { resolveModelConfigs } from '../src/registry/model-repository.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ponte-config-'));
}

function messagesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.messages;
  }
  assert.fail('expected the config to be refused');
}

test('a minimal config gets every default filled in', () => {
  const { config } = loadConfigObject({ version: 1 }, '/');
  assert.equal(config.server.port, 8080);
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.bodyLimitBytes, 10 * 1024 * 1024);
  assert.equal(config.logging.level, 'info');
  assert.deepEqual(config.plugins, []);
  assert.deepEqual(config.models, []);
});

test('every problem is reported at once, each naming its path and rule', () => {
  const messages = messagesOf(() => loadConfigObject({
    version: 1,
    server: { port: 70000, colour: 'blue' },
    models: [{ name: 'ok' }, { name: 'bad', batching: { maxBatchSize: 0 } }],
    extra: true,
  }, '/'));
  assert.ok(messages.includes('server.port: must be <= 65535'), messages.join('\n'));
  assert.ok(messages.includes('server.colour: unknown key'), messages.join('\n'));
  assert.ok(messages.includes('models[1].batching.maxBatchSize: must be >= 1'), messages.join('\n'));
  assert.ok(messages.includes('extra: unknown key'), messages.join('\n'));
});

test('a config without a version is refused', () => {
  assert.deepEqual(messagesOf(() => loadConfigObject({ server: {} }, '/')), ['version: is required']);
});

test('${env:NAME} and ${file:PATH} are substituted after parsing, with fallbacks', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'name.txt'), 'from-file\n');
  const { config, secretPaths } = loadConfigObject({
    version: 1,
    server: { host: '${env:PONTE_TEST_HOST}', name: '${file:name.txt}' },
    logging: { level: '${env:PONTE_TEST_UNSET:-warn}' },
  }, dir, { PONTE_TEST_HOST: '0.0.0.0' });
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.server.name, 'from-file');
  assert.equal(config.logging.level, 'warn');
  assert.ok(secretPaths.has('server.host'));
});

test('a missing environment variable or file names the config path', () => {
  const messages = messagesOf(() => loadConfigObject({ version: 1, server: { host: '${env:PONTE_NOPE}', name: '${file:nope.txt}' } }, tempDir(), {}));
  assert.ok(messages.includes('server.host: environment variable PONTE_NOPE is not set'), messages.join('\n'));
  assert.ok(messages.includes('server.name: cannot read file nope.txt'), messages.join('\n'));
});

test('YAML syntax errors and unreadable files are config errors, not crashes', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nserver: [unclosed\n');
  const syntax = messagesOf(() => loadConfigFile(join(dir, 'bad.yaml')));
  assert.match(syntax[0]!, /YAML syntax error/);
  const missing = messagesOf(() => loadConfigFile(join(dir, 'absent.yaml')));
  assert.match(missing[0]!, /cannot read config file/);
});

test('printing a config redacts interpolated values and secret-looking keys', () => {
  const printed = redactConfig({ server: { host: 'h' }, plugins: [{ package: 'x', options: { apiKey: 'k1', password: 'p', keys: ['a', 'b'], url: 'http://x' } }] }, new Set(['server.host'])) as {
    server: { host: string };
    plugins: Array<{ options: Record<string, unknown> }>;
  };
  assert.equal(printed.server.host, '[REDACTED]');
  const o = printed.plugins[0]!.options;
  assert.equal(o['apiKey'], '[REDACTED]');
  assert.equal(o['password'], '[REDACTED]');
  assert.deepEqual(o['keys'], ['[REDACTED]', '[REDACTED]']);
  assert.equal(o['url'], 'http://x');
});

test('printing a config masks the password of a connection string written in the file', () => {
  const printed = redactConfig({ plugins: [{ package: '@ponte/store-postgres', options: { connectionString: 'postgres://ponte:s3cret@db.internal:5432/ml', other: 'postgres://postgres@127.0.0.1/test' } }] }) as { plugins: Array<{ options: Record<string, string> }> };
  const o = printed.plugins[0]!.options;
  assert.equal(o['connectionString'], 'postgres://ponte:[REDACTED]@db.internal:5432/ml');
  assert.equal(o['other'], 'postgres://postgres@127.0.0.1/test', 'no password, nothing to hide');
});

test('models come from the repository, model.yaml and config entries, the config entry winning', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'repo', 'alpha', '1'), { recursive: true });
  mkdirSync(join(dir, 'repo', 'beta', '2'), { recursive: true });
  writeFileSync(join(dir, 'repo', 'alpha', 'model.yaml'), 'task: regression\nrequired: false\nlabels: [a, b]\n');
  const { config } = loadConfigObject({ version: 1, repository: 'repo', models: [{ name: 'alpha', required: true }] }, dir);
  const { models, errors } = resolveModelConfigs(config, dir);
  assert.deepEqual(errors, []);
  const alpha = models.find((m) => m.name === 'alpha')!;
  assert.equal(alpha.task, 'regression');
  assert.equal(alpha.required, true);
  assert.deepEqual(alpha.labels, ['a', 'b']);
  assert.deepEqual(alpha.versionPolicy, { latest: 1 });
  assert.ok(models.some((m) => m.name === 'beta'));
});

test('a model whose source is missing or whose model.yaml is wrong is reported with its path', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'm', '1'), { recursive: true });
  writeFileSync(join(dir, 'm', 'model.yaml'), 'batching: { maxBatchSize: -3 }\ncolour: red\n');
  const { config } = loadConfigObject({ version: 1, models: [{ name: 'm', source: 'm' }, { name: 'gone', source: 'nowhere' }] }, dir);
  const { errors } = resolveModelConfigs(config, dir);
  assert.ok(errors.some((e) => e.startsWith('models[1].source: directory not found')), errors.join('\n'));
  assert.ok(errors.some((e) => /^models\[0\] \(.*model\.yaml\): batching\.maxBatchSize: must be >= 1$/.test(e)), errors.join('\n'));
  assert.ok(errors.some((e) => /model\.yaml\): colour: unknown key$/.test(e)), errors.join('\n'));
});
