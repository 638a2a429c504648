import type { Parameter, Tensor } from './tensor.js';
import type { PeerCertificate } from './tls/peer-certificate.js';

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
  /**
   * Rows as the caller sent them to the named-feature API (objects of feature
   * name → value, or arrays in feature order), with `inputs` left empty: core
   * maps them to tensors once the model is resolved.
   */
  rows?: unknown;
  /** Named rows after that mapping, for validators. */
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
  /**
   * What the caller may do, as `<action>:<model>` with `*` for either part
   * (`infer:purchase`, `read:*`, `*:*`). Core's default authorizer reads them;
   * a principal without scopes may do nothing but public routes.
   */
  scopes?: readonly string[];
  claims?: Record<string, unknown>;
}

export type Protocol = 'rest' | 'grpc' | (string & {});

/**
 * Per-request context: made by core's pipeline from what the protocol hands
 * it, carried through every stage, read by authenticators, validators and
 * observers. Only the pipeline writes its fields; `attributes` is where
 * plugins keep their own per-request state (a span, a timer).
 */
export interface RequestContext {
  readonly requestId: string;
  readonly protocol: Protocol;
  /** Route name, e.g. `infer`, `predict`, `model_metadata`, `metrics`. */
  readonly endpoint: string;
  /** Lower-cased header or gRPC metadata values, for authenticators and trace propagation. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * The certificate the client presented over TLS (`server.tls.clientCertificates`), for
   * authenticators; undefined on plaintext or without one. Trust it only when `authorized`.
   */
  readonly peer?: PeerCertificate | undefined;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Absolute deadline in `performance.now()` milliseconds. */
  deadline: number;
  principal?: Principal;
  model?: string;
  version?: string;
  batchSize?: number;
  /**
   * Which `selective` observers follow this request, one bit each (see
   * `PipelineObserver.selective`). Set by core when the request starts.
   */
  observerMask: number;
  readonly attributes: Map<string | symbol, unknown>;
}
