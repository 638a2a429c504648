import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { PredictionRecord, PredictionSink } from '@ponte/core';
import { sampleRecords } from './sample-records.js';

/** What `sinkConformance` needs: the sink, and optionally records of its own and a way to see what it delivered. */
export interface SinkFixture {
  sink: PredictionSink;
  /** Records to write; default `sampleRecords(5)`. */
  records?: PredictionRecord[];
  /**
   * How many records the sink's destination has received so far (a test
   * receiver's count): with it, the suite checks each written record arrives
   * once, after `flush`.
   */
  delivered?: () => number | Promise<number>;
  /** The same sink with its destination failing (down, refusing): its `write` must reject, not throw. */
  failing?: PredictionSink;
  /** Releases what the sink holds (the plugin's `stop`, a server's `stop()`); called twice. */
  close?: () => void | Promise<void>;
}

/** Calls `fn`, reporting a synchronous throw as a failure: core's queue awaits a `write`'s promise, it does not expect a throw. */
function noSyncThrow<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    assert.fail(`${what} threw synchronously (${(e as Error).message}): fail by rejecting the promise it returns`);
  }
}

/**
 * The tests every `PredictionSink` passes, as a node:test suite: it accepts
 * batches of records (every field core may set, any text), leaves them as
 * they were (other sinks see the same objects), never throws synchronously
 * into its caller, fails by rejecting, and flushes and closes idempotently.
 *
 * @example
 * ```ts
 * import { sinkConformance } from '@ponte/testing';
 * sinkConformance('jsonl-log', { sink, delivered: () => lines(file).length });
 * ```
 */
export function sinkConformance(name: string, fixture: SinkFixture): void {
  const { sink } = fixture;
  const records = fixture.records ?? sampleRecords(5);

  describe(`PredictionSink conformance: ${name}`, () => {
    after(async () => {
      await fixture.close?.();
      await fixture.close?.();
    });

    it('has a name, and a positive capacity and batch size if it sets them', () => {
      assert.ok(typeof sink.name === 'string' && sink.name !== '', 'sink.name: a non-empty string');
      for (const k of ['capacity', 'maxBatch'] as const) {
        const v = sink[k];
        if (v !== undefined) assert.ok(Number.isInteger(v) && v >= 1, `sink.${k}: a positive integer, got ${v}`);
      }
    });

    it('accepts a batch, then one record at a time, leaving the records as they were', async () => {
      const before = structuredClone(records);
      const start = fixture.delivered === undefined ? 0 : await fixture.delivered();
      await noSyncThrow('write(batch)', () => sink.write(records));
      for (const r of records) await noSyncThrow('write([record])', () => sink.write([r]));
      assert.deepEqual(records, before, 'write() changed the records (every sink sees the same objects)');
      await noSyncThrow('flush()', () => sink.flush?.());
      if (fixture.delivered !== undefined) assert.equal((await fixture.delivered()) - start, records.length * 2, 'each written record arrives once');
    });

    it('accepts a batch of its maxBatch size', async () => {
      const size = Math.min(sink.maxBatch ?? 256, 1000);
      const many = Array.from({ length: size }, (_, i) => records[i % records.length]!);
      await noSyncThrow('write(maxBatch records)', () => sink.write(many));
    });

    it('tolerates being told of dropped records', () => {
      for (const r of records) noSyncThrow('onDrop()', () => sink.onDrop?.(r));
    });

    it('fails by rejecting, never by throwing synchronously', { skip: fixture.failing === undefined ? 'no failing fixture given' : false }, async () => {
      const failing = fixture.failing!;
      const result = noSyncThrow('write() of a failing sink', () => failing.write(records));
      await assert.rejects(Promise.resolve(result), Error, 'a write whose destination fails rejects with an Error (core counts it as failed)');
    });

    it('flushes idempotently: flush() twice, with nothing buffered, resolves', async () => {
      await noSyncThrow('flush()', () => sink.flush?.());
      await noSyncThrow('flush() again', () => sink.flush?.());
    });
  });
}
