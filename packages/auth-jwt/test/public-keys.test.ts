/**
 * An organisation's identity provider signs with public-key algorithms: the
 * keys come from a JWKS file next to the config, a JWKS URL, or the issuer's
 * OIDC discovery document. Rotated keys are picked up, an HMAC token made
 * with the public key is refused, and a provider that is down means 401s,
 * never a 500.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyObject, type CryptoKey } from 'jose';
import { call, fakeIdentityProvider, INFER, serverWithJwt, type FakeIdentityProvider } from './support/jwt-fixtures.js';

const now = (): number => Math.floor(Date.now() / 1000);
type PrivateKey = CryptoKey | KeyObject;

interface SigningKey { kid: string; alg: string; privateKey: PrivateKey; publicJwk: JWK; publicPem: string }

async function signingKey(alg: string, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

function sign(key: SigningKey, issuer: string, payload: JWTPayload = { scope: 'infer:purchase' }): Promise<string> {
  return new SignJWT({ sub: 'analyst', ...payload }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(issuer).setAudience('ponte').setExpirationTime(now() + 300).sign(key.privateKey);
}

/** An HS256 token whose HMAC secret is `secret` (the RS/HS confusion attack uses the public key's bytes). */
function hmac(secret: string, issuer: string, kid: string): Promise<string> {
  return new SignJWT({ sub: 'attacker', scope: '*:*' }).setProtectedHeader({ alg: 'HS256', kid }).setIssuer(issuer).setAudience('ponte').setExpirationTime(now() + 300).sign(new TextEncoder().encode(secret));
}

function assertInvalid(res: { status: number; body: string }, token: string): void {
  assert.equal(res.status, 401, res.body);
  assert.equal((JSON.parse(res.body) as { error: string }).error, 'invalid token');
  assert.ok(!res.body.includes(token));
}

describe('RS256 with a JWKS file next to the config', () => {
  const ISSUER = 'https://idp.example.test';
  let dir: string;
  let rsa: SigningKey;
  let server: PonteServer;
  before(async () => {
    rsa = await signingKey('RS256', 'rsa-1');
    dir = mkdtempSync(join(tmpdir(), 'ponte-auth-jwt-'));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [rsa.publicJwk] }));
    server = await serverWithJwt({ jwksFile: 'jwks.json', issuer: ISSUER, audience: 'ponte' }, dir);
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a token signed with the private key is accepted', async () => {
    const res = await call(server, 'POST', INFER, await sign(rsa, ISSUER));
    assert.equal(res.status, 200, res.body);
  });

  test('an HS256 token using the RSA public key (PEM or JWK) as the HMAC secret is 401', async () => {
    for (const secret of [rsa.publicPem, JSON.stringify(rsa.publicJwk), rsa.publicJwk.n!]) {
      const forged = await hmac(secret, ISSUER, rsa.kid);
      assertInvalid(await call(server, 'POST', INFER, forged), forged);
    }
  });

  test('a token signed by another RSA key with the same kid is 401', async () => {
    const impostor = await signingKey('RS256', 'rsa-1');
    const forged = await sign(impostor, ISSUER);
    assertInvalid(await call(server, 'POST', INFER, forged), forged);
  });

  test('a JWKS file holding a private key stops the start-up, naming the file and the key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(join(dir, 'private.json'), JSON.stringify({ keys: [await exportJWK(privateKey)] }));
    await assert.rejects(serverWithJwt({ jwksFile: 'private.json', audience: 'ponte' }, dir), /private\.json: keys\[0\] holds private key material/);
  });
});

