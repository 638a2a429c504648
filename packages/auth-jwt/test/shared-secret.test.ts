/**
 * A team signs its service tokens HS256 with a shared secret: a token with
 * the right scope scores the purchase model, and every token that is expired,
 * early, for another audience or issuer, unsigned or tampered with is a 401
 * that never repeats the token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { base64url, call, INFER, METADATA, serverWithJwt } from './support/jwt-fixtures.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'ponte';
const now = (): number => Math.floor(Date.now() / 1000);

function sign(payload: JWTPayload, o: { secret?: string; alg?: string; exp?: number | null; iss?: string; aud?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ sub: 'svc-checkout', ...payload }).setProtectedHeader({ alg: o.alg ?? 'HS256', typ: 'JWT' }).setIssuedAt().setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? AUDIENCE);
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? now() + 300);
  return jwt.sign(new TextEncoder().encode(o.secret ?? SECRET));
}

/** Asserts a 401 whose body says `message` and does not contain the token. */
function assertRefused(res: { status: number; body: string }, token: string, message = 'invalid token'): void {
  assert.equal(res.status, 401, res.body);
  assert.equal((JSON.parse(res.body) as { error: string }).error, message);
  assert.ok(!res.body.includes(token) && !res.body.includes(token.split('.')[1]!), 'the 401 body must not repeat the token');
}

describe('HS256 with a shared secret', () => {
  let server: PonteServer;
  before(async () => {
    server = await serverWithJwt({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
  });
  after(async () => {
    await server?.stop();
  });

  test('a token with scope "infer:purchase" scores the model, but may not read its metadata', async () => {
    const token = await sign({ scope: 'openid infer:purchase' });
    const infer = await call(server, 'POST', INFER, token);
    assert.equal(infer.status, 200, infer.body);
    assert.equal((JSON.parse(infer.body) as { model_name: string }).model_name, 'purchase');
    const read = await call(server, 'GET', METADATA, token);
    assert.equal(read.status, 403, read.body);
    assert.match(read.body, /no scope for read:purchase/);
    assert.ok(!read.body.includes(token));
  });

  test('no Authorization header: 401 with WWW-Authenticate: Bearer, before the body is read', async () => {
    const res = await call(server, 'POST', INFER, undefined, '{"this is": not json');
    assert.equal(res.status, 401, res.body);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  });

  test('a bearer value that is not a JWT is not this plugin\'s: "credentials required", not "invalid token"', async () => {
    const res = await call(server, 'POST', INFER, 'pk_live_0123456789abcdef');
    assert.equal(res.status, 401);
    assert.match(res.body, /credentials required/);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  });

  test('an expired token is 401 "token expired"; within the 30 s clock tolerance it still passes', async () => {
    const expired = await sign({ scope: 'infer:purchase' }, { exp: now() - 120 });
    const res = await call(server, 'POST', INFER, expired);
    assertRefused(res, expired, 'token expired');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    const justExpired = await sign({ scope: 'infer:purchase' }, { exp: now() - 5 });
    assert.equal((await call(server, 'POST', INFER, justExpired)).status, 200);
  });

  test('a token not valid yet (nbf two minutes ahead) is 401', async () => {
    const early = await sign({ scope: 'infer:purchase', nbf: now() + 120 });
    assertRefused(await call(server, 'POST', INFER, early), early);
  });

  test('a token without exp is 401 (requireExpiry defaults to true)', async () => {
    const forever = await sign({ scope: 'infer:purchase' }, { exp: null });
    assertRefused(await call(server, 'POST', INFER, forever), forever);
  });

  test('a token for another audience or from another issuer is 401', async () => {
    const otherAudience = await sign({ scope: 'infer:purchase' }, { aud: 'billing' });
    assertRefused(await call(server, 'POST', INFER, otherAudience), otherAudience);
    const otherIssuer = await sign({ scope: 'infer:purchase' }, { iss: 'https://evil.example.test/' });
    assertRefused(await call(server, 'POST', INFER, otherIssuer), otherIssuer);
  });

  test('a token signed with another secret is 401', async () => {
    const forged = await sign({ scope: '*:*' }, { secret: 'another-secret-of-at-least-32-characters' });
    assertRefused(await call(server, 'POST', INFER, forged), forged);
  });

  test('an unsigned token (alg: none) is 401', async () => {
    const unsigned = new UnsecuredJWT({ sub: 'svc', scope: '*:*' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now() + 300).encode();
    assertRefused(await call(server, 'POST', INFER, unsigned), unsigned);
    // The same, with a signature part present, and with a header that spells it "None".
    const spelled = `${base64url({ alg: 'None', typ: 'JWT' })}.${unsigned.split('.')[1]}.c2ln`;
    assertRefused(await call(server, 'POST', INFER, spelled), spelled);
  });

  test('a token whose payload was changed after signing is 401', async () => {
    const token = await sign({ scope: 'read:purchase' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
    const tampered = `${header}.${base64url({ ...claims, scope: 'infer:purchase admin:*' })}.${signature}`;
    assertRefused(await call(server, 'POST', INFER, tampered), tampered);
  });

  test('a token in the HS512 family is accepted with the same secret', async () => {
    const token = await sign({ scope: 'infer:purchase' }, { alg: 'HS512' });
    assert.equal((await call(server, 'POST', INFER, token)).status, 200);
  });
});

describe('scopes from a roles array, mapped', () => {
  let server: PonteServer;
  before(async () => {
    server = await serverWithJwt({
      secret: SECRET,
      audience: [AUDIENCE, 'ponte-staging'],
      algorithms: ['HS256'],
      scopesClaim: 'roles',
      scopeMap: { scorer: ['infer:purchase'], auditor: ['read:*', 'monitor:*'] },
      principalClaim: 'client_id',
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('a "scorer" role may infer, an "auditor" may read, neither may do the other', async () => {
    const scorer = await sign({ roles: ['scorer'], client_id: 'checkout' }, { aud: 'ponte-staging' });
    assert.equal((await call(server, 'POST', INFER, scorer)).status, 200);
    assert.equal((await call(server, 'GET', METADATA, scorer)).status, 403);
    const auditor = await sign({ roles: ['auditor', 'unmapped'], client_id: 'audit' });
    assert.equal((await call(server, 'GET', METADATA, auditor)).status, 200);
    assert.equal((await call(server, 'POST', INFER, auditor)).status, 403);
  });

  test('a Ponte scope in the roles array works as it is', async () => {
    const direct = await sign({ roles: ['infer:*'], client_id: 'batch' });
    assert.equal((await call(server, 'POST', INFER, direct)).status, 200);
  });

  test('algorithms narrows the family: HS512 is refused when only HS256 is allowed', async () => {
    const token = await sign({ roles: ['scorer'], client_id: 'checkout' }, { alg: 'HS512' });
    assertRefused(await call(server, 'POST', INFER, token), token);
  });

  test('a token without the principal claim is 401', async () => {
    const anonymous = await sign({ roles: ['scorer'] });
    assertRefused(await call(server, 'POST', INFER, anonymous), anonymous);
  });
});
