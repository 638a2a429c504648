import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/**
 * Absolute path of the Open Inference Protocol proto (`inference.GRPCInferenceService`)
 * shipped with this package (in `proto/`, listed in the package's `files`), found
 * from the compiled `dist/src`.
 *
 * @example
 * ```ts
 * const def = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
 * ```
 */
export const PROTO_PATH: string = fileURLToPath(new URL('../../proto/grpc_predict_v2.proto', import.meta.url));

/**
 * The proto-loader options the server uses, and that clients should use to see
 * messages the same way: field names as in the proto, 64-bit integers as
 * decimal strings (so INT64/UINT64 stay exact), bytes as Buffers, empty
 * repeated and map fields present, and the `parameter_choice` oneof named.
 */
export const PROTO_LOADER_OPTIONS: Options = Object.freeze({ keepCase: true, longs: String, enums: String, defaults: false, arrays: true, objects: true, oneofs: true });

/** The loaded `inference` package: the service definition and a client constructor. */
export interface InferenceProto {
  /** For `server.addService`. */
  readonly service: ServiceDefinition;
  /** For `new Client(address, credentials)`. */
  readonly Client: ServiceClientConstructor;
}

let cached: InferenceProto | undefined;

/**
 * Loads the OIP gRPC service once per process.
 *
 * @example
 * ```ts
 * const { Client } = loadInferenceProto();
 * const client = new Client('127.0.0.1:8081', credentials.createInsecure());
 * ```
 */
export function loadInferenceProto(): InferenceProto {
  if (cached !== undefined) return cached;
  const pkg = loadPackageDefinition(loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS));
  const Client = (pkg['inference'] as GrpcObject)['GRPCInferenceService'] as ServiceClientConstructor;
  cached = { service: Client.service, Client };
  return cached;
}
