import { createRequire } from 'node:module';
import { credentials, loadPackageDefinition, Metadata, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** One input tensor of the request the load loop sends, as plain numbers. */
export interface GrpcLoadInput {
  name: string;
  datatype: string;
  shape: number[];
  data: number[];
}

/** What to load and for how long; the loop stops at `durationMs` or after `maxRequests`, whichever comes first. */
export interface GrpcLoadOptions {
  /** `host:port` of a Ponte gRPC endpoint (loopback only in this repo's benchmarks). */
  address: string;
  model: string;
  inputs: GrpcLoadInput[];
  /** Send inputs as `raw_input_contents` (and get raw outputs) instead of typed `contents`. */
  raw?: boolean;
  /** Calls kept in flight at once, over one HTTP/2 channel. */
  concurrency: number;
  durationMs: number;
  maxRequests?: number;
}

/** What the loop measured: `requests` counts every finished call (errors included), `rps` is requests per second, latencies are per call from send to answer. */
export interface GrpcLoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** The typed `contents` field of each OIP datatype (FP16 has none: it must go raw). */
const CONTENTS_FIELD: Record<string, string> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents',
};

type ArrayCtor = { from(values: ArrayLike<number> | Iterable<bigint>): ArrayBufferView };
const RAW_ARRAY: Record<string, ArrayCtor> = {
  BOOL: Uint8Array, INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array as unknown as ArrayCtor,
  UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array as unknown as ArrayCtor,
  FP32: Float32Array, FP64: Float64Array,
};

function rawBytes(input: GrpcLoadInput): Buffer {
  const Ctor = RAW_ARRAY[input.datatype];
  if (Ctor === undefined) throw new Error(`grpc-load: datatype ${input.datatype} is not supported for raw inputs`);
  const big = input.datatype === 'INT64' || input.datatype === 'UINT64';
  const view = Ctor.from(big ? input.data.map((v) => BigInt(Math.trunc(v))) : input.data);
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function buildRequest(opts: Pick<GrpcLoadOptions, 'model' | 'inputs' | 'raw'>): Record<string, unknown> {
  const inputs = opts.inputs.map((t) => {
    const tensor: Record<string, unknown> = { name: t.name, datatype: t.datatype, shape: t.shape };
    if (!opts.raw) {
      const field = CONTENTS_FIELD[t.datatype];
      if (field === undefined) throw new Error(`grpc-load: datatype ${t.datatype} has no typed contents; use raw: true`);
      tensor['contents'] = { [field]: t.datatype === 'BOOL' ? t.data.map((v) => v !== 0) : t.data };
    }
    return tensor;
  });
  const request: Record<string, unknown> = { model_name: opts.model, inputs };
  if (opts.raw) request['raw_input_contents'] = opts.inputs.map(rawBytes);
  return request;
}

const PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: false, arrays: true, oneofs: true };

function protoPath(): string {
  return createRequire(import.meta.url).resolve('@ponte/grpc/proto/grpc_predict_v2.proto');
}

/**
 * The bytes of one `ModelInfer` call on the wire, for a load generator that
 * replays them (h2load): the gRPC frame prefix (not compressed, big-endian
 * length) and the protobuf request, serialized by the same definition the
 * client uses.
 */
export function grpcInferFrame(opts: Pick<GrpcLoadOptions, 'model' | 'inputs' | 'raw'>): Buffer {
  const def = loadSync(protoPath(), PROTO_OPTIONS)['inference.GRPCInferenceService'] as unknown as Record<string, { requestSerialize: (v: unknown) => Buffer }>;
  const message = def['ModelInfer']!.requestSerialize(buildRequest(opts));
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * A bounded gRPC load loop against `inference.GRPCInferenceService/ModelInfer`:
 * `concurrency` workers send the same request back to back until `durationMs`
 * has passed or `maxRequests` have been sent. Each call has a 30 s deadline,
 * so the loop always ends. The proto is the one `@ponte/grpc` ships.
 *
 * @example
 * ```ts
 * const r = await runGrpcLoad({ address: '127.0.0.1:8081', model: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: row }], concurrency: 16, durationMs: 10_000 });
 * console.log(r.rps, r.p99Ms);
 * ```
 */
export async function runGrpcLoad(opts: GrpcLoadOptions): Promise<GrpcLoadResult> {
  if (!(opts.concurrency >= 1)) throw new Error('grpc-load: concurrency must be >= 1');
  const pkg = loadPackageDefinition(loadSync(protoPath(), PROTO_OPTIONS));
  const Client = (pkg['inference'] as GrpcObject)['GRPCInferenceService'] as ServiceClientConstructor;
  const client = new Client(opts.address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const infer = (client as unknown as Record<string, Function>)['ModelInfer']!.bind(client) as (req: unknown, md: Metadata, o: { deadline: number }, cb: (err: ServiceError | null) => void) => void;
  const request = buildRequest(opts);
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + opts.durationMs;
  const limit = opts.maxRequests ?? Number.POSITIVE_INFINITY;

  const worker = async (): Promise<void> => {
    while (performance.now() < end && sent < limit) {
      sent++;
      const start = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        infer(request, new Metadata(), { deadline: Date.now() + 30_000 }, (err) => resolve(err === null));
      });
      latencies.push(performance.now() - start);
      if (!ok) errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    client.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, seconds, rps: seconds > 0 ? latencies.length / seconds : 0, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
