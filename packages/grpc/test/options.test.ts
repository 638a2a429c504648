import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { credentials, status } from '@grpc/grpc-js';
import { startTestServer } from '@ponte/core/testing';
import { GrpcTokens, type GrpcEndpoint } from '../src/index.js';
import { grpcAddress, OipClient, testConfig } from '../test-support/support.js';

function grpcPlugin(options: Record<string, unknown>): Record<string, unknown> {
  return testConfig({ plugins: ['@ponte/onnx', '@ponte/js-model', '@ponte/validator-jsonschema', { package: '@ponte/grpc', options }] });
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('gRPC plugin options', () => {
  it('refuses unknown options, naming the plugin entry', async () => {
    await assert.rejects(startTestServer({ config: grpcPlugin({ port: 0, prot: 1 }) }), (e: Error) => {
      assert.match(e.message, /plugins\[3\]\.options/);
      assert.match(e.message, /prot: unknown key/);
      return true;
    });
  });

  it('port 0 binds a free port and reports it on the endpoint', async () => {
    const server = await startTestServer({ config: grpcPlugin({ port: 0 }) });
    try {
      const endpoint = server.container.resolve<GrpcEndpoint>(GrpcTokens.Endpoint);
      assert.ok(endpoint.port !== undefined && endpoint.port > 0);
      assert.equal(endpoint.address, `127.0.0.1:${endpoint.port}`);
      assert.equal(endpoint.tls, false);
    } finally {
      await server.stop();
    }
  });

  it('refuses a request larger than maxReceiveMessageBytes with RESOURCE_EXHAUSTED', async () => {
    const server = await startTestServer({ config: grpcPlugin({ port: 0, maxReceiveMessageBytes: 4096 }) });
    const client = OipClient.of(server);
    try {
      const big = { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1024, 8] }], raw_input_contents: [Buffer.alloc(1024 * 8 * 4)] };
      const e = await client.error('ModelInfer', big);
      assert.equal(e.code, status.RESOURCE_EXHAUSTED);
      const small = { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8] }], raw_input_contents: [Buffer.alloc(32)] };
      assert.equal((await client.call<{ model_name: string }>('ModelInfer', small)).response.model_name, 'purchase');
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('serves TLS with files relative to the config folder, and mutual TLS when asked', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ponte-grpc-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      // Verify the certificate by its DNS name: TLS SNI may not carry an IP address.
      const asLocalhost = { 'grpc.ssl_target_name_override': 'localhost' };
      const key = readFileSync(join(dir, 'key.pem'));

      const server = await startTestServer({ config: grpcPlugin({ port: 0, tls: { certFile: 'cert.pem', keyFile: 'key.pem' } }), baseDir: dir });
      try {
        assert.equal(server.container.resolve<GrpcEndpoint>(GrpcTokens.Endpoint).tls, true);
        const secure = new OipClient(grpcAddress(server), credentials.createSsl(cert), asLocalhost);
        const plain = new OipClient(grpcAddress(server));
        try {
          assert.deepEqual((await secure.call('ServerLive', {})).response, { live: true });
          assert.equal((await plain.error('ServerLive', {}, { deadline: Date.now() + 10_000 })).code, status.UNAVAILABLE);
        } finally {
          secure.close();
          plain.close();
        }
      } finally {
        await server.stop();
      }

      const mtls = await startTestServer({ config: grpcPlugin({ port: 0, tls: { certFile: 'cert.pem', keyFile: 'key.pem', caFile: 'cert.pem', requireClientCert: true } }), baseDir: dir });
      try {
        const withCert = new OipClient(grpcAddress(mtls), credentials.createSsl(cert, key, cert), asLocalhost);
        const withoutCert = new OipClient(grpcAddress(mtls), credentials.createSsl(cert), asLocalhost);
        try {
          assert.deepEqual((await withCert.call('ServerLive', {})).response, { live: true });
          assert.equal((await withoutCert.error('ServerLive', {}, { deadline: Date.now() + 10_000 })).code, status.UNAVAILABLE);
        } finally {
          withCert.close();
          withoutCert.close();
        }
      } finally {
        await mtls.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mutual TLS without a CA file is a config error', async () => {
    await assert.rejects(startTestServer({ config: grpcPlugin({ port: 0, tls: { certFile: 'c', keyFile: 'k', requireClientCert: true } }) }), /caFile/);
  });
});
