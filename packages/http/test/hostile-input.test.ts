import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import type { PonteServer } from '@ponte/core';

let server: PonteServer;
before(async () => {
  server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema'], repository: EXAMPLE_MODELS } });
});
after(() => server.stop());

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, -1e308, 1.5, 2 ** 53, '', 'x', 'NaN', '1e999', [], {}, [[]], [null], { name: 1 }, 'input', 'FP32', 'BYTES', [1, 8], [-1, 8], [0], 'label'];

/** Replaces one random leaf or member of a valid request with something wrong. */
function mutate(value: unknown, r: () => number): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || r() < 0.15) return WEIRD[Math.floor(r() * WEIRD.length)];
    const i = Math.floor(r() * value.length);
    const copy = [...value];
    if (r() < 0.1) copy.splice(i, 1);
    else copy[i] = mutate(copy[i], r);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const roll = r();
    if (roll < 0.1) delete copy[keys[Math.floor(r() * keys.length)]!];
    else if (roll < 0.2) copy[`extra${Math.floor(r() * 3)}`] = WEIRD[Math.floor(r() * WEIRD.length)];
    else {
      const k = keys[Math.floor(r() * keys.length)]!;
      copy[k] = mutate(copy[k], r);
    }
    return copy;
  }
  return WEIRD[Math.floor(r() * WEIRD.length)];
}

const validInfer = { id: 'a', parameters: { p: 1 }, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }], outputs: [{ name: 'probabilities' }] };
const validPredict = { id: 'b', instances: [{ age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 }] };

for (const [name, path, valid] of [['infer', '/v2/models/purchase/infer', validInfer], ['predict', '/v1/models/purchase:predict', validPredict]] as const) {
  test(`800 randomly broken ${name} requests all get a JSON answer below 500, and the server stays healthy`, async () => {
    const r = rng(name === 'infer' ? 1 : 2);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 800; i++) {
      let body = valid as unknown;
      const mutations = 1 + Math.floor(r() * 3);
      for (let m = 0; m < mutations; m++) body = mutate(body, r);
      const text = r() < 0.05 ? JSON.stringify(body).slice(0, Math.floor(r() * 40)) : JSON.stringify(body);
      const res = await fetch(`${server.url}${path}`, { method: 'POST', body: text });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const json = (await res.json()) as { error?: unknown; code?: unknown };
      assert.ok(res.status < 500, `#${i} ${text.slice(0, 200)} → ${res.status} ${JSON.stringify(json)}`);
      if (res.status !== 200) {
        assert.equal(typeof json.error, 'string', `#${i}: error must be a string`);
        assert.match(String(json.code), /^PONTE_[A-Z_]+$/);
      }
    }
    assert.ok((statuses.get(400) ?? 0) > 400, `mostly refused: ${JSON.stringify([...statuses])}`);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
  });
}
