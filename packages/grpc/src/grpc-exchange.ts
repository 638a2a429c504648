import { randomUUID } from 'node:crypto';
import type { Metadata, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import { toPeerCertificate, type Exchange, type PeerCertificate, type PonteError, type RequestContext, type RouteAction } from '@ponte/core';
import { toServiceError } from './status-codes.js';

/** Same rule as REST's `X-Request-Id`: a caller's id is kept only when well-formed. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** gRPC metadata as lower-cased text headers; binary (`-bin`) entries are left out. */
export function metadataHeaders(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.getMap())) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
  }
  return out;
}

/** A gRPC answer: the response message, or the error to send as the call's status. */
export type GrpcAnswer<Res> = { readonly ok: true; readonly value: Res } | { readonly ok: false; readonly error: Partial<ServiceError>; readonly status: number };

/**
 * One gRPC call as the pipeline sees it: protocol `grpc`, headers from
 * metadata, the request id from `x-request-id` metadata (else a new UUID),
 * the model named in the message (read before decoding, so a full queue is
 * refused before the tensors are), and the call's deadline as its time budget.
 * Errors become the Ponte code's gRPC status with the code in trailing metadata.
 *
 * @example
 * ```ts
 * const answer = await pipeline.handle(new GrpcExchange(call, 'ModelInfer', 'infer', 'infer', name, version), route);
 * ```
 */
export class GrpcExchange<Req, Res> implements Exchange<GrpcAnswer<Res>> {
  readonly protocol = 'grpc';
  readonly logsCode = true;
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string | undefined>>;

  constructor(
    readonly call: ServerUnaryCall<Req, Res>,
    readonly method: string,
    readonly endpoint: string,
    readonly action: RouteAction,
    readonly model: string | undefined,
    readonly version: string | undefined,
  ) {
    this.headers = metadataHeaders(call.metadata);
    const given = this.headers['x-request-id'];
    this.requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
  }

  /** The message as grpc-js decoded it. */
  get request(): Req {
    return this.call.request;
  }

  /**
   * The client certificate of a TLS connection. grpc-js reports it only once the handshake
   * verified it against the CA bundle, so on gRPC an unverified certificate is never seen.
   */
  peerCertificate(): PeerCertificate | undefined {
    const cert = this.call.getAuthContext().sslPeerCertificate;
    return cert === undefined ? undefined : toPeerCertificate(cert, true);
  }

  /** grpc-js's peer string, `ipv4:127.0.0.1:50412`. */
  remoteAddress(): string | undefined {
    return this.call.getPeer();
  }

  timeoutMs(): number | undefined {
    const d = this.call.getDeadline();
    const ms = d instanceof Date ? d.getTime() : d;
    return Number.isFinite(ms) ? ms - Date.now() : undefined;
  }

  fail(error: PonteError, _ctx: RequestContext | undefined): GrpcAnswer<Res> {
    return { ok: false, error: toServiceError(error, this.requestId), status: error.status };
  }

  statusOf(answer: GrpcAnswer<Res>): number {
    return answer.ok ? 200 : answer.status;
  }
}
