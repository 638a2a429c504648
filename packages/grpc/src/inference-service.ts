import { Metadata, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { modelMetadata, PonteError, toPonteError, type InferencePipeline, type Lifecycle, type Logger, type ModelRegistry, type Parameter, type PonteConfig, type RequestContext, type TensorSpec } from '@ponte/core';
import { decodeModelInferRequest, encodeModelInferResponse, wantsRawOutput } from './infer-codec.js';
import type { ModelInferRequest, ModelInferResponse, ModelMetadataResponse, ModelRef, ServerMetadataResponse, TensorMetadata } from './messages.js';
import { grpcRequestContext } from './request-context.js';
import { toServiceError } from './status-codes.js';

/** What the gRPC handlers share with REST: the one pipeline, registry and lifecycle of the server. */
export interface GrpcServices {
  readonly pipeline: InferencePipeline;
  readonly registry: ModelRegistry;
  readonly lifecycle: Lifecycle;
  readonly config: Readonly<PonteConfig>;
  readonly logger: Logger;
  readonly serverVersion: string;
  readonly extensions: readonly string[];
}

/** Applies the OIP `timeout` request parameter (microseconds, as Triton defines it), with REST's rule and message. */
function applyTimeoutParameter(ctx: RequestContext, parameters: Record<string, Parameter> | undefined): void {
  const t = parameters?.['timeout'];
  if (t === undefined) return;
  if (typeof t !== 'number' || !(t > 0)) throw new PonteError('PONTE_BAD_REQUEST', 'parameters.timeout: must be a positive number of microseconds');
  const deadline = ctx.startedAt + t / 1000;
  if (ctx.deadline === undefined || deadline < ctx.deadline) ctx.deadline = deadline;
}

function modelName(ref: ModelRef | undefined): string {
  if (typeof ref?.name !== 'string' || ref.name === '') throw new PonteError('PONTE_BAD_REQUEST', 'name: is required');
  return ref.name;
}

function versionOf(ref: ModelRef | undefined): string | undefined {
  return typeof ref?.version === 'string' && ref.version !== '' ? ref.version : undefined;
}

function tensorMetadata(specs: readonly TensorSpec[]): TensorMetadata[] {
  return specs.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape }));
}

/**
 * Runs one data-plane call the way REST's `dataPlane` does: counts it in the
 * lifecycle (so a drain waits for it), reports it to the observers exactly
 * once, and answers with the request id as initial metadata and any error
 * mapped to its gRPC status.
 */
async function serve<Req, Res>(s: GrpcServices, method: string, endpoint: string, call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>, handler: (request: Req, ctx: RequestContext) => Promise<Res>): Promise<void> {
  const ctx = grpcRequestContext(call as ServerUnaryCall<unknown, unknown>, endpoint, s.config.server.requestTimeoutMs);
  const t0 = performance.now();
  let result: { ok: true; value: Res } | { ok: false; error: unknown };
  let entered = false;
  try {
    s.lifecycle.enter();
    entered = true;
    s.pipeline.begin(ctx);
    try {
      result = { ok: true, value: await handler(call.request, ctx) };
      s.pipeline.end(ctx, 200);
    } catch (e) {
      const pe = toPonteError(e);
      s.pipeline.end(ctx, pe.status, pe.code);
      throw e;
    }
  } catch (e) {
    result = { ok: false, error: e };
  } finally {
    if (entered) s.lifecycle.leave();
  }
  const md = new Metadata();
  md.set('x-request-id', ctx.requestId);
  try {
    call.sendMetadata(md);
  } catch {
    // The call was cancelled or already ended: nothing left to tell the client.
  }
  let code = 'OK';
  if (result.ok) callback(null, result.value);
  else {
    const pe = toPonteError(result.error);
    code = pe.code;
    if (pe.status >= 500) s.logger.error({ requestId: ctx.requestId, code: pe.code, err: pe.cause ?? pe }, pe.message);
    callback(toServiceError(result.error, ctx.requestId));
  }
  if (s.config.logging.requests) {
    s.logger.info({ requestId: ctx.requestId, protocol: 'grpc', method, code, ms: Math.round((performance.now() - t0) * 1000) / 1000, model: ctx.model, version: ctx.version }, 'request');
  }
}

/**
 * The handlers of `inference.GRPCInferenceService`. Liveness and readiness are
 * unauthenticated and cheap, as on REST; everything else goes through the
 * server's `InferencePipeline` with protocol `grpc`.
 *
 * @example
 * ```ts
 * server.addService(loadInferenceProto().service, inferenceServiceHandlers(services));
 * ```
 */
export function inferenceServiceHandlers(s: GrpcServices): UntypedServiceImplementation {
  const unary = <Req, Res>(method: string, endpoint: string, handler: (request: Req, ctx: RequestContext) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      serve(s, method, endpoint, call, callback, handler).catch((e: unknown) => {
        // serve() answers every call itself; this only guards against a bug there crashing the process.
        s.logger.error({ err: e }, 'grpc handler failed');
      });
    };

  return {
    ServerLive(_call: ServerUnaryCall<unknown, { live: boolean }>, callback: sendUnaryData<{ live: boolean }>) {
      callback(null, { live: s.lifecycle.state !== 'stopped' });
    },
    ServerReady(_call: ServerUnaryCall<unknown, { ready: boolean }>, callback: sendUnaryData<{ ready: boolean }>) {
      callback(null, { ready: s.lifecycle.state === 'serving' && s.registry.readiness().ready });
    },
    ModelReady: unary<ModelRef, { ready: boolean }>('ModelReady', 'model_ready', async (req, ctx) => {
      const name = modelName(req);
      await s.pipeline.authenticate(ctx, 'read', name);
      return { ready: modelMetadata(s.registry, name, versionOf(req)).ready };
    }),
    ServerMetadata: unary<unknown, ServerMetadataResponse>('ServerMetadata', 'server_metadata', async (_req, ctx) => {
      await s.pipeline.authenticate(ctx, 'read');
      return { name: s.config.server.name, version: s.serverVersion, extensions: [...s.extensions] };
    }),
    ModelMetadata: unary<ModelRef, ModelMetadataResponse>('ModelMetadata', 'model_metadata', async (req, ctx) => {
      const name = modelName(req);
      await s.pipeline.authenticate(ctx, 'read', name);
      const meta = modelMetadata(s.registry, name, versionOf(req));
      return { name: meta.name, versions: meta.versions, platform: meta.platform, inputs: tensorMetadata(meta.inputs), outputs: tensorMetadata(meta.outputs) };
    }),
    ModelInfer: unary<ModelInferRequest, ModelInferResponse>('ModelInfer', 'infer', async (msg, ctx) => {
      let t = performance.now();
      const { request, rawInput } = decodeModelInferRequest(msg ?? {});
      applyTimeoutParameter(ctx, request.parameters);
      s.pipeline.stage(ctx, 'decode', t);

      const { response } = await s.pipeline.infer(request, ctx);

      t = performance.now();
      const out = encodeModelInferResponse(response, wantsRawOutput(request, rawInput, response.outputs));
      s.pipeline.stage(ctx, 'encode', t);
      return out;
    }),
  };
}
