import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';
import { dnMatches, parseDn, subjectMatches } from '../src/index.js';
import { issueTestCertificate, makeTestCa } from '@ponte/core/testing';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: { error?: string; code?: string } & Record<string, unknown> }

const ROW = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };

describe('client certificates as credentials (@ponte/auth-mtls)', () => {
  let dir: string;
  const file = (name: string): Buffer => readFileSync(join(dir, name));

  /** One HTTPS request on a new connection, presenting `client`'s certificate when given. */
  function call(server: PonteServer, path: string, client?: string, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const tls = client === undefined ? {} : { cert: file(`${client}.pem`), key: file(`${client}.key`) };
      const req = request(`${server.url}${path}`, { method: body === undefined ? 'GET' : 'POST', ca: file('ca.pem'), agent: false, ...tls }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Answer['body'] }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  function serve(clientCertificates: 'request' | 'require'): Promise<PonteServer> {
    return startTestServer({
      config: {
        plugins: ['@ponte/onnx', {
          package: '@ponte/auth-mtls',
          options: {
            principals: [
              { subject: { CN: 'svc-a', O: 'Acme' }, scopes: ['infer:purchase'] },
              { dn: 'O=Acme, CN=reporting', id: 'reports', scopes: ['read:*'] },
            ],
          },
        }],
        repository: EXAMPLE_MODELS,
        models: [{ name: 'purchase' }],
        server: { tls: { cert: 'server.pem', key: 'server.key', ca: 'ca.pem', clientCertificates } },
      },
      baseDir: dir,
    });
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-mtls-'));
    makeTestCa(dir, 'ca');
    makeTestCa(dir, 'other-ca');
    issueTestCertificate(dir, 'ca', 'server', '/CN=localhost', 'server');
    issueTestCertificate(dir, 'ca', 'svc-a', '/O=Acme/OU=payments/CN=svc-a', 'client');
    issueTestCertificate(dir, 'ca', 'reporting', '/O=Acme/CN=reporting', 'client');
    issueTestCertificate(dir, 'ca', 'nobody', '/O=Elsewhere/CN=nobody', 'client');
    issueTestCertificate(dir, 'other-ca', 'stranger', '/O=Acme/CN=svc-a', 'client');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('with clientCertificates: request', () => {
    let server: PonteServer;
    before(async () => { server = await serve('request'); });
    after(async () => { await server?.stop(); });

    it('a mapped certificate is a principal: svc-a may infer on purchase', async () => {
      const res = await call(server, '/v1/models/purchase:predict', 'svc-a', { instances: [ROW] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((res.body['predictions'] as unknown[]).length, 1);
    });

    it('its scopes are enforced: svc-a may not read metadata (403); the reporting client, mapped by DN, may', async () => {
      const denied = await call(server, '/v2/models/purchase', 'svc-a');
      assert.equal(denied.status, 403);
      assert.equal(denied.body.code, 'PONTE_FORBIDDEN');
      assert.equal((await call(server, '/v2/models/purchase', 'reporting')).status, 200);
      assert.equal((await call(server, '/v1/models/purchase:predict', 'reporting', { instances: [ROW] })).status, 403);
    });

    it('a verified certificate that no entry maps is 401 "client certificate not allowed"', async () => {
      const res = await call(server, '/v1/models/purchase:predict', 'nobody', { instances: [ROW] });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'PONTE_UNAUTHENTICATED');
      assert.equal(res.body.error, 'client certificate not allowed');
    });

    it('no certificate, or one from another CA (same subject), carries no credentials: 401 with a challenge', async () => {
      for (const client of [undefined, 'stranger']) {
        const res = await call(server, '/v1/models/purchase:predict', client, { instances: [ROW] });
        assert.equal(res.status, 401, `client ${client}`);
        assert.match(res.body.error ?? '', /credentials required \(mtls\)/);
        assert.ok(res.headers['www-authenticate']);
      }
    });

    it('public routes need no certificate', async () => {
      assert.equal((await call(server, '/v2/health/live')).status, 200);
    });
  });

  describe('with clientCertificates: require', () => {
    let server: PonteServer;
    before(async () => { server = await serve('require'); });
    after(async () => { await server?.stop(); });

    it('a client without a certificate, or with one from another CA, is refused during the handshake', async () => {
      await assert.rejects(call(server, '/v2/health/live'));
      await assert.rejects(call(server, '/v2/health/live', 'stranger'));
    });

    it('a mapped certificate still answers 200', async () => {
      assert.equal((await call(server, '/v1/models/purchase:predict', 'svc-a', { instances: [ROW] })).status, 200);
    });
  });

  it('a malformed dn or an entry with neither subject nor dn is refused at start, naming it', async () => {
    const start = (principals: unknown): Promise<PonteServer> => startTestServer({ config: { plugins: [{ package: '@ponte/auth-mtls', options: { principals } }] } });
    await assert.rejects(start([{ dn: 'CN=a,garbage', scopes: [] }]), /principals\[0\]\.dn: "garbage" is not ATTRIBUTE=value/);
    await assert.rejects(start([{ scopes: ['infer:*'] }]), /principals\[0\]\.subject: is required/);
    await assert.rejects(start([{ subject: { CN: 'a' }, scopes: ['fly:*'] }]), /principals\[0\]\.scopes\[0\]/);
  });
});

describe('subject matching', () => {
  const subject = { C: 'DE', O: 'Acme, Inc', OU: ['payments', 'ops'], CN: 'svc-a' };

  it('a subject pattern needs each listed attribute, others may be present', () => {
    assert.equal(subjectMatches(subject, { CN: 'svc-a' }), true);
    assert.equal(subjectMatches(subject, { CN: 'svc-a', OU: 'ops' }), true);
    assert.equal(subjectMatches(subject, { CN: 'svc-a', O: 'Acme' }), false);
    assert.equal(subjectMatches(subject, { cn: 'svc-a' }), false);
  });

  it('a DN must be the whole subject, in any order, with RFC 4514 escapes', () => {
    assert.deepEqual(parseDn('CN=svc-a, O=Acme\\, Inc'), [['CN', 'svc-a'], ['O', 'Acme, Inc']]);
    assert.equal(dnMatches(subject, parseDn('CN=svc-a,OU=ops,OU=payments,O=Acme\\, Inc,C=DE')), true);
    assert.equal(dnMatches(subject, parseDn('CN=svc-a,O=Acme\\, Inc,C=DE')), false);
    assert.throws(() => parseDn('CN=a,b'), /"b" is not ATTRIBUTE=value/);
  });
});
