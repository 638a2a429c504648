import { token, type ProtocolEndpoint } from '@ponte/core';

/**
 * Where the gRPC endpoint listens, registered in the server's root container
 * under `GrpcTokens.Endpoint`, so tests and tools can find an ephemeral port.
 *
 * @example
 * ```ts
 * const grpc = server.container.resolve<GrpcEndpoint>(GrpcTokens.Endpoint);
 * const client = new Client(grpc.address!, credentials.createInsecure());
 * ```
 */
export interface GrpcEndpoint extends ProtocolEndpoint {
  /** The bound port once started (the real one when configured as 0), else undefined. */
  readonly port: number | undefined;
  /** `host:port` once started, for a gRPC client; else undefined. */
  readonly address: string | undefined;
  /** Whether the endpoint serves TLS. */
  readonly tls: boolean;
}

/** Tokens this package registers in the root container. */
export const GrpcTokens = {
  /** The `GrpcEndpoint` of this server. */
  Endpoint: token<GrpcEndpoint>('ponte.grpc.Endpoint'),
} as const;
