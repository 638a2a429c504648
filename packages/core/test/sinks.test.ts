import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, resolveToken, Tokens, type PredictionRecord, type PredictionSink } from '../src/index.js';
import { infer, repository, startServer } from './support/multiplier.js';

/** A sink whose writes wait until the test opens the gate. */
function gatedSink(name: string, options: { capacity?: number; maxBatch?: number } = {}): PredictionSink & { received: PredictionRecord[]; open(): void; writes: number; flushed: number } {
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => { release = r; });
  const sink = {
    name,
    ...options,
    received: [] as PredictionRecord[],
    writes: 0,
    flushed: 0,
    async write(records: readonly PredictionRecord[]) {
      sink.writes++;
      await gate;
      sink.received.push(...records);
    },
    flush() { sink.flushed++; },
    open() { release(); gate = Promise.resolve(); },
  };
  return sink;
}

const sinkPlugin = (sink: PredictionSink) => definePlugin({ name: `sink-${sink.name}`, kind: 'monitor', register(ctx) { ctx.provide(Tokens.PredictionSink, sink); } });

const FEATURES = 'features:\n  - { name: amount, type: number }\n';

test('a sink gets each answered prediction: request id, time, principal, model, named features, outputs and timings', async () => {
  const sink = gatedSink('log');
  sink.open();
  const server = await startServer(repository({ double: { '1': 2 } }, { double: FEATURES }), [sinkPlugin(sink)]);
  try {
    const before = Date.now();
    const answer = await infer(server, 'double', [1.5, 4]);
    assert.equal(answer.status, 200);
    await server.stop(); // drains every sink
    assert.equal(sink.received.length, 1);
    const r = sink.received[0]!;
    assert.match(r.requestId, /^test-/);
    assert.ok(r.time >= before - 1000 && r.time <= Date.now(), 'epoch milliseconds of arrival');
    assert.equal(r.principal, 'anonymous');
    assert.equal(r.endpoint, 'infer');
    assert.deepEqual([r.model.name, r.model.version], ['double', '1']);
    assert.deepEqual(r.features, [{ amount: 1.5 }, { amount: 4 }]);
    assert.deepEqual(Array.from(r.outputs[0]!.data as Float32Array), [3, 8]);
    assert.ok(r.timings.totalMs >= r.timings.runMs && r.timings.runMs >= 0);
    assert.equal(sink.flushed, 1);
  } finally {
    await server.stop();
  }
});

test('a stalled sink never delays an answer: every request is answered while its writes wait', async () => {
  const sink = gatedSink('stalled');
  const server = await startServer(repository({ double: { '1': 2 } }), [sinkPlugin(sink)]);
  try {
    for (let i = 0; i < 20; i++) {
      const a = await infer(server, 'double', [i]);
      assert.equal(a.status, 200);
      assert.deepEqual((a.value as { y: number[] }).y, [2 * i]);
    }
    assert.ok(sink.writes >= 1, 'the sink was called');
    assert.equal(sink.received.length, 0, 'and is still waiting: the answers did not wait for it');
  } finally {
    sink.open();
    await server.stop();
  }
});

test('a full sink queue drops new records and counts them; nothing else is lost once the sink catches up', async () => {
  const sink = gatedSink('small', { capacity: 5, maxBatch: 1 });
  const server = await startServer(repository({ double: { '1': 2 } }), [sinkPlugin(sink)]);
  const hub = resolveToken(server.container, Tokens.SinkHub);
  try {
    for (let i = 0; i < 20; i++) assert.equal((await infer(server, 'double', [i])).status, 200);
    const stalled = hub.stats()[0]!;
    assert.equal(stalled.sink, 'small');
    assert.ok(stalled.queued <= 5, `the queue is bounded (${stalled.queued})`);
    assert.ok(stalled.dropped >= 20 - 5 - 1, `what did not fit was dropped and counted (${stalled.dropped})`);
    sink.open();
    await server.stop();
    const done = hub.stats()[0]!;
    assert.equal(done.queued, 0);
    assert.equal(done.written + done.dropped, 20, 'every record was either written or counted as dropped');
    assert.equal(sink.received.length, done.written);
  } finally {
    sink.open();
    await server.stop();
  }
});

test('a sink that throws is counted as failed and does not stop the others', async () => {
  const good = gatedSink('good');
  good.open();
  const broken: PredictionSink = { name: 'broken', write() { throw new Error('disk full'); } };
  const server = await startServer(repository({ double: { '1': 2 } }), [sinkPlugin(broken), sinkPlugin(good)]);
  const hub = resolveToken(server.container, Tokens.SinkHub);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await infer(server, 'double', [i])).status, 200);
  } finally {
    await server.stop();
  }
  const byName = Object.fromEntries(hub.stats().map((s) => [s.sink, s]));
  assert.equal(byName['broken']!.failed, 3);
  assert.equal(byName['good']!.written, 3);
  assert.equal(good.received.length, 3);
});

test('stop() waits for queued records within the shutdown timeout, then flushes', async () => {
  const sink = gatedSink('slow');
  const server = await startServer(repository({ double: { '1': 2 } }), [sinkPlugin(sink)], { shutdownTimeoutMs: 60_000 });
  for (let i = 0; i < 5; i++) assert.equal((await infer(server, 'double', [i])).status, 200);
  const stopping = server.stop();
  setTimeout(() => sink.open(), 50);
  await stopping;
  assert.equal(sink.received.length, 5);
  assert.equal(sink.flushed, 1);
});

test('features a model redacts never reach any sink', async () => {
  const sink = gatedSink('redacted');
  sink.open();
  const server = await startServer(repository({ double: { '1': 2 } }, { double: `${FEATURES}logging: { redact: [amount] }\n` }), [sinkPlugin(sink)]);
  try {
    assert.equal((await infer(server, 'double', [7])).status, 200);
  } finally {
    await server.stop();
  }
  assert.deepEqual(sink.received[0]!.features, [{}]);
});
