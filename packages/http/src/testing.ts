import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createLogger, loadConfigObject, PonteServer, type Plugin } from '@ponte/core';
import { httpProtocol } from './http-plugin.js';

/** The repository root, when running from this monorepo (tests, benchmarks). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** `examples/models` of this repository: the shared models copied in as fixtures. */
export const EXAMPLE_MODELS = join(REPO_ROOT, 'examples', 'models');

export interface TestServerOptions {
  /** Config as an object; `version: 1` and `server.port: 0` are added when missing. */
  config: Record<string, unknown>;
  /** Folder relative paths in the config resolve against; default the repository root. */
  baseDir?: string;
  /** Plugins loaded before the configured ones (besides `@ponte/http`, which is always there). */
  builtins?: readonly Plugin[];
  /** Log level; default silent. */
  logLevel?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a real server, REST on an ephemeral loopback port, for tests of
 * Ponte and of plugins. Stop it with `server.stop()`.
 *
 * @example
 * ```ts
 * const server = await startTestServer({ config: { plugins: ['@ponte/onnx'], repository: 'examples/models' } });
 * const res = await fetch(`${server.url}/v2/health/ready`);
 * await server.stop();
 * ```
 */
export async function startTestServer(options: TestServerOptions): Promise<PonteServer> {
  const raw = { version: 1, ...options.config } as Record<string, unknown>;
  raw['server'] = { host: '127.0.0.1', port: 0, ...(raw['server'] as object | undefined) };
  raw['logging'] = { level: options.logLevel ?? 'silent', ...(raw['logging'] as object | undefined) };
  const loaded = loadConfigObject(raw, options.baseDir ?? REPO_ROOT, options.env ?? process.env);
  const server = await PonteServer.create(loaded, { logger: createLogger(options.logLevel ?? 'silent'), defaults: [httpProtocol, ...(options.builtins ?? [])] });
  await server.start();
  return server;
}
