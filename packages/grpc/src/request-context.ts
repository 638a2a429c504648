import { randomUUID } from 'node:crypto';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { RequestContext } from '@ponte/core';

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

/** The call's deadline in epoch milliseconds, or undefined when it has none. */
function deadlineMs(call: ServerUnaryCall<unknown, unknown>): number | undefined {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Builds the pipeline context of a gRPC call: protocol `grpc`, headers from
 * metadata, the request id from `x-request-id` metadata (else a new UUID), and
 * a deadline from the call's deadline, capped by `server.requestTimeoutMs`
 * like REST's timeout header.
 *
 * @example
 * ```ts
 * const ctx = grpcRequestContext(call, 'infer', config.server.requestTimeoutMs);
 * ```
 */
export function grpcRequestContext(call: ServerUnaryCall<unknown, unknown>, endpoint: string, defaultTimeoutMs: number): RequestContext {
  const startedAt = performance.now();
  const headers = metadataHeaders(call.metadata);
  const given = headers['x-request-id'];
  const ctx: RequestContext = {
    requestId: given !== undefined && REQUEST_ID.test(given) ? given : randomUUID(),
    protocol: 'grpc',
    endpoint,
    headers,
    startedAt,
    following: 0,
    attributes: new Map(),
  };
  const callDeadline = deadlineMs(call);
  const timeoutMs = callDeadline === undefined ? defaultTimeoutMs : Math.min(callDeadline - Date.now(), defaultTimeoutMs);
  ctx.deadline = startedAt + timeoutMs;
  return ctx;
}
