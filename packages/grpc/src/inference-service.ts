import { Metadata, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { modelMetadata, PonteError, type InferenceRoute, type Lifecycle, type Logger, type ModelRegistry, type PlainRoute, type RequestPipeline, type RouteAction, type ServerInfo, type TensorSpec } from '@ponte/core';
import { decodeModelInferRequest, encodeModelInferResponse, wantsRawOutput } from './infer-codec.js';
import type { ModelInferRequest, ModelInferResponse, ModelMetadataResponse, ModelRef, ServerMetadataResponse, TensorMetadata } from './messages.js';
import { GrpcExchange, type GrpcAnswer } from './grpc-exchange.js';

/** What the gRPC handlers share with REST: the one pipeline, registry and lifecycle of the server. */
export interface GrpcServices {
  readonly pipeline: RequestPipeline;
  readonly registry: ModelRegistry;
  readonly lifecycle: Lifecycle;
  readonly info: ServerInfo;
  readonly logger: Logger;
}

type Exchange<Req, Res> = GrpcExchange<Req, Res>;

function modelName(ref: ModelRef | undefined): string {
  if (typeof ref?.name !== 'string' || ref.name === '') throw new PonteError('PONTE_BAD_REQUEST', 'name: is required');
  return ref.name;
}

function versionOf(ref: { version?: string } | undefined): string | undefined {
  return typeof ref?.version === 'string' && ref.version !== '' ? ref.version : undefined;
}

function tensorMetadata(specs: readonly TensorSpec[]): TensorMetadata[] {
  return specs.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape }));
}

function ok<Res>(value: Res): GrpcAnswer<Res> {
  return { ok: true, value };
}

/** `ModelInfer`: tensors in and out, through every stage of the pipeline. */
const modelInfer: InferenceRoute<Exchange<ModelInferRequest, ModelInferResponse>, GrpcAnswer<ModelInferResponse>> = {
  decode: (x) => decodeModelInferRequest(x.request ?? {}).request,
  encode(x, { request, response }) {
    // Raw contents in, raw contents out (unless asked otherwise): as decodeModelInferRequest read it.
    const rawInput = (x.request?.raw_input_contents ?? []).length > 0;
    return ok(encodeModelInferResponse(response, wantsRawOutput(request, rawInput, response.outputs)));
  },
};

/**
 * The handlers of `inference.GRPCInferenceService`. Liveness and readiness are
 * public and cheap, as on REST; every other call runs core's request
 * pipeline with protocol `grpc`: the same admission, gate, validation,
 * batching, drain, observers and request log as REST.
 *
 * @example
 * ```ts
 * server.addService(loadInferenceProto().service, inferenceServiceHandlers(services));
 * ```
 */
export function inferenceServiceHandlers(s: GrpcServices): UntypedServiceImplementation {
  /** A unary method: the exchange (model read from the message before anything is decoded), the pipeline, the answer. */
  const unary = <Req, Res>(method: string, endpoint: string, action: RouteAction, route: InferenceRoute<Exchange<Req, Res>, GrpcAnswer<Res>> | PlainRoute<Exchange<Req, Res>, GrpcAnswer<Res>>, modelOf: (req: Req) => { name?: string; version?: string } | undefined) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      const ref = modelOf(call.request);
      const x = new GrpcExchange(call, method, endpoint, action, typeof ref?.name === 'string' && ref.name !== '' ? ref.name : undefined, versionOf(ref));
      s.pipeline.handle(x, route).then((answer) => {
        const md = new Metadata();
        md.set('x-request-id', x.requestId);
        try {
          call.sendMetadata(md);
        } catch {
          // The call was cancelled or already ended: nothing left to tell the client.
        }
        if (answer.ok) callback(null, answer.value);
        else callback(answer.error);
      }).catch((e: unknown) => {
        // handle() answers every call itself; this only guards against a bug there crashing the process.
        s.logger.error({ err: e }, 'grpc handler failed');
      });
    };
  const none = (): undefined => undefined;
  const byRef = (req: ModelRef | undefined): ModelRef | undefined => req;
  const byInfer = (req: ModelInferRequest | undefined): { name?: string; version?: string } | undefined => (req === undefined ? undefined : { name: req.model_name, version: req.model_version });

  return {
    ServerLive(_call: ServerUnaryCall<unknown, { live: boolean }>, callback: sendUnaryData<{ live: boolean }>) {
      callback(null, { live: s.lifecycle.state !== 'stopped' });
    },
    ServerReady(_call: ServerUnaryCall<unknown, { ready: boolean }>, callback: sendUnaryData<{ ready: boolean }>) {
      callback(null, { ready: s.lifecycle.state === 'serving' && s.registry.readiness().ready });
    },
    ModelReady: unary<ModelRef, { ready: boolean }>('ModelReady', 'model_ready', 'read', {
      respond: (x) => ok({ ready: modelMetadata(s.registry, modelName(x.request), versionOf(x.request)).ready }),
    }, byRef),
    ServerMetadata: unary<unknown, ServerMetadataResponse>('ServerMetadata', 'server_metadata', 'read', {
      respond: () => ok({ name: s.info.name, version: s.info.version, extensions: [...s.info.extensions] }),
    }, none),
    ModelMetadata: unary<ModelRef, ModelMetadataResponse>('ModelMetadata', 'model_metadata', 'read', {
      respond(x) {
        const meta = modelMetadata(s.registry, modelName(x.request), versionOf(x.request));
        return ok({ name: meta.name, versions: meta.versions, platform: meta.platform, inputs: tensorMetadata(meta.inputs), outputs: tensorMetadata(meta.outputs) });
      },
    }, byRef),
    ModelInfer: unary<ModelInferRequest, ModelInferResponse>('ModelInfer', 'infer', 'infer', modelInfer, byInfer),
  };
}
