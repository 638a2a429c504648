import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfigObject } from './config/config-loader.js';
import { createLogger } from './logger.js';
import { PonteError } from './errors.js';
import type { Principal } from './inference.js';
import { definePlugin, type Plugin } from './plugin.js';
import { Tokens } from './tokens.js';
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

/**
 * A stand-in auth plugin for tests: `Authorization: Bearer <token>` is the
 * principal `principals(token)` returns (scheme `bearer`); no header is not
 * recognised (the gate's 401), any other token is refused as invalid.
 *
 * @example
 * ```ts
 * const auth = bearerTestAuth((t) => (t === 'let-me-in' ? { id: 'tester', scopes: ['*:*'] } : undefined));
 * await startTestServer({ config: { plugins: ['@ponte/onnx'] }, builtins: [auth] });
 * ```
 */
export function bearerTestAuth(principals: (token: string) => Omit<Principal, 'scheme'> | undefined, name = 'test-bearer-auth'): Plugin {
  return definePlugin({
    name,
    kind: 'auth',
    register(ctx) {
      ctx.provide(Tokens.Authenticator, {
        scheme: 'bearer',
        async authenticate(req) {
          const header = req.headers['authorization'];
          if (header === undefined) return null;
          const p = header.startsWith('Bearer ') ? principals(header.slice(7)) : undefined;
          if (p === undefined) throw new PonteError('PONTE_UNAUTHENTICATED', 'invalid credentials');
          return { ...p, scheme: 'bearer' };
        },
      });
    },
  });
}

export { issueTestCertificate, makeTestCa } from './test-certificates.js';
