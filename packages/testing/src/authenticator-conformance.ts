import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPonteError, SCOPE_PATTERN, type Authenticator, type Principal } from '@ponte/core';
import { testContext, type Credentials } from './test-context.js';

/** What `authenticatorConformance` needs: the authenticator and credentials of each kind. */
export interface AuthenticatorFixture {
  authenticator: Authenticator;
  /** Credentials the authenticator accepts. */
  valid: Credentials;
  /** Its own scheme's credentials, but wrong (a bad key, an expired token, an unknown certificate). */
  invalid: Credentials[];
  /** Another scheme's credentials, which it must leave to the next authenticator. */
  foreign: Credentials;
}

/** The secret-looking parts of a request's credentials: values (and their words) long enough to be a key or token. */
function secretsOf(c: Credentials): string[] {
  const out = new Set<string>();
  for (const v of Object.values(c.headers ?? {})) {
    for (const part of [v, ...v.split(/[\s,;=]+/)]) if (part.length >= 12) out.add(part);
  }
  return [...out];
}

/**
 * The tests every `Authenticator` passes, as a node:test suite: no
 * credentials and another scheme's credentials give `null` (the next
 * authenticator tries); valid ones give a principal with an id, the
 * authenticator's scheme and well-formed scopes; wrong ones are refused with
 * `PONTE_UNAUTHENTICATED` (401) whose message never repeats the credential.
 *
 * @example
 * ```ts
 * import { authenticatorConformance } from '@ponte/testing';
 * authenticatorConformance('apikey', { authenticator, valid: { headers: { 'x-api-key': key } }, invalid: [{ headers: { 'x-api-key': 'pk_wrong' } }], foreign: { headers: { authorization: 'Basic dTpw' } } });
 * ```
 */
export function authenticatorConformance(name: string, fixture: AuthenticatorFixture): void {
  const { authenticator } = fixture;
  // An authenticator may answer synchronously (a cached credential) or with a promise: both count.
  const authenticate = async (c: Credentials): Promise<Principal | null> => authenticator.authenticate(testContext(c));

  describe(`Authenticator conformance: ${name}`, () => {
    it('has a scheme', () => {
      assert.ok(typeof authenticator.scheme === 'string' && authenticator.scheme !== '', 'authenticator.scheme: a non-empty string');
    });

    it('leaves a request without credentials, or with another scheme\'s, to the next authenticator (null)', async () => {
      assert.equal(await authenticate({}), null, 'no credentials: null');
      assert.equal(await authenticate({ headers: { 'content-type': 'application/json', 'user-agent': 'conformance' } }), null, 'unrelated headers: null');
      assert.equal(await authenticate(fixture.foreign), null, 'another scheme\'s credentials: null');
    });

    it('turns valid credentials into a principal: an id, its scheme, well-formed scopes', async () => {
      const p = await authenticate(fixture.valid);
      assert.ok(p !== null, 'valid credentials give a principal');
      assert.ok(typeof p.id === 'string' && p.id !== '', 'principal.id: a non-empty string');
      assert.equal(p.scheme, authenticator.scheme, 'principal.scheme: the authenticator\'s scheme');
      const pattern = new RegExp(SCOPE_PATTERN);
      assert.ok(Array.isArray(p.scopes), 'principal.scopes: a list (empty for none), which the scope authorizer reads');
      for (const s of p.scopes) assert.match(s, pattern, `principal.scopes: "${s}" is not <action>:<model>`);
      for (const secret of secretsOf(fixture.valid)) assert.ok(!JSON.stringify(p).includes(secret), 'the principal (logged, audited) never holds the credential');
      const again = await authenticate(fixture.valid);
      assert.equal(again?.id, p.id, 'the same credentials, the same principal');
    });

    it('refuses wrong credentials with PONTE_UNAUTHENTICATED (401), never repeating them', async () => {
      for (const [i, c] of fixture.invalid.entries()) {
        await assert.rejects(authenticate(c), (e: unknown) => {
          assert.ok(isPonteError(e), `invalid[${i}]: a PonteError, got ${String(e)}`);
          assert.equal(e.code, 'PONTE_UNAUTHENTICATED', `invalid[${i}]: code`);
          assert.equal(e.status, 401, `invalid[${i}]: status`);
          const said = `${e.message} ${JSON.stringify(e.headers)}`;
          for (const secret of secretsOf(c)) assert.ok(!said.includes(secret), `invalid[${i}]: the error "${e.message}" repeats the credential`);
          return true;
        }, `invalid[${i}] was accepted`);
      }
    });

    it('answers concurrent requests each on its own credentials', async () => {
      const cases = [fixture.valid, fixture.foreign, ...fixture.invalid, fixture.valid];
      const results = await Promise.allSettled(cases.map((c) => authenticate(c)));
      assert.equal(results[0]!.status, 'fulfilled');
      assert.notEqual((results[0] as PromiseFulfilledResult<unknown>).value, null);
      assert.deepEqual(results[1], { status: 'fulfilled', value: null });
      for (const r of results.slice(2, -1)) assert.equal(r.status, 'rejected');
      assert.equal(results.at(-1)!.status, 'fulfilled');
    });
  });
}
