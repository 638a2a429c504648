import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PIPELINE_STAGES, type PipelineObserver, type PipelineStage, type RequestContext, type RequestOutcome } from '@ponte/core';
import { testContext } from './test-context.js';

/** What `observerConformance` needs: the observer, and what releases it (an exporter's shutdown). */
export interface ObserverFixture {
  observer: PipelineObserver;
  /** Releases what the observer holds (a plugin's `stop`, a server's `stop()`); called twice. */
  close?: () => void | Promise<void>;
}

/** Calls a hook as core does (never awaited) and fails the test if it throws or returns a promise. */
function call(what: string, fn: () => unknown): unknown {
  let returned: unknown;
  try {
    returned = fn();
  } catch (e) {
    assert.fail(`${what} threw (${(e as Error).message}): observers must never throw into a request`);
  }
  assert.ok(!(returned instanceof Promise), `${what} returned a promise: core never awaits hooks, so its rejection would be unhandled`);
  return returned;
}

const OUTCOMES: RequestOutcome[] = [
  { status: 200, durationMs: 3.5 },
  { status: 400, code: 'PONTE_VALIDATION_FAILED', durationMs: 0.2 },
  { status: 503, code: 'PONTE_QUEUE_FULL', durationMs: 0 },
  { status: 599, code: 'SOMETHING_NEW', durationMs: 1e9 },
  { status: 0, durationMs: -1 },
];

/**
 * The tests every `PipelineObserver` passes, as a node:test suite: every
 * hook tolerates any order of calls (an end without a start, stages out of
 * order or twice, a request it never saw), odd values (unknown stages and
 * codes, no model, huge or negative durations) and never throws nor returns a
 * promise — core calls hooks synchronously and never awaits them.
 *
 * @example
 * ```ts
 * import { observerConformance } from '@ponte/testing';
 * observerConformance('request-counter', { observer: new CountingObserver() });
 * ```
 */
export function observerConformance(name: string, fixture: ObserverFixture): void {
  const o = fixture.observer;
  const start = (ctx: RequestContext) => call('onRequestStart()', () => o.onRequestStart?.(ctx));
  const stage = (ctx: RequestContext, s: PipelineStage, ms = 0.5) => call(`onStage(${s})`, () => o.onStage?.(ctx, s, performance.now(), ms));
  const end = (ctx: RequestContext, outcome: RequestOutcome) => call('onRequestEnd()', () => o.onRequestEnd?.(ctx, outcome));
  const request = (): RequestContext => {
    const ctx = testContext({ headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    ctx.model = 'conformance';
    ctx.version = '1';
    ctx.principal = { id: 'tester', scheme: 'test', scopes: ['*:*'] };
    return ctx;
  };

  describe(`PipelineObserver conformance: ${name}`, () => {
    after(async () => {
      await fixture.close?.();
      await fixture.close?.();
    });

    it('has a name, lists only real stages, and a selective one answers whether it follows', () => {
      assert.ok(typeof o.name === 'string' && o.name !== '', 'observer.name: a non-empty string');
      if (o.stages !== undefined) for (const s of o.stages) assert.ok((PIPELINE_STAGES as readonly string[]).includes(s), `observer.stages: "${s}" is not a pipeline stage`);
      if (o.selective === true) {
        assert.equal(typeof o.onRequestStart, 'function', 'a selective observer has onRequestStart');
        const follows = start(request());
        assert.equal(typeof follows, 'boolean', 'a selective observer\'s onRequestStart returns true or false');
      }
    });

    it('follows requests through every stage, in lifecycle order, to each kind of outcome', () => {
      for (const outcome of OUTCOMES) {
        const ctx = request();
        start(ctx);
        for (const s of PIPELINE_STAGES) stage(ctx, s);
        ctx.batchSize = 4;
        end(ctx, outcome);
      }
    });

    it('tolerates any order: an end without a start, stages reversed or twice, a second end', () => {
      const lone = request();
      end(lone, OUTCOMES[0]!);
      const reversed = request();
      for (const s of [...PIPELINE_STAGES].reverse()) stage(reversed, s);
      start(reversed);
      stage(reversed, 'run');
      stage(reversed, 'run', 0);
      end(reversed, OUTCOMES[1]!);
      end(reversed, OUTCOMES[0]!);
      stage(reversed, 'encode');
      // Interleaved requests, as under load.
      const [a, b] = [request(), request()];
      start(a);
      start(b);
      stage(b, 'decode');
      stage(a, 'decode');
      end(b, OUTCOMES[2]!);
      stage(a, 'run', 1e6);
      end(a, OUTCOMES[0]!);
    });

    it('tolerates requests that never resolved a model, had no principal, or came over another protocol', () => {
      const bare = testContext({}, 'model_metadata');
      start(bare);
      stage(bare, 'admit');
      stage(bare, 'authenticate');
      end(bare, { status: 401, code: 'PONTE_UNAUTHENTICATED', durationMs: 0.1 });
      const odd = { ...testContext({}, 'a route "with" quotes ☃'), protocol: 'line' } as RequestContext;
      odd.model = 'model with spaces/and\\slashes';
      start(odd);
      stage(odd, 'unknown-stage' as PipelineStage);
      end(odd, OUTCOMES[3]!);
      end(testContext(), OUTCOMES[4]!);
    });

    it('tolerates batch and model-state reports of any values', () => {
      for (const [size, depth] of [[1, 0], [64, 1000], [0, 0], [1e6, -1]] as const) call('onBatch()', () => o.onBatch?.('conformance', '1', size, depth));
      call('onBatch() for an unknown model', () => o.onBatch?.('never-loaded', 'x', 1, 0));
      for (const state of ['loading', 'ready', 'failed', 'unloaded', 'something-new']) call(`onModelState(${state})`, () => o.onModelState?.('conformance', '1', state, state === 'ready' ? 12.5 : undefined));
      call('onModelState() with a load duration of 0', () => o.onModelState?.('conformance', '2', 'ready', 0));
    });

    it('keeps up with many requests without throwing', () => {
      for (let i = 0; i < 2000; i++) {
        const ctx = request();
        start(ctx);
        stage(ctx, 'run', i % 7);
        end(ctx, OUTCOMES[i % 3]!);
      }
    });
  });
}
