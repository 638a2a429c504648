import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { ErrorCodes, PonteError, type ErrorCode } from '@ponte/core';
import { ERROR_CODE_METADATA, grpcStatusOf, toServiceError } from '../src/index.js';

describe('Ponte error codes map to gRPC statuses once', () => {
  const expected: Partial<Record<ErrorCode, status>> = {
    PONTE_MODEL_NOT_FOUND: status.NOT_FOUND,
    PONTE_VERSION_NOT_FOUND: status.NOT_FOUND,
    PONTE_NOT_FOUND: status.NOT_FOUND,
    PONTE_BAD_REQUEST: status.INVALID_ARGUMENT,
    PONTE_VALIDATION_FAILED: status.INVALID_ARGUMENT,
    PONTE_MODEL_NOT_READY: status.UNAVAILABLE,
    PONTE_SHUTTING_DOWN: status.UNAVAILABLE,
    PONTE_QUEUE_FULL: status.RESOURCE_EXHAUSTED,
    PONTE_RATE_LIMITED: status.RESOURCE_EXHAUSTED,
    PONTE_EXPLAIN_UNAVAILABLE: status.FAILED_PRECONDITION,
    PONTE_BODY_TOO_LARGE: status.RESOURCE_EXHAUSTED,
    PONTE_UNAUTHENTICATED: status.UNAUTHENTICATED,
    PONTE_FORBIDDEN: status.PERMISSION_DENIED,
    PONTE_DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  };

  for (const code of Object.keys(ErrorCodes) as ErrorCode[]) {
    const want = expected[code] ?? status.INTERNAL;
    it(`${code} → ${status[want]}`, () => {
      assert.equal(grpcStatusOf(code), want);
      const e = toServiceError(new PonteError(code, `message for ${code}`), 'req-1');
      assert.equal(e.code, want);
      assert.equal(e.details, `message for ${code}`);
      assert.deepEqual(e.metadata!.get(ERROR_CODE_METADATA), [code]);
    });
  }

  it('an unexpected error becomes INTERNAL without its message or stack', () => {
    const e = toServiceError(new TypeError('secret path /etc/x at foo.js:1'), 'req-2');
    assert.equal(e.code, status.INTERNAL);
    assert.equal(e.details, 'internal server error (request id req-2)');
  });

  it('QUEUE_FULL carries Retry-After as metadata', () => {
    const e = toServiceError(new PonteError('PONTE_QUEUE_FULL', 'queue full', { headers: { 'Retry-After': '1' } }), 'req-3');
    assert.deepEqual(e.metadata!.get('retry-after'), ['1']);
  });
});
