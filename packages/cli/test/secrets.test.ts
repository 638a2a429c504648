/**
 * Secrets never leak. A real `ponte serve` whose config takes secrets from
 * `${env:…}` and `${file:…}` — a PostgreSQL password in the prediction store's
 * connection string, a bearer token and an API key the CloudEvents sink sends
 * — with request logging on at level debug. Every route and error path is
 * called; `ponte config print` and `ponte config check` are run; then stdout,
 * stderr, the audit file, every response body and every response header are
 * searched for the secret values. None may be there — while the sink's
 * endpoint must have received them, so they were really in use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EXAMPLE_MODELS } from '@ponte/http/testing';
import { runCli, startServe } from './cli-process.js';
import { POSTGRES_URL, postgresReachable } from './support/postgres.js';

const POSTGRES = POSTGRES_URL;

/** A distinctive value: found anywhere, it is a leak. */
const secret = (label: string): string => `${label}${randomBytes(12).toString('hex')}`;

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];
const INFER = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: ROW }] };

interface Exchange {
  what: string;
  status: number;
  headers: string;
  body: string;
}

const available = await postgresReachable();

test('no secret from ${env:} or ${file:} reaches a log line, a response body or header, or config print/check', { skip: available ? false : `PostgreSQL is not reachable at ${POSTGRES}` }, async (t) => {
  const secrets = { dbPassword: secret('dbpw'), eventsToken: secret('evtok'), eventsKey: secret('evkey'), eventsSig: secret('evsig') };
  const dir = mkdtempSync(join(tmpdir(), 'ponte-secrets-'));
  const schema = `ponte_secrets_${randomBytes(4).toString('hex')}`;

  // The CloudEvents endpoint: proves the secrets were used (they reach it), not just never printed.
  // It refuses the first batch, so the sink's failure is logged too.
  const received: Array<{ headers: IncomingHttpHeaders; url: string }> = [];
  const events = createServer((req, res) => {
    received.push({ headers: req.headers, url: req.url ?? '' });
    req.resume();
    req.on('end', () => res.writeHead(received.length === 1 ? 500 : 202).end());
  });
  await new Promise<void>((r) => events.listen(0, '127.0.0.1', r));
  const eventsUrl = `http://127.0.0.1:${(events.address() as AddressInfo).port}/events`;

  writeFileSync(join(dir, 'events-token'), `${secrets.eventsToken}\n`, { mode: 0o600 });
  const config = join(dir, 'ponte.yaml');
  writeFileSync(config, `version: 1
server: { port: 0, processes: 1, bodyLimitBytes: 65536, audit: { path: audit.jsonl } }
logging: { level: debug, requests: true }
plugins:
  - '@ponte/onnx'
  - '@ponte/validator-jsonschema'
  - '@ponte/openapi'
  - '@ponte/exporter-prometheus'
  - package: '@ponte/store-postgres'
    options:
      connectionString: 'postgres://postgres:\${env:PONTE_TEST_DB_PASSWORD}@127.0.0.1:5432/test'
      schema: ${schema}
  - package: '@ponte/sink-cloudevents'
    options:
      url: '${eventsUrl}?sig=\${env:PONTE_TEST_EVENTS_SIG}'
      maxBatch: 1
      headers:
        Authorization: 'Bearer \${file:events-token}'
        X-Events-Key: '\${env:PONTE_TEST_EVENTS_KEY}'
repository: ${JSON.stringify(EXAMPLE_MODELS)}
models: [{ name: wide_mlp, required: false }]
`);
  const env = { PONTE_TEST_DB_PASSWORD: secrets.dbPassword, PONTE_TEST_EVENTS_KEY: secrets.eventsKey, PONTE_TEST_EVENTS_SIG: secrets.eventsSig };

  const serve = await startServe(['--config', config], 'server ready', env);
  t.after(async () => {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    events.close();
    const admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });
  const { url } = serve;
  const seen: Exchange[] = [];
  const call = async (what: string, path: string, init: RequestInit = {}): Promise<Exchange> => {
    const res = await fetch(`${url}${path}`, init);
    const body = await res.text();
    const e = { what, status: res.status, headers: JSON.stringify([...res.headers.entries()]), body };
    seen.push(e);
    return e;
  };
  const post = (what: string, path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Exchange> =>
    call(what, path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  // Inference, valid and not, on both APIs.
  assert.equal((await post('infer', '/v2/models/purchase/infer', INFER)).status, 200);
  assert.equal((await post('infer version', '/v2/models/purchase/versions/1/infer', INFER)).status, 200);
  const predicted = await post('predict', '/v1/models/purchase:predict', { instances: [ROW] });
  assert.equal(predicted.status, 200);
  const predictionId = (JSON.parse(predicted.body) as { prediction_id?: string; predictions: unknown }).prediction_id
    ?? JSON.parse(predicted.headers).find(([k]: [string]) => k === 'x-prediction-id')?.[1];
  assert.equal(typeof predictionId, 'string', predicted.body);
  assert.equal((await post('infer wrong shape', '/v2/models/purchase/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] })).status, 400);
  assert.equal((await post('infer bad JSON', '/v2/models/purchase/infer', '{"inputs": [')).status, 400);
  assert.equal((await post('predict missing feature', '/v1/models/purchase:predict', { instances: [{ age: 3 }] })).status, 400);
  assert.equal((await post('predict bad JSON', '/v1/models/purchase:predict', 'not json')).status, 400);
  assert.equal((await post('infer unknown model', '/v2/models/nope/infer', INFER)).status, 404);
  assert.equal((await post('infer unknown version', '/v2/models/purchase/versions/42/infer', INFER)).status, 404);
  assert.ok([400, 415].includes((await post('infer wrong media type', '/v2/models/purchase/infer', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' })).status));
  assert.equal((await post('infer too large', '/v2/models/purchase/infer', `{"inputs": [${'0,'.repeat(40000)}0]}`)).status, 413);
  assert.ok((await post('timeout header', '/v2/models/purchase/infer', INFER, { 'content-type': 'application/json', 'x-request-timeout-ms': 'soon' })).status === 400);

  // Metadata, health, documents, metrics.
  for (const path of ['/v2', '/v2/', '/v2/models/purchase', '/v2/models/purchase/versions/1', '/v2/models/purchase/ready', '/v2/models/purchase/versions/1/ready', '/v2/models/wide_mlp', '/v2/models/nope', '/v1/models', '/v2/health/live', '/v2/health/ready', '/metrics', '/openapi.json', '/docs', '/docs/']) {
    await call(`GET ${path}`, path);
  }
  assert.equal((await call('404', '/no/such/route')).status, 404);
  assert.equal((await call('405', '/v2/models/purchase/infer')).status, 405);
  assert.equal((await call('405 DELETE', '/v2', { method: 'DELETE' })).status, 405);

  // The prediction log: list, one, unknown, feedback (good and bad).
  // Sinks write after the answer: wait until the logged prediction can be read back.
  for (let i = 0; i < 100 && (await call('prediction (poll)', `/v2/models/purchase/predictions/${predictionId}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await call('predictions', '/v2/models/purchase/predictions?limit=10')).status, 200);
  assert.equal((await call('predictions bad query', '/v2/models/purchase/predictions?limit=zero')).status, 400);
  assert.equal((await call('prediction unknown', '/v2/models/purchase/predictions/00000000-0000-7000-8000-000000000000')).status, 404);
  assert.equal((await post('feedback', '/v2/models/purchase/feedback', [{ id: predictionId, label: 'yes' }])).status, 200);
  assert.equal((await post('feedback bad', '/v2/models/purchase/feedback', [{ id: 3 }])).status, 400);

  // Every path of the OpenAPI document, as documented (what the walk above missed).
  const doc = JSON.parse(seen.find((e) => e.what === 'GET /openapi.json')!.body) as { paths: Record<string, Record<string, unknown>> };
  for (const [path, methods] of Object.entries(doc.paths)) {
    const concrete = path.replace('{name}', 'purchase').replace('{version}', '1').replace('{id}', String(predictionId)).replace('{file}', 'swagger-ui.css');
    for (const method of Object.keys(methods)) {
      const m = method.toUpperCase();
      await call(`${m} ${path}`, concrete, m === 'POST' || m === 'PUT' ? { method: m, headers: { 'content-type': 'application/json' }, body: '{}' } : { method: m });
    }
  }
  assert.ok(seen.every((e) => e.status < 500), seen.filter((e) => e.status >= 500).map((e) => `${e.what}: ${e.status} ${e.body}`).join('\n'));

  // The sink was handed the secrets it needs: they are in use, not merely hidden.
  for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(received.length >= 2, 'the CloudEvents sink posted (and was refused once)');
  assert.equal(received[0]!.headers['authorization'], `Bearer ${secrets.eventsToken}`);
  assert.equal(received[0]!.headers['x-events-key'], secrets.eventsKey);
  assert.equal(received[0]!.url, `/events?sig=${secrets.eventsSig}`);

  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0);
  const logs = serve.logs();
  // Level debug: whatever a plugin logs at debug would be here too (today few do).
  assert.match(logs, /"path":"\/v2\/models\/purchase\/infer"/, 'request lines were written');
  assert.match(logs, /prediction sink failed to write/, 'the refused batch was logged');

  const printed = await runCli(['config', 'print', config], env);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /\[REDACTED\]/);
  const checked = await runCli(['config', 'check', config], env);
  assert.equal(checked.code, 0, checked.stderr);

  const audit = join(dir, 'audit.jsonl');
  const places: Array<[string, string]> = [
    ['server stdout and stderr', logs],
    ['config print', printed.stdout + printed.stderr],
    ['config check', checked.stdout + checked.stderr],
    ['audit log', existsSync(audit) ? readFileSync(audit, 'utf8') : ''],
    ...seen.map((e): [string, string] => [`response of ${e.what} (${e.status})`, e.headers + e.body]),
  ];
  for (const [name, value] of Object.entries(secrets)) {
    for (const [where, text] of places) assert.equal(text.includes(value), false, `${name} leaked in ${where}`);
  }
});

test('a server that cannot start (its database unreachable) says why without the password', async (t) => {
  const password = secret('dbpw');
  const dir = mkdtempSync(join(tmpdir(), 'ponte-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'ponte.yaml');
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  writeFileSync(config, `version: 1
server: { port: 0, processes: 1 }
logging: { level: debug }
plugins: [{ package: '@ponte/store-postgres', options: { connectionString: 'postgres://postgres:\${env:PONTE_TEST_DB_PASSWORD}@127.0.0.1:1/test' } }]
`);
  const r = await runCli(['serve', '--config', config], { PONTE_TEST_DB_PASSWORD: password });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /127\.0\.0\.1:1/, 'the error names where it tried');
  assert.equal((r.stdout + r.stderr).includes(password), false, r.stdout + r.stderr);
});
