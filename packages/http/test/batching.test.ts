/**
 * Many clients call at once. Dynamic batching (on by default) must give each
 * caller the answer for its own row, as an unbatched server would; a full
 * queue must push back with 429 and Retry-After rather than fail; and a
 * caller's deadline must be kept with a 504, however slow the model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { definePlugin, Tokens, type PipelineObserver, type Plugin, type PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import { assertError, fixture, loadGolden, PLUGINS, post, type JsonAnswer } from './support/rest.js';

const BURST = 200;

/** A test plugin that records the size of every batch the server runs, per model. */
function batchRecorder(sizes: Map<string, number[]>): Plugin {
  return definePlugin({
    name: 'test-batch-recorder',
    kind: 'monitor',
    register(ctx) {
      const observer: PipelineObserver = {
        name: 'test-batch-recorder',
        onBatch(model, _version, size) {
          sizes.set(model, [...(sizes.get(model) ?? []), size]);
        },
      };
      ctx.provide<PipelineObserver>(Tokens.PipelineObserver, observer);
    },
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const purchase = loadGolden('purchase');
/** 200 distinct customers: the golden rows with income, age and pages viewed varied. */
const PURCHASE_ROWS: number[][] = Array.from({ length: BURST }, (_, i) => {
  const r = [...purchase.inputs[i % 10]!];
  r[0] = r[0]! + (i % 13);
  r[1] = Math.round((r[1]! + i * 1.7) * 10) / 10;
  r[4] = r[4]! + Math.floor(i / 10);
  return r;
});
const rnd = random(20240405);
/** 200 rows of 256 standard-normal-ish values, exactly representable as FP32. */
const WIDE_ROWS: number[][] = Array.from({ length: BURST }, () => Array.from({ length: 256 }, () => Math.fround((rnd() + rnd() + rnd() + rnd() - 2) * 1.7)));

const CASES = [
  { model: 'purchase', rows: PURCHASE_ROWS },
  { model: 'wide_mlp', rows: WIDE_ROWS },
] as const;

function oneRow(values: number[]): unknown {
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, values.length], data: values }], outputs: [{ name: 'probabilities' }] };
}

function probabilities(res: JsonAnswer): number[] {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.outputs[0].data as number[];
}

let batched: PonteServer;
let unbatched: PonteServer;
const batchSizes = new Map<string, number[]>();
/** Per model: the burst's answers from the batching server, and each row's answer alone from the unbatched one. */
const answers = new Map<string, { burst: number[][]; reference: number[][] }>();

before(async () => {
  batched = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS }, builtins: [batchRecorder(batchSizes)] });
  unbatched = await startTestServer({
    config: { plugins: PLUGINS, repository: EXAMPLE_MODELS, models: [{ name: 'wide_mlp', batching: { enabled: false } }, { name: 'purchase', batching: { enabled: false } }] },
  });
  for (const { model, rows } of CASES) {
    const path = `/v2/models/${model}/infer`;
    // The reference: one request at a time, so nothing can be batched even by accident.
    const reference: number[][] = [];
    for (const r of rows) reference.push(probabilities(await post(unbatched.url, path, oneRow(r))));
    batchSizes.delete(model);
    const burst = (await Promise.all(rows.map((r) => post(batched.url, path, oneRow(r))))).map(probabilities);
    answers.set(model, { burst, reference });
  }
});

after(async () => {
  await Promise.all([batched?.stop(), unbatched?.stop()]);
});

describe(`${BURST} concurrent one-row requests against the batching server`, () => {
  for (const { model } of CASES) {
    test(`${model}: the unbatched server has batching off, the default server on`, async () => {
      assert.equal(unbatched.registry.resolve(model).batching.enabled, false);
      assert.equal(batched.registry.resolve(model).batching.enabled, true);
    });

    test(`${model}: the burst was really batched (some batch had more than one row)`, () => {
      const sizes = batchSizes.get(model) ?? [];
      assert.equal(sizes.reduce((a, b) => a + b, 0), BURST, 'every row ran exactly once');
      assert.ok(Math.max(...sizes) > 1, `batch sizes: ${sizes.join(',')}`);
    });

    test(`${model}: the rows are distinct enough that a mix-up would show`, () => {
      const { reference } = answers.get(model)!;
      const seen = new Set(reference.map((p) => p.join(',')));
      assert.equal(seen.size, BURST, 'two different rows gave the same answer');
    });

    test(`${model}: every caller gets its own row's answer, as the unbatched server gives it (within 1e-6)`, () => {
      const { burst, reference } = answers.get(model)!;
      for (let i = 0; i < BURST; i++) {
        const own = maxDiff(burst[i]!, reference[i]!);
        assert.ok(own <= 1e-6, `row ${i}: off by ${own} from its unbatched answer`);
        // And no other row's answer is as close: the answer belongs to this row.
        for (let j = 0; j < BURST; j++) {
          if (j !== i) assert.ok(maxDiff(burst[i]!, reference[j]!) > own, `row ${i}'s answer is as close to row ${j}'s`);
        }
      }
    });

    // purchase's LinearClassifier (ai.onnx.ml) takes another kernel path for one row than for several;
    // the ONNX plugin runs lone rows as pairs so that batching cannot change a single bit.
    test(`${model}: every caller gets bit-identical FP32 values to the unbatched server`, () => {
      const { burst, reference } = answers.get(model)!;
      const differing = burst.map((p, i) => (p.every((v, k) => Object.is(v, reference[i]![k])) ? -1 : i)).filter((i) => i >= 0);
      assert.deepEqual(differing, [], `${differing.length} of ${BURST} rows differ in their bits, max diff ${Math.max(...differing.map((i) => maxDiff(burst[i]!, reference[i]!)))}`);
    });
  }
});

