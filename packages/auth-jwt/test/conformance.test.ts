/**
 * The JWT authenticator passes the suite every authenticator passes
 * (`@ponte/testing`): the one a server built from this plugin's options (an
 * HS256 secret) provides, called with good, forged and expired tokens.
 */
import { after } from 'node:test';
import { resolveAllTokens, Tokens } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { authenticatorConformance } from '@ponte/testing';
import { SignJWT } from 'jose';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const now = (): number => Math.floor(Date.now() / 1000);
const sign = (secret: string, exp: number): Promise<string> =>
  new SignJWT({ sub: 'svc-checkout', scope: 'infer:purchase read:*' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(exp - 600).setIssuer('https://auth.example.test/').setAudience('ponte').setExpirationTime(exp).sign(new TextEncoder().encode(secret));

const server = await startTestServer({ config: { plugins: [{ package: '@ponte/auth-jwt', options: { secret: SECRET, issuer: 'https://auth.example.test/', audience: 'ponte' } }] } });
after(() => server.stop());

const [authenticator] = resolveAllTokens(server.container, Tokens.Authenticator);

authenticatorConformance('@ponte/auth-jwt', {
  authenticator: authenticator!,
  valid: { headers: { authorization: `Bearer ${await sign(SECRET, now() + 300)}` } },
  invalid: [
    { headers: { authorization: `Bearer ${await sign('another-secret-of-at-least-32-characters', now() + 300)}` } },
    { headers: { authorization: `Bearer ${await sign(SECRET, now() - 3600)}` } },
    { headers: { authorization: 'Bearer not.a-jwt.at-all-but-long-enough' } },
  ],
  foreign: { headers: { 'x-api-key': 'pk_billing_0123456789abcdef' } },
});
