import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfigObject } from './config/config-loader.js';
import { createLogger } from './logger.js';
import type { Plugin } from './plugin.js';
import { PonteServer } from './server.js';

/** The repository root, when running from this monorepo (tests, benchmarks). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** `examples/models` of this repository: the shared models copied in as fixtures. */
export const EXAMPLE_MODELS = join(REPO_ROOT, 'examples', 'models');

export interface TestServerOptions {
  /** Config as an object; `version: 1` and `server.port: 0` on 127.0.0.1 are added when missing. */
  config: Record<string, unknown>;
  /** Folder relative paths in the config resolve against; default the repository root. */
  baseDir?: string;
  /** Plugins loaded unless the config lists one of the same name (test plugins, a protocol). */
  builtins?: readonly Plugin[];
  /** Log level; default silent. */
  logLevel?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a real server for tests of Ponte and of plugins, with the protocols
 * its config lists (`@ponte/http/testing` adds REST). Stop it with `server.stop()`.
 *
 * @example
 * ```ts
 * const server = await startTestServer({ config: { plugins: ['@ponte/onnx', { package: '@ponte/grpc', options: { port: 0 } }], repository: EXAMPLE_MODELS } });
 * await server.stop();
 * ```
 */
export async function startTestServer(options: TestServerOptions): Promise<PonteServer> {
  const raw = { version: 1, ...options.config } as Record<string, unknown>;
  raw['server'] = { host: '127.0.0.1', port: 0, ...(raw['server'] as object | undefined) };
  raw['logging'] = { level: options.logLevel ?? 'silent', ...(raw['logging'] as object | undefined) };
  const loaded = loadConfigObject(raw, options.baseDir ?? REPO_ROOT, options.env ?? process.env);
  const server = await PonteServer.create(loaded, { logger: createLogger(options.logLevel ?? 'silent'), defaults: options.builtins ?? [] });
  await server.start();
  return server;
}
