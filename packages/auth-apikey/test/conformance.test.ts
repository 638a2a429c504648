/**
 * The API-key authenticator passes the suite every authenticator passes
 * (`@ponte/testing`): the one a server built from this plugin's options
 * provides, called with keys in `X-API-Key` and `Authorization: Bearer`.
 */
import { after } from 'node:test';
import { resolveAllTokens, Tokens } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { authenticatorConformance } from '@ponte/testing';
import { createKey } from '@ponte/auth-apikey';

const billing = await createKey({ id: 'billing', scopes: ['infer:purchase'] });
const unknown = await createKey({ id: 'stranger', scopes: ['*:*'] });
const server = await startTestServer({ config: { plugins: [{ package: '@ponte/auth-apikey', options: { keys: [{ id: billing.id, hash: billing.hash, scopes: billing.scopes }] } }] } });
after(() => server.stop());

const [authenticator] = resolveAllTokens(server.container, Tokens.Authenticator);

authenticatorConformance('@ponte/auth-apikey', {
  authenticator: authenticator!,
  valid: { headers: { 'x-api-key': billing.key } },
  invalid: [
    { headers: { 'x-api-key': unknown.key } },
    { headers: { authorization: `Bearer ${unknown.key}` } },
    // The right key id with another secret.
    { headers: { 'x-api-key': billing.key.slice(0, -6) + (billing.key.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA') } },
  ],
  foreign: { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLWEtand0' } },
});
