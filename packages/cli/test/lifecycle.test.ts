import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe } from './cli-process.js';

const slowRepo = fileURLToPath(new URL('../../test/fixtures/slow-repo', import.meta.url));

function config(extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-life-'));
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0, shutdownTimeoutMs: 5000 }
logging: { level: info }
plugins: ['@ponte/js-model']
repository: ${JSON.stringify(slowRepo)}
${extra}`);
  return file;
}

const slowInfer = (url: string): Promise<Response> => fetch(`${url}/v2/models/slow/infer`, {
  method: 'POST',
  body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [41] }] }),
});

test('a request in flight when SIGTERM arrives completes, then the server exits 0', async () => {
  const { child, url, logs, exited } = await startServe(['--config', config()]);
  const inFlight = slowInfer(url);
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  const res = await inFlight;
  assert.equal(res.status, 200);
  const body = (await res.json()) as { outputs: Array<{ data: number[] }> };
  assert.deepEqual(body.outputs[0]!.data, [42]);
  assert.equal(await exited, 0);
  assert.match(logs(), /"signal":"SIGTERM"/);
  assert.match(logs(), /"msg":"stopped"/);
});

test('while draining, new requests are refused with 503 and readiness turns off', async () => {
  const { child, url, exited } = await startServe(['--config', config()]);
  // Keep one request in flight so the drain lasts, then try new ones on a fresh connection.
  const inFlight = slowInfer(url);
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  const late = await fetch(`${url}/v2/models/slow/infer`, { method: 'POST', body: '{}', headers: { Connection: 'close' } }).catch((e: unknown) => e);
  if (late instanceof Response) {
    assert.equal(late.status, 503);
    assert.equal(((await late.json()) as { code: string }).code, 'PONTE_SHUTTING_DOWN');
  } else {
    // The listening socket may already be closed: a refused connection is also a correct refusal.
    assert.match(String((late as Error).cause ?? late), /ECONNREFUSED|ECONNRESET|closed/);
  }
  assert.equal((await inFlight).status, 200);
  assert.equal(await exited, 0);
});

test('every log line is JSON and request lines carry the request id that was returned', async () => {
  const { child, url, logs, exited } = await startServe(['--config', config()]);
  const res = await fetch(`${url}/v2/health/live`, { headers: { 'X-Request-Id': 'trace-me-123' } });
  assert.equal(res.headers.get('x-request-id'), 'trace-me-123');
  const generated = (await fetch(`${url}/v2`)).headers.get('x-request-id');
  assert.match(generated ?? '', /^[0-9a-f-]{36}$/);
  child.kill('SIGTERM');
  await exited;
  const lines = logs().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.some((l) => l['requestId'] === 'trace-me-123' && l['path'] === '/v2/health/live' && l['status'] === 200));
  assert.ok(lines.some((l) => l['requestId'] === generated));
});

test('predictions still waiting for a slow sink when SIGTERM arrives are written before the server exits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-sink-'));
  const out = join(dir, 'predictions.jsonl');
  const coreUrl = new URL('../../../core/dist/src/index.js', import.meta.url).href;
  // A sink that takes 300 ms per batch: at SIGTERM most records are still queued.
  writeFileSync(join(dir, 'slow-sink.mjs'), `
import { appendFileSync } from 'node:fs';
import { definePlugin, Tokens } from ${JSON.stringify(coreUrl)};
export default definePlugin({
  name: 'slow-jsonl-sink', kind: 'monitor',
  configSchema: { type: 'object', properties: { file: { type: 'string' } }, required: ['file'] },
  register(ctx) {
    ctx.provide(Tokens.PredictionSink, {
      name: 'slow-jsonl', maxBatch: 2,
      async write(records) {
        await new Promise((r) => setTimeout(r, 300));
        appendFileSync(ctx.options.file, records.map((r) => JSON.stringify({ id: r.requestId, y: Array.from(r.outputs[0].data) })).join('\\n') + '\\n');
      },
    });
  },
});`);
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0, shutdownTimeoutMs: 20000 }
logging: { level: info }
plugins: ['@ponte/js-model', { package: './slow-sink.mjs', options: { file: ${JSON.stringify(out)} } }]
repository: ${JSON.stringify(slowRepo)}
models: [{ name: slow, options: { delayMs: 1 } }]
`);
  const { child, url, exited } = await startServe(['--config', file]);
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${url}/v2/models/slow/infer`, { method: 'POST', headers: { 'x-request-id': `sig-${i}` }, body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [i] }] }) });
    assert.equal(res.status, 200);
    ids.push(res.headers.get('x-request-id')!);
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const written = readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
  assert.deepEqual(written.sort(), ids.sort());
});
