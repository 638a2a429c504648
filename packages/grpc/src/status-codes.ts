import { status as GrpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js';
import { isPonteError, type ErrorCode } from '@ponte/core';

/**
 * The gRPC status of each Ponte error code, defined once. Codes not listed
 * (model run failures, internal and start-up errors) are INTERNAL.
 *
 * @example
 * ```ts
 * grpcStatusOf('PONTE_MODEL_NOT_FOUND'); // status.NOT_FOUND
 * ```
 */
export const GRPC_STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, GrpcStatus>>> = Object.freeze({
  PONTE_MODEL_NOT_FOUND: GrpcStatus.NOT_FOUND,
  PONTE_VERSION_NOT_FOUND: GrpcStatus.NOT_FOUND,
  PONTE_NOT_FOUND: GrpcStatus.NOT_FOUND,
  PONTE_BAD_REQUEST: GrpcStatus.INVALID_ARGUMENT,
  PONTE_VALIDATION_FAILED: GrpcStatus.INVALID_ARGUMENT,
  PONTE_MODEL_NOT_READY: GrpcStatus.UNAVAILABLE,
  PONTE_SHUTTING_DOWN: GrpcStatus.UNAVAILABLE,
  PONTE_QUEUE_FULL: GrpcStatus.RESOURCE_EXHAUSTED,
  PONTE_RATE_LIMITED: GrpcStatus.RESOURCE_EXHAUSTED,
  PONTE_EXPLAIN_UNAVAILABLE: GrpcStatus.FAILED_PRECONDITION,
  PONTE_BODY_TOO_LARGE: GrpcStatus.RESOURCE_EXHAUSTED,
  PONTE_UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  PONTE_FORBIDDEN: GrpcStatus.PERMISSION_DENIED,
  PONTE_DEADLINE_EXCEEDED: GrpcStatus.DEADLINE_EXCEEDED,
});

/** The gRPC status for a Ponte error code (INTERNAL when unmapped). */
export function grpcStatusOf(code: string): GrpcStatus {
  return GRPC_STATUS_BY_CODE[code as ErrorCode] ?? GrpcStatus.INTERNAL;
}

/** Trailing metadata key carrying the stable Ponte error code, for clients that branch on it. */
export const ERROR_CODE_METADATA = 'ponte-error-code';

/**
 * Turns anything thrown into a gRPC error: the Ponte code's status, the
 * error's message (never a stack; an unexpected error says only "internal
 * server error" with the request id, as REST does), and the code and any hint
 * headers (Retry-After) as trailing metadata.
 */
export function toServiceError(e: unknown, requestId: string): Partial<ServiceError> & { code: GrpcStatus } {
  const metadata = new Metadata();
  if (!isPonteError(e)) {
    metadata.set(ERROR_CODE_METADATA, 'PONTE_INTERNAL');
    return { code: GrpcStatus.INTERNAL, details: `internal server error (request id ${requestId})`, metadata };
  }
  metadata.set(ERROR_CODE_METADATA, e.code);
  for (const [k, v] of Object.entries(e.headers ?? {})) {
    // Connection is an HTTP/1 hint that means nothing on an HTTP/2 stream.
    if (k.toLowerCase() !== 'connection') metadata.set(k.toLowerCase(), v);
  }
  return { code: grpcStatusOf(e.code), details: e.message, metadata };
}
