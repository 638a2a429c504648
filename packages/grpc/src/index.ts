import { definePlugin, PONTE_VERSION, Tokens, type InferencePipeline, type Lifecycle, type ModelRegistry, type PluginContext, type PonteConfig } from '@ponte/core';
import { GrpcTokens } from './endpoint.js';
import { GrpcInferenceServer } from './grpc-server.js';
import { grpcOptionsSchema, type GrpcOptions } from './options.js';

export { GrpcTokens, type GrpcEndpoint } from './endpoint.js';
export { GrpcInferenceServer } from './grpc-server.js';
export { inferenceServiceHandlers, type GrpcServices } from './inference-service.js';
export { decodeModelInferRequest, encodeModelInferResponse, wantsRawOutput, MAX_ELEMENTS, type DecodedInferRequest } from './infer-codec.js';
export { decodeContents, encodeContents, CONTENTS_FIELD } from './tensor-contents.js';
export { decodeParameters, encodeParameters } from './parameters.js';
export { GRPC_STATUS_BY_CODE, grpcStatusOf, toServiceError, ERROR_CODE_METADATA } from './status-codes.js';
export { grpcOptionsSchema, DEFAULT_MAX_MESSAGE_BYTES, type GrpcOptions, type GrpcTlsOptions } from './options.js';
export { PROTO_PATH, PROTO_LOADER_OPTIONS, loadInferenceProto, type InferenceProto } from './proto.js';
export type * from './messages.js';

/** The extensions REST reports in server metadata; gRPC reports the same server. */
const EXTENSIONS = ['binary_tensor_data'] as const;

/** The plugin's own server, kept in its private container so one plugin object can serve many Ponte servers (tests). */
const SERVER = Symbol('ponte.grpc.Server');

function serverOf(ctx: PluginContext<GrpcOptions>): GrpcInferenceServer {
  return ctx.container.resolve<GrpcInferenceServer>(SERVER);
}

/**
 * The Open Inference Protocol over gRPC (`inference.GRPCInferenceService`) on
 * its own port, through the same pipeline, auth, validation, batching and
 * drain as REST.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/grpc'
 *     options: { port: 8081 }
 * ```
 */
export default definePlugin<GrpcOptions>({
  name: '@ponte/grpc',
  kind: 'protocol',
  description: 'Open Inference Protocol v2 over gRPC (@grpc/grpc-js)',
  configSchema: grpcOptionsSchema,
  register(ctx) {
    const server = new GrpcInferenceServer(ctx.options, ctx.baseDir, ctx.logger);
    ctx.container.register(SERVER, { useValue: server });
    ctx.provide(GrpcTokens.Endpoint, server);
  },
  async start(ctx) {
    const root = ctx.root;
    await serverOf(ctx).start({
      pipeline: root.resolve<InferencePipeline>(Tokens.InferencePipeline),
      registry: root.resolve<ModelRegistry>(Tokens.ModelRegistry),
      lifecycle: root.resolve<Lifecycle>(Tokens.Lifecycle),
      config: root.resolve<PonteConfig>(Tokens.Config),
      logger: ctx.logger,
      serverVersion: PONTE_VERSION,
      extensions: EXTENSIONS,
    });
  },
  async stop(ctx) {
    await serverOf(ctx).stop(ctx.config.server.shutdownTimeoutMs);
  },
});