describe('ES256 and EdDSA from a JWKS URL and by OIDC discovery', () => {
  let idp: FakeIdentityProvider;
  let es: SigningKey;
  let ed: SigningKey;
  before(async () => {
    es = await signingKey('ES256', 'es-1');
    ed = await signingKey('EdDSA', 'ed-1');
    idp = await fakeIdentityProvider([es.publicJwk, ed.publicJwk]);
  });
  after(async () => {
    await idp?.close();
  });

  test('jwksUri: ES256 and EdDSA tokens are accepted; an HS256 token made with the public key is not; unknown kids are rate-limited', async () => {
    const server = await serverWithJwt({ jwksUri: idp.jwksUri, issuer: idp.issuer, audience: 'ponte' });
    try {
      assert.equal((await call(server, 'POST', INFER, await sign(es, idp.issuer))).status, 200);
      assert.equal((await call(server, 'POST', INFER, await sign(ed, idp.issuer))).status, 200);
      const forged = await hmac(JSON.stringify(es.publicJwk), idp.issuer, es.kid);
      assertInvalid(await call(server, 'POST', INFER, forged), forged);
      // Tokens with kids the provider does not publish refetch at most once per cooldown (30 s), whatever their number.
      const fetchesBefore = idp.jwksFetches;
      const stranger = await signingKey('ES256', 'unknown');
      for (let i = 0; i < 5; i++) {
        const t = await sign(stranger, idp.issuer);
        assertInvalid(await call(server, 'POST', INFER, t), t);
      }
      assert.ok(idp.jwksFetches - fetchesBefore <= 1, `${idp.jwksFetches - fetchesBefore} JWKS fetches for 5 unknown kids`);
    } finally {
      await server.stop();
    }
  });

  test('issuer alone: the keys are found through <issuer>/.well-known/openid-configuration', async () => {
    const server = await serverWithJwt({ issuer: idp.issuer, audience: 'ponte', algorithms: ['ES256', 'EdDSA'] });
    try {
      assert.equal((await call(server, 'POST', INFER, await sign(ed, idp.issuer))).status, 200);
      const wrongIssuer = await sign(ed, `${idp.url}/realms/other`);
      assertInvalid(await call(server, 'POST', INFER, wrongIssuer), wrongIssuer);
    } finally {
      await server.stop();
    }
  });

  test('key rotation: a token with a new kid is accepted once the JWKS shows it', async () => {
    const rotating = await fakeIdentityProvider([es.publicJwk]);
    const server = await serverWithJwt({ issuer: rotating.issuer, audience: 'ponte', jwksCooldownSeconds: 1 });
    try {
      assert.equal((await call(server, 'POST', INFER, await sign(es, rotating.issuer))).status, 200);
      const next = await signingKey('ES256', 'es-2');
      rotating.keys = [es.publicJwk, next.publicJwk];
      await new Promise((r) => setTimeout(r, 1200)); // past the cooldown
      const res = await call(server, 'POST', INFER, await sign(next, rotating.issuer));
      assert.equal(res.status, 200, res.body);
      assert.equal((await call(server, 'POST', INFER, await sign(es, rotating.issuer))).status, 200);
    } finally {
      await server.stop();
      await rotating.close();
    }
  });

  test('a provider that is down: the server starts, tokens are 401 "invalid token", never a 500', async () => {
    const down = await fakeIdentityProvider([es.publicJwk]);
    down.down = true;
    const server = await serverWithJwt({ issuer: down.issuer, audience: 'ponte', jwksCooldownSeconds: 1 });
    try {
      const token = await sign(es, down.issuer);
      assertInvalid(await call(server, 'POST', INFER, token), token);
      down.down = false;
      await new Promise((r) => setTimeout(r, 1200)); // past the cooldown, discovery is tried again
      assert.equal((await call(server, 'POST', INFER, token)).status, 200);
    } finally {
      await server.stop();
      await down.close();
    }
  });

  test('once keys were fetched, a provider going down does not stop tokens signed with them', async () => {
    const flaky = await fakeIdentityProvider([es.publicJwk]);
    const server = await serverWithJwt({ jwksUri: flaky.jwksUri, audience: 'ponte', jwksCacheMaxAgeSeconds: 1, jwksCooldownSeconds: 1 });
    try {
      const token = await sign(es, flaky.issuer);
      assert.equal((await call(server, 'POST', INFER, token)).status, 200);
      flaky.down = true;
      await new Promise((r) => setTimeout(r, 1200)); // the cache is stale: a refetch is due, and fails
      assert.equal((await call(server, 'POST', INFER, token)).status, 200);
    } finally {
      await server.stop();
      await flaky.close();
    }
  });

  test('a provider that cannot be reached at all (nothing listening) is 401 too', async () => {
    const gone = await fakeIdentityProvider([]);
    const jwksUri = gone.jwksUri;
    await gone.close();
    const server = await serverWithJwt({ jwksUri, audience: 'ponte', jwksTimeoutMs: 1000 });
    try {
      const token = await sign(es, gone.issuer);
      assertInvalid(await call(server, 'POST', INFER, token), token);
    } finally {
      await server.stop();
    }
  });
});
