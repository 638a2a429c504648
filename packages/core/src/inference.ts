import type { Parameter, Tensor } from './tensor.js';

/** An output the caller asks for (OIP `outputs`). */
export interface RequestedOutput {
  name: string;
  parameters?: Record<string, Parameter>;
}

/**
 * A protocol-neutral inference request. REST, the named-feature API and gRPC
 * all decode into this shape, so validation, batching, auth and metrics apply
 * to every protocol the same way.
 */
export interface InferenceRequest {
  model: string;
  version?: string;
  id?: string;
  inputs: Tensor[];
  outputs?: RequestedOutput[];
  parameters?: Record<string, Parameter>;
  /** Named rows as the caller sent them (named-feature API only), for validators and monitors. */
  instances?: Array<Record<string, unknown>>;
}

export interface InferenceResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters?: Record<string, Parameter>;
  outputs: Tensor[];
}

/** Who is calling, as an authenticator established it. */
export interface Principal {
  id: string;
  /** Scheme that authenticated the caller (`anonymous`, `apikey`, `jwt` …). */
  scheme: string;
  roles?: string[];
  claims?: Record<string, unknown>;
}

export type Protocol = 'rest' | 'grpc' | (string & {});

/**
 * Per-request context: created by the protocol layer, carried through the
 * pipeline, read by observers. `attributes` is where plugins put their own
 * per-request state (a span, a timer) without touching core types.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly protocol: Protocol;
  /** Route kind, e.g. `infer` or `predict`. */
  readonly endpoint: string;
  /** Lower-cased header or gRPC metadata values, for authenticators and trace propagation. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Absolute deadline in `performance.now()` milliseconds, if any. */
  deadline?: number;
  principal?: Principal;
  model?: string;
  version?: string;
  batchSize?: number;
  /**
   * Set by core when the request starts: which `selective` observers follow it
   * (one bit each). Whoever builds a context may start it at 0; plugins leave it alone.
   */
  following?: number;
  readonly attributes: Map<string | symbol, unknown>;
}
