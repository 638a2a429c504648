import { ErrorCodes, type ErrorCode } from '@ponte/core';
import { componentRef, schemaRef } from './openapi-types.js';

/** Component names of the error responses, by HTTP status. */
export const ERROR_RESPONSES = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'DeadlineExceeded',
} as const;

export type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Start-up-only codes never reach an HTTP client; listing them would mislead. */
const RUNTIME_CODES = (Object.keys(ErrorCodes) as ErrorCode[]).filter((c) => !ErrorCodes[c].summary.includes('(start-up') && !ErrorCodes[c].summary.includes('(reported on the model)'));

const EXAMPLES: Partial<Record<ErrorCode, string>> = {
  PONTE_BAD_REQUEST: 'body: invalid JSON (Unexpected end of JSON input)',
  PONTE_VALIDATION_FAILED: 'instances[0].age: must be >= 0',
  PONTE_UNAUTHENTICATED: 'credentials required',
  PONTE_FORBIDDEN: 'caller may not infer on this model',
  PONTE_MODEL_NOT_FOUND: 'model "nope" is not configured',
  PONTE_BODY_TOO_LARGE: 'body: larger than the limit of 10485760 bytes (server.bodyLimitBytes)',
  PONTE_QUEUE_FULL: 'queue of model is full (1024 requests waiting)',
  PONTE_MODEL_NOT_READY: 'model "purchase" is not ready: loading',
  PONTE_DEADLINE_EXCEEDED: 'deadline exceeded',
  PONTE_INTERNAL: 'internal server error (request id 3f2a…)',
};

/** The codes a status can carry, from core's error table, so the document cannot drift from it. */
export function codesFor(status: number): ErrorCode[] {
  return RUNTIME_CODES.filter((c) => ErrorCodes[c].status === status);
}

/** The `Error` schema every failure uses: `{"error": string, "code": string}`. */
export function errorSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'Every error Ponte returns: a message naming the field and the rule, and a stable code (see docs/errors.md). Never a stack trace.',
    required: ['error', 'code'],
    properties: {
      error: { type: 'string', description: 'What went wrong, for people.' },
      code: { type: 'string', enum: RUNTIME_CODES, description: 'Stable machine-readable code.' },
    },
  };
}

/**
 * The reusable error responses (`components.responses`). Descriptions list
 * the codes a status carries; 413 names this deployment's body limit.
 */
export function errorResponses(bodyLimitBytes: number): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [statusText, name] of Object.entries(ERROR_RESPONSES)) {
    const status = Number(statusText);
    const codes = codesFor(status);
    const lines = codes.map((c) => `- \`${c}\`: ${ErrorCodes[c].summary}`);
    if (status === 413) lines.push(`\nThis deployment accepts bodies up to ${bodyLimitBytes} bytes.`);
    const headers: Record<string, unknown> = { 'X-Request-Id': componentRef('headers', 'X-Request-Id') };
    if (status === 429) headers['Retry-After'] = componentRef('headers', 'Retry-After');
    const first = codes[0]!;
    out[name] = {
      description: `${httpReason(status)}\n\n${lines.join('\n')}`,
      headers,
      content: {
        'application/json': {
          schema: { allOf: [schemaRef('Error')], properties: { code: { enum: codes } } },
          example: { error: EXAMPLES[first] ?? ErrorCodes[first].summary, code: first },
        },
      },
    };
  }
  return out;
}

function httpReason(status: number): string {
  switch (status) {
    case 400: return 'Bad request: the body is malformed or breaks a rule of the model.';
    case 401: return 'Unauthenticated: credentials are missing or wrong.';
    case 403: return 'Forbidden: the caller may not do this on this model.';
    case 404: return 'Not found: no such route, model or version.';
    case 413: return 'Payload too large.';
    case 429: return 'Too many requests: the model queue is full; retry after `Retry-After` seconds.';
    case 500: return 'Internal error: details are in the server log under the request id.';
    case 503: return 'Unavailable: the model is not ready, or the server is draining.';
    case 504: return 'Deadline exceeded: the request deadline (`X-Request-Timeout-Ms`, `parameters.timeout` or `server.requestTimeoutMs`) passed first.';
    default: return 'Error.';
  }
}

/** `responses` entries for the given statuses, as `$ref`s to the shared error responses. */
export function errorRefs(statuses: readonly ErrorStatus[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(statuses.map((s) => [String(s), componentRef('responses', ERROR_RESPONSES[s])]));
}
