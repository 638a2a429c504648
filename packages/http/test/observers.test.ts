/**
 * A plugin watches requests through a PipelineObserver. A sampling tracer
 * follows only some requests: it says so when a request starts, and then sees
 * that request's stages and end, and nothing of the others — while an ordinary
 * observer beside it still sees every request, and a failing observer breaks
 * neither the answer nor the other observers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { definePlugin, Tokens, type PipelineObserver, type PipelineStage, type Plugin, type PonteServer, type RequestContext } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import { PLUGINS, post } from './support/rest.js';

const ROW = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] };
const REQUESTS = 12;
/** What an OIP infer request goes through, in order (no transforms configured). */
const STAGES: PipelineStage[] = ['admit', 'authenticate', 'decode', 'resolve', 'validate', 'queue', 'run', 'encode'];

interface Seen {
  starts: string[];
  stages: Map<string, PipelineStage[]>;
  ends: Map<string, number>;
}

function seen(): Seen {
  return { starts: [], stages: new Map(), ends: new Map() };
}

function record(into: Seen, name: string, extra: Partial<PipelineObserver> = {}): PipelineObserver {
  return {
    name,
    onStage(ctx: RequestContext, stage: PipelineStage) {
      into.stages.set(ctx.requestId, [...(into.stages.get(ctx.requestId) ?? []), stage]);
    },
    onRequestEnd(ctx: RequestContext, outcome) {
      into.ends.set(ctx.requestId, outcome.status);
    },
    ...extra,
  };
}

/** Follows the requests whose id ends in an even digit, as a 50 % sampler would. */
function evenSampler(into: Seen): PipelineObserver {
  return record(into, 'even-sampler', {
    selective: true,
    onRequestStart(ctx: RequestContext): boolean {
      into.starts.push(ctx.requestId);
      return Number(ctx.requestId.slice(-1)) % 2 === 0;
    },
  });
}

function observers(list: PipelineObserver[]): Plugin {
  return definePlugin({
    name: 'test-observers',
    kind: 'monitor',
    register(ctx) {
      for (const o of list) ctx.provide<PipelineObserver>(Tokens.PipelineObserver, o);
    },
  });
}

describe('observers that follow only some requests', () => {
  const sampler = seen();
  const everything = seen();
  const broken = seen();
  let server: PonteServer;
  const statuses: number[] = [];

  before(async () => {
    const failing = record(broken, 'failing-sampler', {
      selective: true,
      onRequestStart(): boolean {
        throw new Error('observer bug');
      },
    });
    server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS }, builtins: [observers([evenSampler(sampler), record(everything, 'all'), failing])] });
    for (let i = 0; i < REQUESTS; i++) {
      const res = await post(server.url, '/v2/models/purchase/infer', ROW, { 'x-request-id': `req-${i}` });
      statuses.push(res.status);
    }
  });

  after(async () => {
    await server?.stop();
  });

  it('every request is answered', () => {
    assert.deepEqual(statuses, Array(REQUESTS).fill(200));
  });

  it('the sampler is asked about every request', () => {
    assert.deepEqual(sampler.starts, Array.from({ length: REQUESTS }, (_, i) => `req-${i}`));
  });

  it('the sampler sees every stage and the end of the requests it follows, and nothing of the others', () => {
    const followed = Array.from({ length: REQUESTS / 2 }, (_, i) => `req-${2 * i}`);
    assert.deepEqual([...sampler.ends.keys()].sort(), followed.sort());
    assert.deepEqual([...sampler.stages.keys()].sort(), followed.sort());
    for (const id of followed) {
      assert.deepEqual(sampler.stages.get(id), STAGES, id);
      assert.equal(sampler.ends.get(id), 200);
    }
  });

  it('an ordinary observer beside it still sees every request', () => {
    assert.equal(everything.ends.size, REQUESTS);
    assert.equal(everything.stages.size, REQUESTS);
    for (const stages of everything.stages.values()) assert.deepEqual(stages, STAGES);
  });

  it('a selective observer whose start hook throws follows nothing and breaks nothing', () => {
    assert.equal(broken.ends.size, 0);
    assert.equal(broken.stages.size, 0);
  });
});
