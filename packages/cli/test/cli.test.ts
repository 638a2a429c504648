import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-process.js';

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-cli-'));
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, text);
  return file;
}

test('ponte config check accepts the example config', async () => {
  const r = await runCli(['config', 'check', 'config/ponte.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /config\/ponte\.yaml: OK \(\d+ plugins, 4 models, every model loaded\)/);
});

test('an invalid config exits 2 with every message, each naming its path, and serves nothing', async () => {
  const file = write(`version: 1
server: { port: -1, colour: blue }
plugins: ['@ponte/onnx']
models:
  - { name: purchase, source: ./nowhere, batching: { maxBatchSize: 0 } }
`);
  for (const args of [['config', 'check', file], ['serve', '--config', file]]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /server\.port: must be >= 0/);
    assert.match(r.stderr, /server\.colour: unknown key/);
    assert.match(r.stderr, /models\[0\]\.batching\.maxBatchSize: must be >= 1/);
    assert.equal(r.stdout.includes('listening'), false);
  }
});

test('a model source that does not exist is named by its path', async () => {
  const r = await runCli(['config', 'check', write("version: 1\nplugins: ['@ponte/onnx']\nmodels: [{ name: a, source: ./x }, { name: b, source: ./nowhere }]\n")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /models\[1\]\.source: directory not found \(\.\/nowhere\)/);
});

test('a plugin that cannot be found is a config error naming the entry', async () => {
  const r = await runCli(['config', 'check', write("version: 1\nplugins: ['@ponte/onnx', '@acme/not-installed']\n")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /PONTE_PLUGIN_NOT_FOUND: plugins\[1\]: cannot import plugin "@acme\/not-installed"/);
});

test('ponte config print shows defaults and never a secret', async () => {
  const file = write(`version: 1
server: { name: '\${env:PONTE_SECRET_NAME}' }
plugins:
  - package: '@ponte/validator-jsonschema'
    options: { allErrors: true }
`);
  const r = await runCli(['config', 'print', file], { PONTE_SECRET_NAME: 's3cr3t-value' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.includes('s3cr3t-value'), false);
  assert.match(r.stdout, /name: "?\[REDACTED\]"?/);
  assert.match(r.stdout, /port: 8080/);
  assert.match(r.stdout, /bodyLimitBytes: 10485760/);
});

test('ponte inspect prints a model file signature', async () => {
  const r = await runCli(['inspect', 'examples/models/purchase/1/model.onnx']);
  assert.equal(r.code, 0, r.stderr);
  const sig = JSON.parse(r.stdout) as { format: string; inputs: Array<{ name: string; datatype: string; shape: number[] }> };
  assert.equal(sig.format, 'onnx');
  assert.deepEqual(sig.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 8] }]);
});

test('unknown commands print usage and exit 2', async () => {
  const r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage:/);
});
