import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import type { PonteServer } from '@ponte/core';
import type { JWK } from 'jose';

export const INFER = '/v2/models/purchase/infer';
/** A read route of the same model (model metadata). */
export const METADATA = '/v2/models/purchase';
export const INFER_BODY = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] };

export interface Answer { status: number; body: string; headers: Headers }

/** A request with an optional bearer token; the body as text, so a test can look for the token in it. */
export async function call(server: PonteServer, method: 'GET' | 'POST', path: string, token?: string, body: unknown = method === 'POST' ? INFER_BODY : undefined): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** A Ponte server with the purchase model and `@ponte/auth-jwt` with these options. */
export function serverWithJwt(options: Record<string, unknown>, baseDir?: string): Promise<PonteServer> {
  return startTestServer({
    config: { plugins: ['@ponte/onnx', { package: '@ponte/auth-jwt', options }], repository: EXAMPLE_MODELS },
    ...(baseDir === undefined ? {} : { baseDir }),
  });
}

export function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/**
 * An identity provider the test controls, on 127.0.0.1: its JWKS at
 * `/jwks.json` (the keys can change, or the endpoint can go down) and an
 * OIDC discovery document under `<url>/realms/test`. Counts JWKS fetches.
 */
export interface FakeIdentityProvider {
  url: string;
  issuer: string;
  jwksUri: string;
  keys: JWK[];
  down: boolean;
  jwksFetches: number;
  close(): Promise<void>;
}

export async function fakeIdentityProvider(keys: JWK[]): Promise<FakeIdentityProvider> {
  let server: Server;
  const idp: FakeIdentityProvider = {
    url: '', issuer: '', jwksUri: '', keys, down: false, jwksFetches: 0,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  server = createServer((req, res) => {
    if (idp.down) return void res.writeHead(503).end();
    if (req.url === '/jwks.json') {
      idp.jwksFetches++;
      return void res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: idp.keys }));
    }
    if (req.url === '/realms/test/.well-known/openid-configuration') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: idp.issuer, jwks_uri: idp.jwksUri, id_token_signing_alg_values_supported: ['ES256', 'EdDSA'] }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  idp.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.issuer = `${idp.url}/realms/test`;
  idp.jwksUri = `${idp.url}/jwks.json`;
  return idp;
}
