// Shared helpers for the gRPC tests: a promise-based OIP gRPC client and the
// server configs the tests start. Not a test file itself.
import { fileURLToPath } from 'node:url';
import { credentials as grpcCredentials, Metadata, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS } from '@ponte/core/testing';
import { GrpcTokens, loadInferenceProto, type GrpcEndpoint } from '../src/index.js';

/** Absolute path of a fixture model folder (fixtures stay in test/, next to the sources). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
}

/** The plugins every gRPC test server loads. */
export const PLUGINS = ['@ponte/onnx', '@ponte/js-model', '@ponte/validator-jsonschema', { package: '@ponte/grpc', options: { port: 0 } }];

/** The same, with REST beside gRPC (loaded by name, as a user's config would), for tests that compare the two. */
export const PLUGINS_WITH_REST = ['@ponte/http', ...PLUGINS];

/** A config with the example models plus the JS fixture models. */
export function testConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    plugins: PLUGINS,
    repository: EXAMPLE_MODELS,
    models: [
      { name: 'identity', source: fixture('identity'), format: 'js', batching: { enabled: false } },
      { name: 'identity_fp16', source: fixture('identity'), format: 'js', batching: { enabled: false }, options: { datatypes: ['FP16', 'FP32'] } },
      { name: 'slow', source: fixture('slow'), format: 'js', batching: { enabled: false } },
    ],
    ...extra,
  };
}

export interface CallOptions {
  metadata?: Record<string, string>;
  deadline?: Date | number;
}

/** A unary call's answer with the server's initial metadata. */
export interface CallResult<T> {
  response: T;
  metadata: Metadata;
}

/** A promise-based client of `inference.GRPCInferenceService`. */
export class OipClient {
  readonly client: Client;

  constructor(address: string, creds: ChannelCredentials = grpcCredentials.createInsecure(), channelOptions: Record<string, string | number> = {}) {
    const { Client: Ctor } = loadInferenceProto();
    this.client = new Ctor(address, creds, channelOptions);
  }

  static of(server: PonteServer): OipClient {
    return new OipClient(grpcAddress(server));
  }

  call<T = Record<string, unknown>>(method: string, request: unknown, options: CallOptions = {}): Promise<CallResult<T>> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(options.metadata ?? {})) md.set(k, v);
    return new Promise((resolve, reject) => {
      let initial = new Metadata();
      const fn = (this.client as unknown as Record<string, Function>)[method]!.bind(this.client);
      const call = fn(request, md, options.deadline === undefined ? {} : { deadline: options.deadline }, (err: ServiceError | null, response: T) => {
        if (err) reject(err);
        else resolve({ response, metadata: initial });
      });
      call.on('metadata', (m: Metadata) => { initial = m; });
    });
  }

  /** The gRPC error a call fails with; fails the test when the call succeeds. */
  async error(method: string, request: unknown, options: CallOptions = {}): Promise<ServiceError> {
    try {
      await this.call(method, request, options);
    } catch (e) {
      return e as ServiceError;
    }
    throw new Error(`${method} succeeded but an error was expected`);
  }

  close(): void {
    this.client.close();
  }
}

/** The `host:port` the server's gRPC endpoint is bound to. */
export function grpcAddress(server: PonteServer): string {
  const endpoint = server.container.resolve<GrpcEndpoint>(GrpcTokens.Endpoint);
  if (endpoint.address === undefined) throw new Error('gRPC endpoint not started');
  return endpoint.address;
}

/** Raw little-endian FP32 bytes of numbers. */
export function fp32Bytes(values: number[]): Buffer {
  const a = Float32Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Numbers from raw little-endian FP32 bytes (copied, so any alignment works). */
export function fp32FromBytes(bytes: Uint8Array): number[] {
  const copy = new Uint8Array(bytes);
  return Array.from(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
}
