import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { credentials, status } from '@grpc/grpc-js';
import { definePlugin, Tokens, type Authenticator, type PeerCertificate, type PonteServer } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { GrpcTokens, type GrpcEndpoint, type ModelInferResponse } from '../src/index.js';
import { grpcAddress, OipClient, testConfig } from '../test-support/support.js';
import { issueTestCertificate, makeTestCa } from '@ponte/core/testing';

/** The certificate the gRPC port serves to a new connection, read with a bare TLS handshake (ALPN h2). */
function servedFingerprint(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2'], servername: 'localhost' }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fp);
    });
    socket.on('error', reject);
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

const ROW = [39, 52.7, 0, 3.26, 3, 365, 0, 0];
const INFER = { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: ROW } }] };
// Verify the server by its DNS name: TLS SNI may not carry an IP address.
const AS_LOCALHOST = { 'grpc.ssl_target_name_override': 'localhost' };

describe('gRPC over TLS from server.tls', () => {
  let dir: string;
  let ca: Buffer;
  const file = (name: string): Buffer => readFileSync(join(dir, name));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-grpc-tls-'));
    makeTestCa(dir, 'ca');
    makeTestCa(dir, 'other-ca');
    issueTestCertificate(dir, 'ca', 'first', '/CN=first', 'server');
    issueTestCertificate(dir, 'ca', 'second', '/CN=second', 'server');
    issueTestCertificate(dir, 'ca', 'svc-a', '/O=Acme/CN=svc-a', 'client');
    issueTestCertificate(dir, 'other-ca', 'stranger', '/CN=svc-a', 'client');
    ca = file('ca.pem');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  function serve(tls: Record<string, unknown>, builtins: Parameters<typeof startTestServer>[0]['builtins'] = []): Promise<PonteServer> {
    return startTestServer({ config: testConfig({ server: { tls } }), baseDir: dir, builtins });
  }

  it('answers ServerLive and ModelInfer over TLS; a plaintext client gets nothing', async () => {
    const server = await serve({ cert: 'first.pem', key: 'first.key' });
    const secure = new OipClient(grpcAddress(server), credentials.createSsl(ca), AS_LOCALHOST);
    const plain = new OipClient(grpcAddress(server));
    try {
      assert.equal(server.container.resolve<GrpcEndpoint>(GrpcTokens.Endpoint).tls, true);
      assert.deepEqual((await secure.call('ServerLive', {})).response, { live: true });
      const { response } = await secure.call<ModelInferResponse>('ModelInfer', INFER);
      assert.equal(response.model_name, 'purchase');
      assert.ok(response.outputs.length > 0);
      assert.equal((await plain.error('ServerLive', {}, { deadline: Date.now() + 10_000 })).code, status.UNAVAILABLE);
    } finally {
      secure.close();
      plain.close();
      await server.stop();
    }
  });

  it('serves rotated files to new connections without a restart', async () => {
    copyFileSync(join(dir, 'first.pem'), join(dir, 'live.pem'));
    copyFileSync(join(dir, 'first.key'), join(dir, 'live.key'));
    const server = await serve({ cert: 'live.pem', key: 'live.key' });
    const port = server.container.resolve<GrpcEndpoint>(GrpcTokens.Endpoint).port!;
    try {
      assert.equal(await servedFingerprint(port, ca), new X509Certificate(file('first.pem')).fingerprint256);
      copyFileSync(join(dir, 'second.key'), join(dir, 'live.key'));
      copyFileSync(join(dir, 'second.pem'), join(dir, 'live.pem'));
      const second = new X509Certificate(file('second.pem')).fingerprint256;
      await eventually('the second certificate is served', async () => (await servedFingerprint(port, ca)) === second);
      const client = new OipClient(grpcAddress(server), credentials.createSsl(ca), AS_LOCALHOST);
      try {
        assert.deepEqual((await client.call('ServerLive', {})).response, { live: true });
      } finally {
        client.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('with clientCertificates require: refuses clients without a certificate or with one from another CA, and hands a good one to authenticators', async () => {
    const peers: PeerCertificate[] = [];
    const recorder = definePlugin({
      name: 'peer-recorder',
      kind: 'auth',
      register(ctx) {
        ctx.provide<Authenticator>(Tokens.Authenticator, {
          scheme: 'peer',
          async authenticate(rc) {
            if (rc.peer === undefined) return null;
            peers.push(rc.peer);
            return { id: String(rc.peer.subject['CN']), scheme: 'peer', scopes: ['*:*'] };
          },
        });
      },
    });
    const server = await serve({ cert: 'first.pem', key: 'first.key', ca: 'ca.pem', clientCertificates: 'require' }, [recorder]);
    const withCert = new OipClient(grpcAddress(server), credentials.createSsl(ca, file('svc-a.key'), file('svc-a.pem')), AS_LOCALHOST);
    const without = new OipClient(grpcAddress(server), credentials.createSsl(ca), AS_LOCALHOST);
    const stranger = new OipClient(grpcAddress(server), credentials.createSsl(ca, file('stranger.key'), file('stranger.pem')), AS_LOCALHOST);
    try {
      const { response } = await withCert.call<ModelInferResponse>('ModelInfer', INFER);
      assert.equal(response.model_name, 'purchase');
      assert.equal(peers.length, 1);
      assert.equal(peers[0]!.subject['CN'], 'svc-a');
      assert.equal(peers[0]!.subject['O'], 'Acme');
      assert.equal(peers[0]!.authorized, true);
      assert.equal(peers[0]!.fingerprint256, new X509Certificate(file('svc-a.pem')).fingerprint256);
      assert.equal((await without.error('ServerLive', {}, { deadline: Date.now() + 10_000 })).code, status.UNAVAILABLE);
      assert.equal((await stranger.error('ServerLive', {}, { deadline: Date.now() + 10_000 })).code, status.UNAVAILABLE);
    } finally {
      withCert.close();
      without.close();
      stranger.close();
      await server.stop();
    }
  });

  it('the plugin\'s own tls option overrides server.tls, and a bad file stops the start naming it', async () => {
    await assert.rejects(
      startTestServer({ config: testConfig({ server: { tls: { cert: 'first.pem', key: 'first.key' } }, plugins: ['@ponte/onnx', '@ponte/js-model', '@ponte/validator-jsonschema', { package: '@ponte/grpc', options: { port: 0, tls: { certFile: 'first.pem', keyFile: 'second.key' } } }] }), baseDir: dir }),
      /options\.tls\.keyFile: .*second\.key is not the private key of the certificate in .*first\.pem/,
    );
  });
});