function maxDiff(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!));
  return m;
}

describe('back-pressure and deadlines on a slow model (300 ms a run)', () => {
  const SLOW = fixture('repo-slow/slow');
  let server: PonteServer;
  before(async () => {
    server = await startTestServer({
      config: {
        plugins: PLUGINS,
        models: [
          // One running, one waiting: the third caller at once finds the queue full.
          { name: 'slow_queue', source: SLOW, warmup: { runs: 0 }, batching: { maxQueueSize: 1, maxBatchSize: 1 } },
          { name: 'slow', source: SLOW, warmup: { runs: 0 } },
          { name: 'slow_direct', source: SLOW, warmup: { runs: 0 }, batching: { enabled: false } },
        ],
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  const x = (v: number, extra: Record<string, unknown> = {}): unknown => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [v] }], ...extra });

  test('a burst against a full queue gets 429 with Retry-After and PONTE_QUEUE_FULL, never a 5xx', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post(server.url, '/v2/models/slow_queue/infer', x(i))));
    const statuses = results.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 429), `statuses: ${statuses.join(',')}`);
    assert.ok(statuses.includes(200), 'some requests are served');
    assert.ok(statuses.includes(429), `some requests are pushed back (statuses: ${statuses.join(',')})`);
    results.forEach((r, i) => {
      if (r.status === 200) {
        assert.deepEqual(r.body.outputs[0].data, [i], 'a served caller gets its own answer');
      } else {
        assertError(r, 429, 'PONTE_QUEUE_FULL', 'queue');
        assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After is a number of seconds');
      }
    });
  });

  test('after the burst the queue drains and the model serves again', async () => {
    const res = await post(server.url, '/v2/models/slow_queue/infer', x(7));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.outputs[0].data, [7]);
  });

  test('parameters.timeout of 1 microsecond → 504 PONTE_DEADLINE_EXCEEDED', async () => {
    assertError(await post(server.url, '/v2/models/slow/infer', x(1, { parameters: { timeout: 1 } })), 504, 'PONTE_DEADLINE_EXCEEDED', 'deadline');
    assertError(await post(server.url, '/v2/models/slow_direct/infer', x(1, { parameters: { timeout: 1 } })), 504, 'PONTE_DEADLINE_EXCEEDED', 'deadline');
  });

  test('X-Request-Timeout-Ms: 1 → 504 PONTE_DEADLINE_EXCEEDED', async () => {
    for (const model of ['slow', 'slow_direct']) {
      const res = await post(server.url, `/v2/models/${model}/infer`, x(1), { 'X-Request-Timeout-Ms': '1' });
      assertError(res, 504, 'PONTE_DEADLINE_EXCEEDED', 'deadline');
    }
  });

  test('a deadline that passes while the model runs (50 ms of 300) → 504, batched or not', async () => {
    for (const model of ['slow', 'slow_direct']) {
      const res = await post(server.url, `/v2/models/${model}/infer`, x(1), { 'X-Request-Timeout-Ms': '50' });
      assertError(res, 504, 'PONTE_DEADLINE_EXCEEDED', 'deadline');
    }
  });

  test('the named API keeps parameters.timeout too', async () => {
    const res = await post(server.url, '/v1/models/slow:predict', { instances: [[1]], parameters: { timeout: 1 } });
    assertError(res, 504, 'PONTE_DEADLINE_EXCEEDED');
  });

  test('a generous deadline is not hit, and the model still answers after the 504s', async () => {
    for (const model of ['slow', 'slow_direct']) {
      const res = await post(server.url, `/v2/models/${model}/infer`, x(2.5), { 'X-Request-Timeout-Ms': '60000' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.outputs[0].data, [2.5]);
    }
  });
});
