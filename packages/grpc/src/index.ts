import { definePlugin, Tokens } from '@ponte/core';
import { GrpcTokens } from './endpoint.js';
import { GrpcInferenceServer } from './grpc-server.js';
import { grpcOptionsSchema, type GrpcOptions } from './options.js';

export { GrpcTokens, type GrpcEndpoint } from './endpoint.js';
export { GrpcInferenceServer } from './grpc-server.js';
export { GrpcExchange, metadataHeaders, type GrpcAnswer } from './grpc-exchange.js';
export { inferenceServiceHandlers, type GrpcServices } from './inference-service.js';
export { decodeModelInferRequest, encodeModelInferResponse, wantsRawOutput, MAX_ELEMENTS, type DecodedInferRequest } from './infer-codec.js';
export { decodeContents, encodeContents, CONTENTS_FIELD } from './tensor-contents.js';
export { decodeParameters, encodeParameters } from './parameters.js';
export { GRPC_STATUS_BY_CODE, grpcStatusOf, toServiceError, ERROR_CODE_METADATA } from './status-codes.js';
export { grpcOptionsSchema, DEFAULT_MAX_MESSAGE_BYTES, type GrpcOptions, type GrpcTlsOptions } from './options.js';
export { PROTO_PATH, PROTO_LOADER_OPTIONS, loadInferenceProto, type InferenceProto } from './proto.js';
export type * from './messages.js';

/**
 * The Open Inference Protocol over gRPC (`inference.GRPCInferenceService`) on
 * its own port, through the same request pipeline as REST: admission, auth,
 * validation, batching, drain, observers and the request log.
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
  core: '^0.1.0',
  description: 'Open Inference Protocol v2 over gRPC (@grpc/grpc-js)',
  configSchema: grpcOptionsSchema,
  register(ctx) {
    const server = new GrpcInferenceServer(ctx.options, ctx.baseDir, ctx.logger, ctx.config.server.tls);
    ctx.provide(GrpcTokens.Endpoint, server);
    ctx.provide(Tokens.ProtocolEndpoint, server);
    return {
      start: () => server.start({
        pipeline: ctx.resolve(Tokens.RequestPipeline),
        registry: ctx.resolve(Tokens.ModelRegistry),
        lifecycle: ctx.resolve(Tokens.Lifecycle),
        info: ctx.resolve(Tokens.ServerInfo),
        logger: ctx.logger,
      }),
      stop: () => server.stop(ctx.config.server.shutdownTimeoutMs),
    };
  },
});
