/**
 * The authorisation matrix: every route of every loaded plugin — REST from
 * the route table, gRPC from the inference service's handlers — crossed with
 * every kind of credential a caller may send: none, malformed, unknown,
 * revoked, forged or misdirected ones (401 / UNAUTHENTICATED, never echoed),
 * valid ones without the route's scope (403 / PERMISSION_DENIED), and valid
 * ones holding exactly the route's scope (past the gate, no 5xx). Health
 * probes stay open whatever is sent. The matrix is generated from the route
 * tables, so a route a plugin adds later is covered with no edit here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials as grpcCredentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { createKey, type CreatedKey } from '@ponte/auth-apikey';
import { definePlugin, type PonteServer } from '@ponte/core';
import { GrpcTokens, loadInferenceProto } from '@ponte/grpc';
import { HttpTokens, jsonAnswer, type HttpRoute } from '@ponte/http';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import {
  concretePath, grantingScope, grpcMatrix, grpcMethodTable, inParallel, JwtSigner, lackingScopes, MODEL, needId, restMatrix, restNeed,
  type Credential, type CredentialKind, type GrpcMethod, type MatrixCase, type Need,
} from './support/auth-matrix.js';

const ISSUER = 'https://idp.matrix.test';
const AUDIENCE = 'ponte';
const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];
const INFER_BODY = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: ROW }] };

/** A plugin this test knows nothing about beyond its routes: admin routes, one per model, one server-wide. */
const extraRoutes = definePlugin({
  name: 'matrix-extra-routes',
  kind: 'other',
  dependsOn: ['@ponte/http'],
  register(ctx) {
    const table = ctx.resolve(HttpTokens.Routes);
    table.add({ method: 'POST', path: '/v2/models/{name}/audit-trail', name: 'audit_trail', action: 'admin', respond: (x) => jsonAnswer({ model: x.params['name'] }) }, ctx.name);
    table.add({ method: 'DELETE', path: '/v2/admin/cache', name: 'admin_cache', action: 'admin', respond: () => jsonAnswer({ cleared: true }) }, ctx.name);
  },
});

let dir: string;
let server: PonteServer;
let routes: readonly HttpRoute[];
let grpcMethods: GrpcMethod[];
let kinds: CredentialKind[];
let predictionId = '0190f2a0-0000-7000-8000-000000000000';

const signer = new JwtSigner(ISSUER, AUDIENCE);
const now = (): number => Math.floor(Date.now() / 1000);

/** Writes the keys file as an operator should: a temp file renamed over the old one. */
function writeKeys(keys: readonly CreatedKey[]): void {
  const tmp = join(dir, 'keys.json.tmp');
  writeFileSync(tmp, JSON.stringify(keys.map(({ id, hash, scopes }) => ({ id, hash, scopes }))));
  renameSync(tmp, join(dir, 'keys.json'));
}

function bearer(token: string): Credential {
  return { headers: { authorization: `Bearer ${token}` }, secrets: secretsOf(token) };
}

/** The strings no refusal may repeat: the whole credential, and a JWT's signature on its own. */
function secretsOf(token: string): string[] {
  const parts = token.split('.');
  return [token, ...(parts.length === 3 && parts[2]!.length > 0 ? [parts[2]!] : [])];
}

function refused(name: string, credential: Credential): CredentialKind {
  return { name, expect: 'unauthenticated', credential: () => credential };
}

