/**
 * An operator who gets the options wrong learns at start-up, with the key
 * and the rule, before anything listens.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverWithJwt } from './support/jwt-fixtures.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

const cases: Array<[string, Record<string, unknown>, RegExp]> = [
  ['no key source', { audience: 'ponte' }, /a key source is required/],
  ['a secret and a JWKS', { secret: SECRET, jwksFile: 'jwks.json' }, /secret and jwksFile are both set/],
  ['a short secret', { secret: 'short' }, /options\.secret: must NOT have fewer than 32 characters/],
  ['an RSA algorithm with a secret', { secret: SECRET, algorithms: ['HS256', 'RS256'] }, /algorithms: RS256 cannot be verified with a secret/],
  ['an HMAC algorithm with a JWKS', { jwksFile: 'jwks.json', algorithms: ['HS256'] }, /algorithms: HS256 cannot be verified with a JWKS/],
  ['alg none', { secret: SECRET, algorithms: ['none'] }, /options\.algorithms\[0\]: must be one of/],
  ['a remote JWKS without an audience', { jwksUri: 'https://idp.example.test/jwks' }, /audience: is required with jwksUri or issuer/],
  ['plain http to a remote host', { jwksUri: 'http://idp.example.test/jwks', audience: 'ponte' }, /jwksUri: must be https/],
  ['several issuers to discover', { issuer: ['https://a.example.test', 'https://b.example.test'], audience: 'ponte' }, /issuer: OIDC discovery needs a single issuer/],
  ['a clock tolerance over five minutes', { secret: SECRET, clockToleranceSeconds: 3600 }, /options\.clockToleranceSeconds: must be <= 300/],
  ['a scope map to a non-scope', { secret: SECRET, scopeMap: { admin: ['everything'] } }, /options\.scopeMap\.admin\[0\]/],
  ['an unknown key', { secret: SECRET, audiance: 'ponte' }, /options\.audiance: unknown key/],
];

for (const [what, options, message] of cases) {
  test(`start-up is refused for ${what}`, async () => {
    await assert.rejects(serverWithJwt(options), (e: Error) => {
      assert.match(e.message, message);
      assert.ok(!e.message.includes(SECRET), 'the secret is never repeated');
      return true;
    });
  });
}
