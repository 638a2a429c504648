import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPonteError, type InferenceRequest, type ModelView, type Validator } from '@ponte/core';
import { testContext } from './test-context.js';

/** A request the validator must refuse, and the field its message must name. */
export interface InvalidRequest {
  request: InferenceRequest;
  /** The field the message starts with (`income`, `inputs[0].data[3]`, `instances[1].age`). */
  field: string;
  /** What the case is, for the test's message; default the field. */
  why?: string;
}

/** What `validatorConformance` needs: the validator, a model as core shows it, and requests on both sides of its rules. */
export interface ValidatorFixture {
  validator: Validator;
  model: ModelView;
  /** Requests within the rules (at least one). */
  valid: InferenceRequest[];
  /** Requests that break one rule each. */
  invalid: InvalidRequest[];
}

/**
 * The tests every `Validator` passes, as a node:test suite: valid requests
 * pass (and are left as they were), each invalid one is refused with
 * `PONTE_VALIDATION_FAILED` (a 400) whose message names its field, and a
 * validator never changes the request it checks.
 *
 * @example
 * ```ts
 * import { validatorConformance } from '@ponte/testing';
 * validatorConformance('request-limits', { validator, model, valid: [small], invalid: [{ request: big, field: 'inputs[0].shape[0]' }] });
 * ```
 */
export function validatorConformance(name: string, fixture: ValidatorFixture): void {
  const { validator, model } = fixture;
  const check = async (request: InferenceRequest): Promise<void> => {
    await validator.validate(request, model, testContext());
  };

  describe(`Validator conformance: ${name}`, () => {
    it('has a name', () => {
      assert.ok(typeof validator.name === 'string' && validator.name !== '', 'validator.name: a non-empty string');
      assert.ok(fixture.valid.length > 0, 'the fixture lists at least one valid request');
    });

    it('lets every valid request through, unchanged', async () => {
      for (const [i, request] of fixture.valid.entries()) {
        const before = structuredClone(request);
        await check(request).catch((e: unknown) => assert.fail(`valid[${i}] was refused: ${(e as Error).message}`));
        assert.deepEqual(request, before, `valid[${i}]: the validator changed the request (a Transform does that)`);
      }
    });

    it('refuses each invalid request with PONTE_VALIDATION_FAILED (400), its message naming the field', async () => {
      for (const [i, { request, field, why }] of fixture.invalid.entries()) {
        const before = structuredClone(request);
        await assert.rejects(check(request), (e: unknown) => {
          assert.ok(isPonteError(e), `invalid[${i}] (${why ?? field}): a PonteError, got ${String(e)}`);
          assert.equal(e.code, 'PONTE_VALIDATION_FAILED', `invalid[${i}] (${why ?? field}): code`);
          assert.equal(e.status, 400, `invalid[${i}] (${why ?? field}): status`);
          assert.ok(e.message.includes(field), `invalid[${i}]: the message "${e.message}" should name ${field}`);
          return true;
        }, `invalid[${i}] (${why ?? field}) was let through`);
        assert.deepEqual(request, before, `invalid[${i}]: the validator changed the request`);
      }
    });

    it('checks requests concurrently without mixing them up', async () => {
      const all = [...fixture.valid.map((r) => ({ r, ok: true })), ...fixture.invalid.map((x) => ({ r: x.request, ok: false }))];
      const results = await Promise.allSettled(all.map(({ r }) => check(r)));
      results.forEach((res, i) => assert.equal(res.status === 'fulfilled', all[i]!.ok, `request ${i} (${all[i]!.ok ? 'valid' : 'invalid'}) got ${res.status}`));
    });
  });
}
