/**
 * The prediction log end to end: a real server with `@ponte/store-sqlite` on a
 * real file, REST and gRPC answers carrying their prediction ids, delayed
 * labels joined by id, the log read back over REST and exported by the CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { definePlugin, Tokens, type PonteServer } from '@ponte/core';
import { GrpcTokens, loadInferenceProto } from '@ponte/grpc';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { runCli } from './cli-process.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ROW = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };
const TENSOR = [39, 52.7, 0, 3.26, 3, 365, 0, 0];

interface Logged { id: string; model: string; version: string; requestId: string; principal: string; features?: Array<Record<string, number>>; inputs?: unknown[]; outputs: Array<{ name: string; data: number[] }>; feedback?: { label?: unknown } }

describe('the prediction log with SQLite', () => {
  let server: PonteServer;
  const dir = mkdtempSync(join(tmpdir(), 'ponte-log-'));
  const file = join(dir, 'ponte.db');

  before(async () => {
    server = await startTestServer({
      config: {
        plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', { package: '@ponte/store-sqlite', options: { file } }, { package: '@ponte/grpc', options: { port: 0 } }],
        repository: EXAMPLE_MODELS,
        models: [
          { name: 'purchase', logging: { redact: ['income'] } },
          { name: 'house', logging: { sampleRate: 0 } },
        ],
      },
    });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const predict = (body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', headers, body: JSON.stringify(body) });
  const logged = async (id: string): Promise<Logged> => {
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${server.url}/v2/models/purchase/predictions/${id}`);
      if (res.status === 200) return (await res.json()) as Logged;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`prediction ${id} never reached the log`);
  };

  it('gives every logged prediction an id that sorts by time, in the body and in X-Prediction-Id, over both APIs', async () => {
    const named = await predict({ instances: [ROW] }, { 'x-request-id': 'log-named-1' });
    const body = (await named.json()) as { prediction_id: string };
    assert.match(body.prediction_id, UUID_V7);
    assert.equal(named.headers.get('x-prediction-id'), body.prediction_id);

    const oip = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body: JSON.stringify({ id: 'caller-1', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: TENSOR }] }) });
    const answer = (await oip.json()) as { id: string; parameters: { prediction_id: string } };
    assert.equal(answer.id, 'caller-1', 'the caller\'s OIP id is kept');
    assert.match(answer.parameters.prediction_id, UUID_V7);
    assert.equal(oip.headers.get('x-prediction-id'), answer.parameters.prediction_id);
    assert.ok(answer.parameters.prediction_id > body.prediction_id, 'a later prediction sorts after');
  });

  it('stores the features as the model saw them, minus redacted ones, with outputs, request id and principal', async () => {
    const res = await predict({ instances: [ROW, { ...ROW, age: 51 }] }, { 'x-request-id': 'log-two-rows' });
    const { prediction_id: id } = (await res.json()) as { prediction_id: string };
    const p = await logged(id);
    assert.equal(p.requestId, 'log-two-rows');
    assert.equal(p.principal, 'anonymous');
    assert.deepEqual([p.model, p.version], ['purchase', '1']);
    assert.deepEqual(p.features!.map((f) => f['age']), [39, 51]);
    assert.equal('income' in p.features![0]!, false, 'income is redacted for this model');
    assert.deepEqual(p.outputs.map((o) => o.name).sort(), ['label', 'probabilities']);
  });

  it('a model with sampleRate 0 answers without a prediction id and logs nothing', async () => {
    const res = await fetch(`${server.url}/v2/models/house/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 6], data: [120, 3, 2, 15, 400, 5.5] }] }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-prediction-id'), null);
    assert.equal(((await res.json()) as { parameters?: unknown }).parameters, undefined);
    const log = (await (await fetch(`${server.url}/v2/models/house/predictions`)).json()) as { predictions: unknown[] };
    assert.deepEqual(log.predictions, []);
  });

  it('joins delayed labels by prediction id: each item reported, duplicates stored once, unknown ids named', async () => {
    const { prediction_id: id } = (await (await predict({ instances: [ROW] })).json()) as { prediction_id: string };
    await logged(id);
    const res = await fetch(`${server.url}/v2/models/purchase/feedback`, { method: 'POST', body: JSON.stringify([{ id, label: 'yes' }, { id: '0193a5d2-0000-7000-8000-000000000000', label: 'no' }, { id, label: 'yes' }]) });
    assert.equal(res.status, 200);
    const out = (await res.json()) as { stored: number; duplicates: number; unknown: number; results: Array<{ id: string; status: string }> };
    assert.deepEqual(out.results.map((r) => r.status), ['stored', 'unknown_id', 'duplicate']);
    assert.deepEqual([out.stored, out.duplicates, out.unknown], [1, 1, 1]);
    assert.equal((await logged(id)).feedback?.label, 'yes');
    const bad = await fetch(`${server.url}/v2/models/purchase/feedback`, { method: 'POST', body: JSON.stringify([{ id, label: { nested: true } }]) });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: '[0].label: must be a string, a finite number or a boolean', code: 'PONTE_BAD_REQUEST' });
    const unknownModel = await fetch(`${server.url}/v2/models/nope/feedback`, { method: 'POST', body: '[]' });
    assert.equal(unknownModel.status, 404);
  });

  it('a label sent the moment its prediction is answered is stored, not reported unknown', async () => {
    // The log holds a prediction up to 200 ms before it is stored: the feedback route has it stored first.
    const ids = await Promise.all(Array.from({ length: 5 }, async () => ((await (await predict({ instances: [ROW] })).json()) as { prediction_id: string }).prediction_id));
    const res = await fetch(`${server.url}/v2/models/purchase/feedback`, { method: 'POST', body: JSON.stringify(ids.map((id) => ({ id, label: 'no' }))) });
    const out = (await res.json()) as { stored: number; unknown: number };
    assert.deepEqual([out.stored, out.unknown], [5, 0]);
  });

  it('gRPC answers carry the prediction id in their parameters', async () => {
    const { Client } = loadInferenceProto();
    const client = new Client(server.container.resolve<{ address: string }>(GrpcTokens.Endpoint).address, credentials.createInsecure());
    try {
      const response = await new Promise<{ parameters: Record<string, { string_param?: string }> }>((resolve, reject) => {
        (client as unknown as Record<string, Function>)['ModelInfer']!.call(client, { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: TENSOR } }] }, new Metadata(), (err: ServiceError | null, r: never) => (err ? reject(err) : resolve(r)));
      });
      const id = response.parameters['prediction_id']?.string_param;
      assert.match(id ?? '', UUID_V7);
      assert.equal((await logged(id!)).model, 'purchase');
    } finally {
      client.close();
    }
  });

  it('reads the log by time range page by page, and exports it with ponte log export', async () => {
    const since = Date.now();
    for (let i = 0; i < 5; i++) await (await predict({ instances: [{ ...ROW, age: 60 + i }] })).arrayBuffer();
    let page = (await (await fetch(`${server.url}/v2/models/purchase/predictions?since=${since}&limit=2`)).json()) as { predictions: Logged[]; next_cursor?: string };
    for (let i = 0; i < 50 && page.predictions.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      page = (await (await fetch(`${server.url}/v2/models/purchase/predictions?since=${since}&limit=2`)).json()) as typeof page;
    }
    const seen = [...page.predictions];
    while (page.next_cursor !== undefined) {
      page = (await (await fetch(`${server.url}/v2/models/purchase/predictions?since=${since}&limit=2&cursor=${encodeURIComponent(page.next_cursor)}`)).json()) as typeof page;
      seen.push(...page.predictions);
    }
    assert.deepEqual(seen.map((p) => p.features![0]!['age']), [60, 61, 62, 63, 64]);
    const bad = await fetch(`${server.url}/v2/models/purchase/predictions?limit=0`);
    assert.deepEqual(await bad.json(), { error: 'limit: must be an integer from 1 to 1000', code: 'PONTE_BAD_REQUEST' });

    const jsonl = await runCli(['log', 'export', '--url', server.url, '--model', 'purchase', '--since', String(since)]);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.deepEqual(jsonl.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Logged).features![0]!['age']), [60, 61, 62, 63, 64]);
    const csv = await runCli(['log', 'export', '--url', server.url, '--model', 'purchase', '--since', String(since), '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[0]!, /^id,row,time,model,version,request_id,principal,age,/);
  });
});

it('a store that fails never fails an answer: the lost predictions are counted by model and reason', async () => {
  const down = definePlugin({
    name: 'down-store', kind: 'store',
    register(ctx) {
      ctx.provide(Tokens.PredictionStore, {
        name: 'down',
        append: async () => { throw new Error('connection refused'); },
        appendFeedback: async () => [],
        get: async () => undefined,
        query: async () => ({ items: [] }),
        prune: async () => 0,
        putDocuments: async () => { throw new Error('connection refused'); },
        getDocument: async () => undefined,
        listDocuments: async () => [],
        acquireLease: async () => false,
        releaseLease: async () => undefined,
      });
    },
  });
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/exporter-prometheus'], repository: EXAMPLE_MODELS }, builtins: [down] });
  try {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/v2/models/purchase/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: TENSOR }] }) });
      assert.equal(res.status, 200);
    }
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(`${server.url}/metrics`)).text();
      if (/ponte_prediction_log_dropped_total\{model="purchase",reason="store_error"\} 5/.test(text)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(text, /ponte_prediction_log_dropped_total\{model="purchase",reason="store_error"\} 5/);
  } finally {
    await server.stop();
  }
});
