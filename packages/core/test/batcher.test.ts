import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { DynamicBatcher, isPonteError, type BatchingConfig, type LoadedModel, type RunRequest, type Tensor } from '@ponte/core';

/** A real (if tiny) model: y = 2x + row index within the batch, so a wrong split shows. */
function doublingModel(delayMs = 0): LoadedModel & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    platform: 'test',
    signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }] },
    async run(req: RunRequest): Promise<Tensor[]> {
      const x = req.inputs[0]!;
      batches.push(x.shape[0]!);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const y = new Float32Array(x.data.length);
      for (let i = 0; i < y.length; i++) y[i] = 2 * (x.data as Float32Array)[i]!;
      return [{ name: 'y', datatype: 'FP32', shape: [...x.shape], data: y }];
    },
    async close() {},
  };
}

/** The doubling model, but each run waits until `open()` is called; `firstCall` resolves when the first run starts. */
function gatedModel(): LoadedModel & { firstValues: number[]; firstCall: Promise<void>; open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  let started!: () => void;
  const firstCall = new Promise<void>((r) => { started = r; });
  const firstValues: number[] = [];
  const inner = doublingModel();
  return {
    ...inner,
    firstValues,
    firstCall,
    open,
    async run(r: RunRequest): Promise<Tensor[]> {
      firstValues.push((r.inputs[0]!.data as Float32Array)[0]!);
      started();
      await gate;
      return inner.run(r);
    },
  };
}

const config = (over: Partial<BatchingConfig> = {}): BatchingConfig => ({ enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 0, preferredBatchSizes: [], maxQueueSize: 100, ...over });

function req(rows: number, start: number): RunRequest {
  const data = new Float32Array(rows * 2);
  for (let i = 0; i < data.length; i++) data[i] = start + i;
  return { inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 2], data }] };
}

test('concurrent requests are run as one batch and each caller gets exactly its rows back', async () => {
  const model = doublingModel(5);
  const batcher = new DynamicBatcher(model, config());
  const results = await Promise.all([req(1, 0), req(2, 100), req(1, 200), req(3, 300)].map((r) => batcher.run(r)));
  assert.deepEqual(model.batches, [7]);
  assert.deepEqual(Array.from(results[1]!.outputs[0]!.data as Float32Array), [200, 202, 204, 206]);
  assert.deepEqual(results[3]!.outputs[0]!.shape, [3, 2]);
  assert.deepEqual(Array.from(results[3]!.outputs[0]!.data as Float32Array), [600, 602, 604, 606, 608, 610]);
  assert.equal(results[0]!.batchSize, 7);
});

test('batches never exceed maxBatchSize and honour preferred sizes', async () => {
  const model = doublingModel(2);
  const batcher = new DynamicBatcher(model, config({ maxBatchSize: 4, preferredBatchSizes: [2] }));
  await Promise.all(Array.from({ length: 9 }, (_, i) => batcher.run(req(1, i))));
  assert.ok(model.batches.every((b) => b <= 2), `batches ${model.batches.join(',')}`);
  assert.equal(model.batches.reduce((a, b) => a + b, 0), 9);
});

test('a full queue refuses at once with PONTE_QUEUE_FULL and Retry-After', async () => {
  const model = doublingModel(20);
  const batcher = new DynamicBatcher(model, config({ maxBatchSize: 1, maxQueueSize: 2 }));
  const settled = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => batcher.run(req(1, i))));
  const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason as unknown);
  assert.ok(refused.length >= 3, `expected refusals, got ${refused.length}`);
  for (const e of refused) {
    assert.ok(isPonteError(e));
    assert.equal(e.code, 'PONTE_QUEUE_FULL');
    assert.equal(e.status, 429);
    assert.equal(e.headers['Retry-After'], '1');
  }
});

test('a request whose deadline passes in the queue gets PONTE_DEADLINE_EXCEEDED and never runs, and the requests around it are served', async () => {
  // The model holds every batch until the test opens a gate, so "the deadline
  // passed while it waited in the queue" is arranged, not raced: with a model
  // that merely sleeps, a busy box can reach the first dispatch after a short
  // deadline has already passed.
  const model = gatedModel();
  const batcher = new DynamicBatcher(model, config({ maxBatchSize: 1 }));
  const first = batcher.run(req(1, 0));
  const deadline = performance.now() + 20;
  const late = batcher.run(req(1, 50), { deadline });
  const after = batcher.run(req(1, 100));
  // Listen for the late request's answer at once: the batcher may refuse it at
  // any dispatch, even while the first batch is still running, and a rejection
  // nobody listens to yet fails the run as an unhandled rejection.
  const lateRefused = assert.rejects(late, (e: unknown) => isPonteError(e) && e.code === 'PONTE_DEADLINE_EXCEEDED');
  await model.firstCall;
  while (performance.now() <= deadline) await sleep(10);
  model.open();
  const [a, c] = await Promise.all([first, after]);
  await lateRefused;
  assert.deepEqual(Array.from(a.outputs[0]!.data as Float32Array), [0, 2]);
  assert.deepEqual(Array.from(c.outputs[0]!.data as Float32Array), [200, 202]);
  assert.deepEqual(model.firstValues, [0, 100], 'the late request must never reach the model');
});

test('requests with different row widths are not mixed in one batch', async () => {
  const model = doublingModel(2);
  const batcher = new DynamicBatcher(model, config());
  const wide: RunRequest = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array([1, 2, 3]) }] };
  const [a, b] = await Promise.all([batcher.run(req(1, 0)), batcher.run(wide)]);
  assert.deepEqual(a.outputs[0]!.shape, [1, 2]);
  assert.deepEqual(b.outputs[0]!.shape, [1, 3]);
  assert.equal(model.batches.length, 2);
});

test('drain waits for queued work, then refuses new work', async () => {
  const model = doublingModel(10);
  const batcher = new DynamicBatcher(model, config({ maxBatchSize: 1 }));
  const pending = [batcher.run(req(1, 0)), batcher.run(req(1, 1))];
  await batcher.drain();
  const done = await Promise.allSettled(pending);
  assert.ok(done.every((d) => d.status === 'fulfilled'));
  await assert.rejects(batcher.run(req(1, 2)), (e: unknown) => isPonteError(e) && e.code === 'PONTE_SHUTTING_DOWN');
});