async function get(path: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${server.url}${path}`, { headers });
  await res.arrayBuffer();
  return res.status;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ponte-auth-matrix-'));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(signer.jwks()));
  const [admin, revoked, stranger] = await Promise.all([
    createKey({ id: 'matrix-admin', scopes: ['*:*'] }),
    createKey({ id: 'soon-revoked', scopes: ['*:*'] }),
    createKey({ id: 'never-configured', scopes: ['*:*'] }),
  ]);
  writeKeys([admin!, revoked!]);
  server = await startTestServer({
    baseDir: dir,
    config: {
      repository: EXAMPLE_MODELS,
      plugins: [
        '@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi', '@ponte/exporter-prometheus',
        { package: '@ponte/grpc', options: { port: 0 } },
        { package: '@ponte/store-sqlite', options: { file: join(dir, 'predictions.db') } },
        // No profile for the example models: it warns, and its route answers 404 past the gate.
        '@ponte/monitor',
        { package: '@ponte/auth-apikey', options: { keysFile: 'keys.json', pollIntervalMs: 100 } },
        { package: '@ponte/auth-jwt', options: { jwksFile: 'jwks.json', issuer: ISSUER, audience: AUDIENCE } },
      ],
    },
    builtins: [extraRoutes],
  });
  routes = server.container.resolve<{ list(): readonly HttpRoute[] }>(HttpTokens.Routes).list();
  grpcMethods = await grpcMethodTable();

  // The key to be revoked works, so its refusal below is the revocation's doing.
  assert.equal(await get(`/v2/models/${MODEL}`, { authorization: `Bearer ${revoked!.key}` }), 200);

  // A key per need the tables hold: one with exactly the scope, one with every scope but it.
  const needs = new Map<string, Need>();
  for (const n of [...routes.map(restNeed), ...grpcMethods.map((m) => ({ action: m.action, model: m.model }))]) {
    if (n.action !== 'public') needs.set(needId(n), n);
  }
  const made = await inParallel([...needs.values()], 2, async (n) => ({
    id: needId(n),
    granting: await createKey({ id: `ok-${needId(n)}`, scopes: [grantingScope(n)] }),
    lacking: await createKey({ id: `no-${needId(n)}`, scopes: lackingScopes(n) }),
  }));
  const keys = new Map(made.map((m) => [m.id, m]));
  // A public route needs no scope: any valid key will do for its "valid" columns.
  const keyFor = (need: Need): { granting: CreatedKey; lacking: CreatedKey } => keys.get(needId(need)) ?? made[0]!;
  writeKeys([admin!, ...made.flatMap((m) => [m.granting, m.lacking])]);
  await until('the keys file is reloaded, the revoked key gone', async () =>
    (await get(`/v2/models/${MODEL}`, { authorization: `Bearer ${revoked!.key}` })) === 401
    && (await get(`/v2/models/${MODEL}`, { authorization: `Bearer ${made[0]!.granting.key}` })) !== 401);

  // A logged prediction, for the routes that take a prediction id.
  const res = await fetch(`${server.url}/v2/models/${MODEL}/infer`, { method: 'POST', headers: { authorization: `Bearer ${admin!.key}`, 'content-type': 'application/json' }, body: JSON.stringify(INFER_BODY) });
  assert.equal(res.status, 200, await res.text());
  predictionId = res.headers.get('x-prediction-id') ?? predictionId;

  const forgedSecret = `pnt_matrix-admin_${randomBytes(32).toString('base64url')}`;
  const allScopes = signer.claims('*:*');
  kinds = [
    refused('no credential', { headers: {}, secrets: [] }),
    refused('malformed: Bearer with garbage', { headers: { authorization: 'Bearer %%not-a-token%%' }, secrets: ['%%not-a-token%%'] }),
    refused('malformed: Bearer with nothing', { headers: { authorization: 'Bearer' }, secrets: [] }),
    refused('malformed: Basic', { headers: { authorization: 'Basic bWF0cml4OmhvcnNlYmF0dGVyeQ==' }, secrets: ['bWF0cml4OmhvcnNlYmF0dGVyeQ==', 'horsebattery'] }),
    refused('malformed: empty X-API-Key', { headers: { 'x-api-key': '' }, secrets: [] }),
    refused('malformed: JWT-shaped garbage', bearer('eyJub3QiOiJqc29u.bm90LWpzb24.c2lnbmF0dXJlLWhlcmU')),
    refused('unknown API key', bearer(stranger!.key)),
    refused('API key with a forged secret', bearer(forgedSecret)),
    refused('revoked API key', bearer(revoked!.key)),
    refused('expired JWT', bearer(signer.sign(signer.claims('*:*', { iat: now() - 7200, exp: now() - 3600 })))),
    refused('JWT with alg none', bearer(signer.unsigned(allScopes))),
    refused('HS256 JWT signed with the RSA public key', bearer(signer.hmacWithPublicKey(allScopes))),
    refused('JWT with a tampered payload', bearer(signer.tampered(signer.claims('read:house'), allScopes))),
    refused('JWT for another audience', bearer(signer.sign(signer.claims('*:*', { aud: 'another-api' })))),
    { name: 'API key without the scope', expect: 'forbidden', credential: (n) => bearer(keyFor(n).lacking.key) },
    { name: 'JWT without the scope', expect: 'forbidden', credential: (n) => bearer(signer.sign(signer.claims(lackingScopes(n).join(' ')))) },
    { name: 'API key with the scope (Bearer)', expect: 'allowed', credential: (n) => bearer(keyFor(n).granting.key) },
    { name: 'API key with the scope (X-API-Key)', expect: 'allowed', credential: (n) => ({ headers: { 'x-api-key': keyFor(n).granting.key }, secrets: [keyFor(n).granting.key] }) },
    { name: 'JWT with the scope', expect: 'allowed', credential: (n) => bearer(signer.sign(signer.claims(grantingScope(n)))) },
  ];
});

after(async () => {
  await server?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A body good enough for the route to get past decoding, where that is easy; the gate is the point. */
function bodyFor(route: HttpRoute): string | undefined {
  if (route.method === 'GET' || route.method === 'DELETE') return undefined;
  if (route.path.endsWith('/infer')) return JSON.stringify(INFER_BODY);
  if (route.path.endsWith(':predict')) return JSON.stringify({ instances: [ROW] });
  if (route.path.endsWith('/feedback')) return JSON.stringify([{ id: predictionId, label: 1 }]);
  return '{}';
}

function leaks(text: string, secrets: readonly string[]): string | undefined {
  return secrets.find((s) => s.length >= 4 && text.includes(s));
}

/** What a cell answered (a status), and what went wrong (undefined: it answered as it must). */
interface CellResult {
  readonly answer: string;
  readonly failure: string | undefined;
}

/** How the answers of the cells past the gate spread (`allowed 200: 66`), for the diagnostics. */
function spread(cells: readonly MatrixCase<unknown>[], results: readonly CellResult[]): string {
  const counts = new Map<string, number>();
  cells.forEach((c, i) => {
    if (c.expected !== 'allowed' && c.expected !== 'public') return;
    const k = `${c.expected} ${results[i]!.answer}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  return [...counts].map(([k, n]) => `${k}: ${n}`).sort().join(', ');
}

