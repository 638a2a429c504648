import { startTestServer as startCoreTestServer, type TestServerOptions } from '@ponte/core/testing';
import type { PonteServer } from '@ponte/core';
import { httpProtocol } from './http-plugin.js';

export { bearerTestAuth, EXAMPLE_MODELS, REPO_ROOT, type TestServerOptions } from '@ponte/core/testing';

/**
 * Starts a real server, REST on an ephemeral loopback port, for tests of
 * Ponte and of plugins: core's `startTestServer` with `@ponte/http` loaded.
 * Stop it with `server.stop()`.
 *
 * @example
 * ```ts
 * const server = await startTestServer({ config: { plugins: ['@ponte/onnx'], repository: 'examples/models' } });
 * const res = await fetch(`${server.url}/v2/health/ready`);
 * await server.stop();
 * ```
 */
export function startTestServer(options: TestServerOptions): Promise<PonteServer> {
  return startCoreTestServer({ ...options, builtins: [httpProtocol, ...(options.builtins ?? [])] });
}
