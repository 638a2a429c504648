import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { issueTestCertificate, makeTestCa } from '@ponte/core/testing';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';

function fingerprint(file: string): string {
  return new X509Certificate(readFileSync(file)).fingerprint256;
}

interface Answer { status: number; body: string; fingerprint256: string }

/** One HTTPS request on a new connection (no agent), so it sees the certificate served now. */
function call(url: string, ca: Buffer, init: { method?: string; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', ca, agent: false, headers: init.body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      const fp = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, fingerprint256: fp }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

const ROW = { age: 39, income: 52.7, visits_last_30d: 0, avg_session_minutes: 3.26, pages_viewed: 3, days_since_last_purchase: 365, cart_items: 0, is_returning: 0 };

describe('HTTPS from server.tls', () => {
  let dir: string;
  let ca: Buffer;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-https-'));
    makeTestCa(dir, 'ca');
    issueTestCertificate(dir, 'ca', 'first', '/CN=first', 'server');
    issueTestCertificate(dir, 'ca', 'second', '/CN=second', 'server');
    issueTestCertificate(dir, 'ca', 'third', '/CN=third', 'server');
    ca = readFileSync(join(dir, 'ca.pem'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  function serve(files: { cert: string; key: string }, extra: Record<string, unknown> = {}): Promise<PonteServer> {
    return startTestServer({ config: { plugins: ['@ponte/onnx'], repository: EXAMPLE_MODELS, models: [{ name: 'purchase' }], server: { tls: files, ...extra } }, baseDir: dir });
  }

  it('serves the purchase model over HTTPS, and plain HTTP on that port fails', async () => {
    const server = await serve({ cert: 'first.pem', key: 'first.key' });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await call(`${server.url}/v1/models/purchase:predict`, ca, { method: 'POST', body: JSON.stringify({ instances: [ROW] }) });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.fingerprint256, fingerprint(join(dir, 'first.pem')));
      const body = JSON.parse(res.body) as { predictions: Array<{ label: string }> };
      assert.equal(body.predictions.length, 1);

      await assert.rejects(fetch(server.url.replace('https:', 'http:') + '/v2/health/live', { signal: AbortSignal.timeout(10_000) }));
    } finally {
      await server.stop();
    }
  });

  it('picks up rotated files for new connections without a restart, and keeps the old pair when the new one is bad', async () => {
    copyFileSync(join(dir, 'first.pem'), join(dir, 'live.pem'));
    copyFileSync(join(dir, 'first.key'), join(dir, 'live.key'));
    const server = await serve({ cert: 'live.pem', key: 'live.key' });
    const served = async (): Promise<string> => (await call(`${server.url}/v2/health/live`, ca)).fingerprint256;
    try {
      assert.equal(await served(), fingerprint(join(dir, 'first.pem')));

      // A rotation: both files replaced.
      copyFileSync(join(dir, 'second.pem'), join(dir, 'live.pem'));
      copyFileSync(join(dir, 'second.key'), join(dir, 'live.key'));
      const second = fingerprint(join(dir, 'second.pem'));
      await eventually('the second certificate is served', async () => (await served()) === second);

      // A rotation caught halfway (new certificate, old key), then a file that is not PEM: the second pair stays.
      copyFileSync(join(dir, 'third.pem'), join(dir, 'live.pem'));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await served(), second);
      writeFileSync(join(dir, 'live.pem'), 'not a certificate\n');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await served(), second);
      const res = await call(`${server.url}/v1/models/purchase:predict`, ca, { method: 'POST', body: JSON.stringify({ instances: [ROW] }) });
      assert.equal(res.status, 200);

      // The rotation completes: the watcher is still there and takes it.
      copyFileSync(join(dir, 'third.pem'), join(dir, 'live.pem'));
      copyFileSync(join(dir, 'third.key'), join(dir, 'live.key'));
      const third = fingerprint(join(dir, 'third.pem'));
      await eventually('the third certificate is served', async () => (await served()) === third);
    } finally {
      await server.stop();
    }
  });

  it('refuses to start on unreadable, malformed or mismatched files, naming the key and the file', async () => {
    writeFileSync(join(dir, 'garbage.pem'), 'hello\n');
    const cases: Array<[{ cert: string; key: string }, RegExp]> = [
      [{ cert: 'missing.pem', key: 'first.key' }, /server\.tls\.cert: cannot read .*missing\.pem \(ENOENT\)/],
      [{ cert: 'garbage.pem', key: 'first.key' }, /server\.tls\.cert: .*garbage\.pem holds no PEM certificate/],
      [{ cert: 'first.pem', key: 'garbage.pem' }, /server\.tls\.key: .*garbage\.pem holds no usable PEM private key/],
      [{ cert: 'first.pem', key: 'second.key' }, /server\.tls\.key: .*second\.key is not the private key of the certificate in .*first\.pem/],
    ];
    for (const [files, message] of cases) {
      await assert.rejects(serve(files), (e: Error) => {
        assert.match(e.message, message);
        return true;
      });
    }
  });

  it('a client-certificate mode without a CA is a config error', async () => {
    await assert.rejects(
      startTestServer({ config: { server: { tls: { cert: 'first.pem', key: 'first.key', clientCertificates: 'require' } } }, baseDir: dir }),
      /server\.tls.*ca/,
    );
  });
});
