/**
 * Every error Ponte reports carries a stable code and an HTTP status, defined
 * here once. The HTTP layer maps a `PonteError` to `{"error": message, "code": code}`
 * with `status`; other protocols (gRPC) map the same codes to their own statuses.
 * `docs/errors.md` lists every code; a test fails when one is undocumented.
 */
export const ErrorCodes = {
  PONTE_BAD_REQUEST: { status: 400, summary: 'The request is malformed: body is not valid JSON or a field has the wrong shape.' },
  PONTE_VALIDATION_FAILED: { status: 400, summary: 'The input broke a rule from the model signature or the feature config.' },
  PONTE_UNAUTHENTICATED: { status: 401, summary: 'No valid credentials were presented.' },
  PONTE_FORBIDDEN: { status: 403, summary: 'The caller may not perform this action on this model.' },
  PONTE_NOT_FOUND: { status: 404, summary: 'No such route.' },
  PONTE_MODEL_NOT_FOUND: { status: 404, summary: 'No model with this name is configured.' },
  PONTE_VERSION_NOT_FOUND: { status: 404, summary: 'The model has no such version.' },
  PONTE_METHOD_NOT_ALLOWED: { status: 405, summary: 'The route exists but not for this HTTP method.' },
  PONTE_BODY_TOO_LARGE: { status: 413, summary: 'The request body exceeds server.bodyLimitBytes.' },
  PONTE_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The Content-Type is not one Ponte accepts for this route.' },
  PONTE_QUEUE_FULL: { status: 429, summary: "The model's batch queue is full; retry after the Retry-After delay." },
  PONTE_EXPLAIN_UNAVAILABLE: { status: 409, summary: 'The model cannot be explained: it has no reference data (profile or sample) to explain against, or its inputs are not one float32 [rows, features] tensor.' },
  PONTE_RATE_LIMITED: { status: 429, summary: 'A rate limit or quota of the caller, model or server is used up; retry after the Retry-After delay.' },
  PONTE_MODEL_NOT_READY: { status: 503, summary: 'The model (or version) is loading or failed to load.' },
  PONTE_SHUTTING_DOWN: { status: 503, summary: 'The server is draining and accepts no new requests.' },
  PONTE_DEADLINE_EXCEEDED: { status: 504, summary: 'The request deadline passed before the model answered.' },
  PONTE_MODEL_RUN_FAILED: { status: 500, summary: 'The model runtime failed on input that passed validation.' },
  PONTE_INTERNAL: { status: 500, summary: 'An unexpected server error; details are in the log under the request id.' },
  PONTE_CONFIG_INVALID: { status: 500, summary: 'The configuration file failed validation (start-up only).' },
  PONTE_CONFIG_UNREADABLE: { status: 500, summary: 'The configuration file or a ${file:} reference cannot be read (start-up only).' },
  PONTE_PLUGIN_NOT_FOUND: { status: 500, summary: 'A plugin listed in the config cannot be found: no such file or package (start-up only).' },
  PONTE_PLUGIN_IMPORT_FAILED: { status: 500, summary: 'A plugin listed in the config was found but importing it failed: a package it imports is missing, or its code throws (start-up only).' },
  PONTE_PLUGIN_INVALID: { status: 500, summary: 'A module does not export a plugin made by definePlugin (start-up only).' },
  PONTE_PLUGIN_DUPLICATE: { status: 500, summary: 'Two plugins with the same name are listed (start-up only).' },
  PONTE_PLUGIN_DEPENDENCY_MISSING: { status: 500, summary: 'A plugin depends on a plugin that is not listed (start-up only).' },
  PONTE_PLUGIN_CONFLICT: { status: 500, summary: 'Two plugins provide a service that takes one implementation (start-up only).' },
  PONTE_PLUGIN_INCOMPATIBLE: { status: 500, summary: "A plugin's `core` range does not admit this @ponte/core version (start-up only)." },
  PONTE_PLUGIN_FAILED: { status: 500, summary: "A plugin's register, start or stop hook threw (start-up/shutdown only)." },
  PONTE_FORMAT_UNKNOWN: { status: 500, summary: 'A model names a format that no loaded plugin provides (reported on the model).' },
  PONTE_MODEL_LOAD_FAILED: { status: 500, summary: 'A model version failed to load or warm up (reported on the model).' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

/**
 * The one error type of Ponte. Throw it with a code; never put secrets or stack
 * traces in the message, because it reaches the client.
 *
 * @example
 * ```ts
 * throw new PonteError('PONTE_MODEL_NOT_FOUND', `model "${name}" is not configured`);
 * ```
 */
export class PonteError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After for PONTE_QUEUE_FULL. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    // A caller's mistake (4xx) needs no stack trace: none reaches a client or a log, and capturing
    // one is most of the cost of refusing a request — under overload, refusing must be cheap.
    const limit = Error.stackTraceLimit;
    if (ErrorCodes[code].status < 500) Error.stackTraceLimit = 0;
    try {
      super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'PonteError';
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.headers = options?.headers ?? {};
  }
}

/** True when `e` is a PonteError (also across package copies). */
export function isPonteError(e: unknown): e is PonteError {
  return e instanceof PonteError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'PonteError' && typeof (e as { code?: unknown }).code === 'string');
}

/** Turns anything thrown into a PonteError, keeping the original as `cause`. */
export function toPonteError(e: unknown, fallback: ErrorCode = 'PONTE_INTERNAL'): PonteError {
  if (isPonteError(e)) return e;
  return new PonteError(fallback, fallback === 'PONTE_INTERNAL' ? 'internal server error' : e instanceof Error ? e.message : String(e), { cause: e });
}

/** Message helper for the common "field: rule" shape. */
export function validationError(field: string, rule: string): PonteError {
  return new PonteError('PONTE_VALIDATION_FAILED', `${field}: ${rule}`);
}
