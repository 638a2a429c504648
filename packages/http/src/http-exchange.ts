import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { peerCertificateOf, PonteError, type Exchange, type PeerCertificate, type RequestContext, type RouteAction } from '@ponte/core';
import { readIncoming, readWebRequest } from './body.js';
import { jsonAnswer, type HttpAnswer } from './http-answer.js';
import type { RequestLimits } from './request-limits.js';

/** Header carrying a per-request deadline in milliseconds. */
export const TIMEOUT_HEADER = 'x-request-timeout-ms';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when it is well-formed, else a new UUID. */
export function requestIdFrom(given: string | undefined): string {
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * One REST request as the pipeline and route handlers see it: its route,
 * path parameters, query, headers and a body read on demand (within
 * `server.bodyLimitBytes`; `limits` also bounds what decoding it may ask), from Node's request or from a WHATWG `Request`
 * (the fetch adapter). Errors become `{"error": "...", "code": "PONTE_…"}`
 * with the code's status and headers: the REST error mapping, in one place.
 */
export class HttpExchange implements Exchange<HttpAnswer> {
  readonly protocol = 'rest';
  readonly requestId: string;
  readonly model: string | undefined;
  readonly version: string | undefined;
  private queryParams: URLSearchParams | undefined;
  /** The route's own naming of fields in errors (HttpRoute.renameErrors). */
  renameErrors: ((e: PonteError) => PonteError) | undefined;

  constructor(
    private readonly source: IncomingMessage | Request,
    readonly headers: Readonly<Record<string, string | undefined>>,
    readonly method: string,
    readonly path: string,
    private readonly rawQuery: string,
    readonly endpoint: string,
    readonly action: RouteAction,
    readonly tracked: boolean,
    readonly params: Readonly<Record<string, string>>,
    readonly limits: RequestLimits,
  ) {
    this.requestId = requestIdFrom(headers['x-request-id']);
    this.model = params['name'];
    this.version = params['version'];
  }

  /** The query string's parameters. */
  get query(): URLSearchParams {
    this.queryParams ??= new URLSearchParams(this.rawQuery);
    return this.queryParams;
  }

  /** The body's bytes, refused with 413 past `server.bodyLimitBytes`. */
  body(): Promise<Uint8Array> {
    const s = this.source;
    return s instanceof Request ? readWebRequest(s, this.limits.bodyBytes) : readIncoming(s, this.limits.bodyBytes);
  }

  /** The client certificate of an HTTPS connection (plain HTTP and the fetch adapter have none). */
  peerCertificate(): PeerCertificate | undefined {
    const socket = (this.source as IncomingMessage).socket as TLSSocket | undefined;
    return socket?.encrypted === true ? peerCertificateOf(socket) : undefined;
  }

  /** The socket's peer (the fetch adapter has none). */
  remoteAddress(): string | undefined {
    const s = this.source;
    return s instanceof Request ? undefined : s.socket?.remoteAddress;
  }

  timeoutMs(): number | undefined {
    const header = this.headers[TIMEOUT_HEADER];
    if (header === undefined) return undefined;
    const v = Number(header);
    if (!Number.isFinite(v) || v <= 0) throw new PonteError('PONTE_BAD_REQUEST', `${TIMEOUT_HEADER}: must be a positive number of milliseconds`);
    return v;
  }

  fail(error: PonteError, _ctx: RequestContext | undefined): HttpAnswer {
    if (this.renameErrors !== undefined) error = this.renameErrors(error);
    return jsonAnswer({ error: error.message, code: error.code }, error.status, error.headers);
  }

  statusOf(answer: HttpAnswer): number {
    return answer.status;
  }
}
