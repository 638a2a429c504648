import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { definePlugin, Tokens, type Plugin, type PipelineObserver, type PonteServer, type PredictionRecord, type ProtocolEndpoint, type RequestContext, type RequestOutcome, type Tensor } from '@ponte/core';

/** An answer as the protocol's client read it: the output tensors' names and shapes. */
export interface ClientOutput {
  name: string;
  shape: number[];
}

/** What `protocolConformance` needs: a server running the protocol, and a client of it. */
export interface ProtocolFixture {
  /** The `protocol` its `ProtocolEndpoint` reports (`rest`, `grpc`). */
  protocol: string;
  /**
   * Starts a server with the protocol plugin and a ready model, loading
   * `extra` too (the suite's recorder of what the pipeline saw).
   */
  start(extra: readonly Plugin[]): Promise<PonteServer>;
  /** The model to call and the inputs of one request for it. */
  model: string;
  inputs: Tensor[];
  /** Sends one inference request over the protocol; rejects when the answer is an error. */
  infer(endpoint: ProtocolEndpoint, model: string, inputs: Tensor[]): Promise<ClientOutput[]>;
}

interface Seen {
  ends: Array<{ ctx: RequestContext; outcome: RequestOutcome }>;
  records: PredictionRecord[];
}

/** Records what the pipeline reports, so the suite can tell the protocol ran requests through it. */
function recorder(seen: Seen): Plugin {
  const observer: PipelineObserver = { name: 'conformance-recorder', onRequestEnd: (ctx, outcome) => { seen.ends.push({ ctx, outcome }); } };
  return definePlugin({
    name: 'ponte-testing-protocol-recorder',
    kind: 'monitor',
    register(ctx) {
      ctx.provide(Tokens.PipelineObserver, observer);
      ctx.provide(Tokens.PredictionSink, { name: 'conformance-recorder', write: (records) => { seen.records.push(...records); } });
    },
  });
}

const settle = async (until: () => boolean): Promise<void> => {
  // Sinks run after the answer, off the request path: wait for them, generously.
  for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setTimeout(r, 25));
};

/**
 * The tests every protocol plugin passes, as a node:test suite: once the
 * server starts, its `ProtocolEndpoint` reports where it listens; a request
 * over the protocol runs through core's pipeline (observers see it under the
 * protocol's name, sinks get its record) and answers with the model's
 * outputs; an unknown model is an error answer, not a crash; after `stop()`
 * (twice) nothing answers.
 *
 * @example
 * ```ts
 * import { protocolConformance } from '@ponte/testing';
 * protocolConformance('rest', { protocol: 'rest', start: (extra) => startTestServer({ config, builtins: [...extra] }), model: 'purchase', inputs, infer: restInfer });
 * ```
 */
export function protocolConformance(name: string, fixture: ProtocolFixture): void {
  describe(`Protocol conformance: ${name}`, () => {
    const seen: Seen = { ends: [], records: [] };
    let server: PonteServer;
    let endpoint: ProtocolEndpoint;

    before(async () => {
      server = await fixture.start([recorder(seen)]);
    });
    after(async () => {
      await server?.stop();
    });

    it('reports where it listens once started: its protocol, an address and a port', () => {
      const mine = server.endpoints.filter((e) => e.protocol === fixture.protocol);
      assert.equal(mine.length, 1, `one ProtocolEndpoint with protocol "${fixture.protocol}" (got ${server.endpoints.map((e) => e.protocol).join(', ') || 'none'})`);
      endpoint = mine[0]!;
      assert.ok(Number.isInteger(endpoint.port) && endpoint.port! > 0, `port: a bound port, got ${endpoint.port}`);
      assert.ok(typeof endpoint.address === 'string' && endpoint.address.includes(String(endpoint.port)), `address: "${endpoint.address}" names the port`);
    });

    it('answers an inference request with the model\'s outputs, through the pipeline', async () => {
      const outputs = await fixture.infer(endpoint, fixture.model, fixture.inputs);
      const declared = server.registry.resolve(fixture.model).signature.outputs;
      assert.ok(outputs.length > 0, 'the answer has outputs');
      for (const o of outputs) {
        const spec = declared.find((s) => s.name === o.name);
        assert.ok(spec !== undefined, `output "${o.name}" is not declared by the model`);
        assert.equal(o.shape.length, spec.shape.length, `output "${o.name}": rank`);
      }
      await settle(() => seen.records.length > 0);
      const end = seen.ends.find((e) => e.ctx.model === fixture.model && e.outcome.status === 200);
      assert.ok(end !== undefined, 'observers saw the request end with 200');
      assert.equal(end.ctx.protocol, fixture.protocol, 'the request context carries the protocol\'s name');
      assert.equal(seen.records[0]?.protocol, fixture.protocol, 'sinks got the prediction, under the protocol\'s name');
      assert.equal(seen.records[0]?.model.name, fixture.model);
    });

    it('answers a request for an unknown model with an error, and keeps serving', async () => {
      await assert.rejects(fixture.infer(endpoint, 'no-such-model-here', fixture.inputs), Error);
      const end = seen.ends.find((e) => e.outcome.code === 'PONTE_MODEL_NOT_FOUND');
      assert.ok(end !== undefined, 'observers saw PONTE_MODEL_NOT_FOUND');
      assert.equal(end.outcome.status, 404);
      assert.ok((await fixture.infer(endpoint, fixture.model, fixture.inputs)).length > 0, 'the next request is answered');
    });

    it('stops idempotently, and then nothing answers at its address', async () => {
      await server.stop();
      await server.stop();
      await assert.rejects(fixture.infer(endpoint, fixture.model, fixture.inputs), Error, 'a request after stop() fails');
    });
  });
}