/** One REST cell. */
async function restCell(c: MatrixCase<HttpRoute>): Promise<CellResult> {
  const route = c.target;
  const path = concretePath(route.path, { name: MODEL, version: '1', id: predictionId, file: 'swagger-ui.css' });
  const credential = c.kind.credential(c.need);
  const body = bodyFor(route);
  const res = await fetch(`${server.url}${path}`, {
    method: route.method,
    headers: { ...credential.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { answer: String(res.status), failure: restFailure(c, res, text, credential) };
}

function restFailure(c: MatrixCase<HttpRoute>, res: Response, text: string, credential: Credential): string | undefined {
  const route = c.target;
  const where = `${route.method} ${route.path} × ${c.kind.name} (expected ${c.expected}): ${res.status} ${text.slice(0, 200)}`;
  const gate = res.status === 401 || res.status === 403;
  switch (c.expected) {
    case 'public':
    case 'allowed':
      if (gate || res.status >= 500) return where;
      return undefined;
    case 'unauthenticated':
    case 'forbidden': {
      const want = c.expected === 'unauthenticated' ? [401, 'PONTE_UNAUTHENTICATED'] : [403, 'PONTE_FORBIDDEN'];
      if (res.status !== want[0]) return where;
      let code: unknown;
      try {
        code = (JSON.parse(text) as { code?: unknown }).code;
      } catch {
        return `${where} — body is not JSON`;
      }
      if (code !== want[1]) return `${where} — code ${String(code)}`;
      if (c.expected === 'unauthenticated' && !/^Bearer\b/.test(res.headers.get('www-authenticate') ?? '')) return `${where} — WWW-Authenticate ${res.headers.get('www-authenticate')}`;
      const leaked = leaks(text + JSON.stringify([...res.headers]), credential.secrets);
      if (leaked !== undefined) return `${where} — the answer repeats the credential`;
      return undefined;
    }
  }
}

/** The statuses a call that passed the gate must not end with: the server failing. */
const GRPC_SERVER_FAILURES = new Set<number>([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS, status.UNIMPLEMENTED]);

function grpcRequest(method: string): unknown {
  if (method === 'ModelInfer') return { model_name: MODEL, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: ROW } }] };
  return { name: MODEL };
}

/** One gRPC cell. */
async function grpcCell(client: InstanceType<ReturnType<typeof loadInferenceProto>['Client']>, c: MatrixCase<GrpcMethod>): Promise<CellResult> {
  const credential = c.kind.credential(c.need);
  const md = new Metadata();
  for (const [k, v] of Object.entries(credential.headers)) md.set(k, v);
  const err = await new Promise<ServiceError | null>((resolve) => {
    const fn = (client as unknown as Record<string, (req: unknown, md: Metadata, opts: object, cb: (e: ServiceError | null) => void) => void>)[c.target.method]!;
    fn.call(client, grpcRequest(c.target.method), md, { deadline: Date.now() + 30_000 }, (e) => resolve(e));
  });
  const code = err?.code ?? status.OK;
  return { answer: status[code] ?? String(code), failure: grpcFailure(c, code, err, credential) };
}

