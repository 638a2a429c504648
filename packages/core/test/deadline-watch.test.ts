import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPonteError } from '@ponte/core';
import { DeadlineWatch } from '../src/deadline-watch.js';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));

test('a run that outlasts a near deadline fails with PONTE_DEADLINE_EXCEEDED on time', async () => {
  const watch = new DeadlineWatch();
  const t0 = performance.now();
  await assert.rejects(watch.race(after(300, 'late'), t0 + 30), (e: unknown) => isPonteError(e) && e.code === 'PONTE_DEADLINE_EXCEEDED');
  assert.ok(performance.now() - t0 < 250, 'the caller was answered before the run finished');
});

test('a far deadline is enforced by the shared sweep, within its period', async () => {
  const watch = new DeadlineWatch();
  const t0 = performance.now();
  // 1.2 s away: beyond the precise window, so the sweep catches it.
  await assert.rejects(watch.race(after(3000, 'late'), t0 + 1200), (e: unknown) => isPonteError(e) && e.code === 'PONTE_DEADLINE_EXCEEDED');
  const took = performance.now() - t0;
  assert.ok(took >= 1200 && took < 2500, `took ${took} ms`);
});

test('runs that finish in time keep their value or their own error', async () => {
  const watch = new DeadlineWatch();
  assert.equal(await watch.race(after(5, 'ok'), performance.now() + 5000), 'ok');
  assert.equal(await watch.race(after(5, 'ok'), performance.now() + 100), 'ok');
  await assert.rejects(watch.race(Promise.reject(new Error('model broke')), performance.now() + 5000), /model broke/);
  assert.equal(await watch.race(after(1, 'no deadline'), undefined), 'no deadline');
});
