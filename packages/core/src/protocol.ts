import type { RouteAction } from './extension-points.js';
import type { InferenceRequest, InferenceResponse, Protocol, RequestContext } from './inference.js';
import type { PonteError } from './errors.js';
import type { ReadyModel } from './registry/model-registry.js';
import type { PeerCertificate } from './tls/peer-certificate.js';

/**
 * Where a protocol listens, registered under `Tokens.ProtocolEndpoint` once it
 * is bound, so the server, tests and tools can find ephemeral ports.
 *
 * @example
 * ```ts
 * const rest = ctx.resolveAll(Tokens.ProtocolEndpoint).find((e) => e.protocol === 'rest');
 * ```
 */
export interface ProtocolEndpoint {
  readonly protocol: Protocol;
  /** `http://host:port` (REST) or `host:port` (gRPC) once listening; undefined before. */
  readonly address: string | undefined;
  /** The bound port once listening. */
  readonly port: number | undefined;
}

/**
 * One request as a protocol hands it to `RequestPipeline.handle`: who is
 * asking for what, before anything is decoded, plus the protocol's own way to
 * turn an error into an answer. A protocol makes one per request (a class, so
 * its methods cost nothing per request); `A` is its answer type.
 *
 * @example
 * ```ts
 * class MyExchange implements Exchange<string> { protocol = 'mine'; … fail(e) { return `error ${e.code}`; } }
 * ```
 */
export interface Exchange<A> {
  readonly protocol: Protocol;
  /** Route name (`infer`, `model_metadata`, `metrics` …), the `endpoint` of the context. */
  readonly endpoint: string;
  /** What the route does, for the gate. */
  readonly action: RouteAction;
  readonly requestId: string;
  /** Lower-cased header or metadata values. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The model (and version) the request names before its body is read: admission and authorisation use it. */
  readonly model: string | undefined;
  readonly version: string | undefined;
  /**
   * Whether this is API traffic: counted in flight (a drain waits for it and refuses it once
   * draining) and reported to observers. Default: every route but `public` ones. Protocols set it
   * false for infrastructure (probes, metric scrapes, documents, unknown paths). Every request is
   * in the request log either way.
   */
  readonly tracked?: boolean;
  /** The request log's `method` (HTTP method, gRPC method). */
  readonly method: string;
  /** The request log's `path` (REST only). */
  readonly path?: string | undefined;
  /** The caller's own time budget in milliseconds (a header, a gRPC deadline), if any; may throw a 400 for a malformed one. */
  timeoutMs(): number | undefined;
  /** The protocol's answer for an error (its status, body and headers). */
  fail(error: PonteError, ctx: RequestContext | undefined): A;
  /** The HTTP-style status of an answer, for observers and the request log. */
  statusOf(answer: A): number;
  /** Whether the request log carries a `code` for every request (`OK` on success), as gRPC's does. */
  readonly logsCode?: boolean;
  /** The client certificate of a TLS connection, if the client presented one: `RequestContext.peer`. */
  peerCertificate?(): PeerCertificate | undefined;
  /** The caller's network address (the socket's peer; no proxy header is trusted), for the audit log. */
  remoteAddress?(): string | undefined;
}

/** What an inference answer is made from. */
export interface InferenceResult {
  readonly request: InferenceRequest;
  readonly response: InferenceResponse;
  readonly model: ReadyModel;
}

/**
 * The route-specific part of a request that runs a model: the protocol decodes
 * its body into a protocol-neutral `InferenceRequest` and encodes the result.
 * A request may name its rows by feature (`instances`, no `inputs`): core maps
 * them to tensors with the resolved model's feature layout.
 */
export interface InferenceRoute<X, A> {
  decode(exchange: X, ctx: RequestContext): Promise<InferenceRequest> | InferenceRequest;
  encode(exchange: X, result: InferenceResult, ctx: RequestContext): A;
}

/** The route-specific part of any other request (metadata, health, metrics, documents). */
export interface PlainRoute<X, A> {
  respond(exchange: X, ctx: RequestContext): Promise<A> | A;
}

/** A route's handler: inference routes run every lifecycle stage; plain routes pass the gate and answer. */
export type RouteHandler<X, A> = InferenceRoute<X, A> | PlainRoute<X, A>;

/** Whether a handler runs a model. */
export function isInferenceRoute<X, A>(h: RouteHandler<X, A>): h is InferenceRoute<X, A> {
  return (h as InferenceRoute<X, A>).decode !== undefined;
}