function grpcFailure(c: MatrixCase<GrpcMethod>, code: number, err: ServiceError | null, credential: Credential): string | undefined {
  const where = `gRPC ${c.target.method} × ${c.kind.name} (expected ${c.expected}): ${status[code]} ${err?.details ?? ''}`;
  switch (c.expected) {
    case 'public':
    case 'allowed':
      if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED || GRPC_SERVER_FAILURES.has(code)) return where;
      return undefined;
    case 'unauthenticated':
    case 'forbidden': {
      if (code !== (c.expected === 'unauthenticated' ? status.UNAUTHENTICATED : status.PERMISSION_DENIED)) return where;
      const leaked = leaks(`${err?.details ?? ''} ${err?.message ?? ''} ${JSON.stringify(err?.metadata?.getMap() ?? {})}`, credential.secrets);
      if (leaked !== undefined) return `${where} — the status repeats the credential`;
      return undefined;
    }
  }
}

test('the matrix is generated from the route tables: every route and method × every credential kind', () => {
  const rest = restMatrix(routes, kinds);
  assert.equal(rest.length, routes.length * kinds.length);
  for (const r of routes) assert.equal(rest.filter((c) => c.target === r).length, kinds.length, `${r.method} ${r.path}`);

  // The extra plugin's routes are in the table, hence in the matrix, with the action they declared.
  for (const path of ['/v2/models/{name}/audit-trail', '/v2/admin/cache']) {
    const cells = rest.filter((c) => c.target.path === path);
    assert.equal(cells.length, kinds.length, path);
    assert.ok(cells.every((c) => c.need.action === 'admin' && c.expected !== 'public'), path);
  }
  // A route added to the table adds its row, with nothing else to change.
  const later: HttpRoute = { method: 'GET', path: '/v2/models/{name}/lineage', name: 'lineage', action: 'explain', respond: () => jsonAnswer({}) };
  const grown = restMatrix([...routes, later], kinds);
  assert.equal(grown.length - rest.length, kinds.length);
  assert.deepEqual(grown.filter((c) => c.target === later).map((c) => c.expected), kinds.map((k) => k.expect));

  // gRPC: every method of the proto, classified by its own handler.
  const proto = Object.keys(loadInferenceProto().service);
  assert.deepEqual(grpcMethods.map((m) => m.method), proto);
  assert.equal(grpcMatrix(grpcMethods, kinds).length, proto.length * kinds.length);
  const byName = new Map(grpcMethods.map((m) => [m.method, m]));
  assert.deepEqual(byName.get('ServerLive'), { method: 'ServerLive', action: 'public', model: undefined });
  assert.deepEqual(byName.get('ServerMetadata'), { method: 'ServerMetadata', action: 'read', model: undefined });
  assert.deepEqual(byName.get('ModelInfer'), { method: 'ModelInfer', action: 'infer', model: MODEL });

  // Every kind the issue names is a column, and the routes of every loaded plugin are rows.
  const names = kinds.map((k) => k.name);
  for (const n of ['no credential', 'unknown API key', 'revoked API key', 'expired JWT', 'JWT with alg none', 'HS256 JWT signed with the RSA public key', 'JWT with a tampered payload', 'JWT for another audience', 'API key without the scope', 'JWT without the scope', 'API key with the scope (Bearer)', 'JWT with the scope']) assert.ok(names.includes(n), n);
  assert.ok(names.filter((n) => n.startsWith('malformed:')).length >= 3);
  const paths = new Set(routes.map((r) => `${r.method} ${r.path}`));
  for (const p of ['POST /v2/models/{name}/infer', 'GET /openapi.json', 'GET /metrics', 'GET /v2/models/{name}/predictions', 'GET /v2/models/{name}/monitoring', 'GET /v2/health/ready']) assert.ok(paths.has(p), p);
});

test('REST: every route × every credential answers exactly 401, 403 or past the gate; refusals never repeat the credential', async (t) => {
  const cells = restMatrix(routes, kinds);
  const results = await inParallel(cells, 8, restCell);
  const failures = results.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
  t.diagnostic(`${cells.length} REST cells: ${routes.length} routes × ${kinds.length} credential kinds; past the gate: ${spread(cells, results)}`);
  assert.deepEqual(failures, []);
});

test('gRPC: every method × every credential answers exactly UNAUTHENTICATED, PERMISSION_DENIED or past the gate', async (t) => {
  const address = server.container.resolve<{ address: string }>(GrpcTokens.Endpoint).address;
  const { Client } = loadInferenceProto();
  const client = new Client(address, grpcCredentials.createInsecure());
  try {
    const cells = grpcMatrix(grpcMethods, kinds);
    const results = await inParallel(cells, 8, (c) => grpcCell(client, c));
    const failures = results.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
    t.diagnostic(`${cells.length} gRPC cells: ${grpcMethods.length} methods × ${kinds.length} credential kinds; past the gate: ${spread(cells, results)}`);
    assert.deepEqual(failures, []);
  } finally {
    client.close();
  }
});
