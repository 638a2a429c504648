import { resolve } from 'node:path';
import { ConfigError, definePlugin, Tokens } from '@ponte/core';
import type { JWTVerifyGetKey } from 'jose';
import { readJwksFile } from './jwks-file.js';
import { JwtAuthenticator } from './jwt-authenticator.js';
import { jwtOptionsSchema, keySourceKind, optionProblems, type JwtAuthOptions } from './jwt-options.js';
import { discoverJwksUri } from './oidc-discovery.js';
import { KeysUnavailable, RemoteKeys } from './remote-keys.js';
import { ThrottledWarning } from './throttled-warning.js';

export { JwtAuthenticator } from './jwt-authenticator.js';
export { bearerJwt } from './bearer-jwt.js';
export { readClaim, scopesFromClaim } from './claim-scopes.js';
export { PUBLIC_KEY_ALGORITHMS, SECRET_ALGORITHMS, type JwtAlgorithm } from './algorithms.js';
export { jwtOptionsSchema, optionProblems, type JwtAuthOptions } from './jwt-options.js';

/**
 * Authenticates callers by a JWT in `Authorization: Bearer …`: HS256/384/512
 * with a shared secret, or public-key algorithms with keys from a JWKS file, a
 * JWKS URL or an OIDC issuer's discovery document. The principal's scopes come
 * from a claim (`scope` by default), so core's scope authorizer decides.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/auth-jwt'
 *     options: { issuer: 'https://login.example.com/realms/ml', audience: ponte, scopesClaim: realm_access.roles, scopeMap: { scorer: ['infer:*'] } }
 * ```
 */
export default definePlugin<JwtAuthOptions>({
  name: '@ponte/auth-jwt',
  kind: 'auth',
  core: '^0.1.0',
  description: 'JWT / OIDC bearer tokens: HS256 secrets, JWKS files and issuer JWKS URLs, scopes from a claim',
  configSchema: jwtOptionsSchema,
  register(ctx) {
    const o = ctx.options;
    const problems = optionProblems(o);
    if (problems.length > 0) throw new ConfigError(problems);
    const kind = keySourceKind(o);
    const unavailable = new ThrottledWarning(ctx.logger);
    let getKey: JWTVerifyGetKey;
    let start: (() => Promise<void>) | undefined;

    if (kind === 'secret') {
      const secret = new TextEncoder().encode(o.secret);
      getKey = async () => secret;
    } else if (kind === 'jwksFile') {
      const file = resolve(ctx.baseDir, o.jwksFile!);
      let keys: Awaited<ReturnType<typeof readJwksFile>> | undefined;
      getKey = async (header, token) => {
        if (keys === undefined) throw new KeysUnavailable();
        return keys(header, token);
      };
      start = async () => {
        keys = await readJwksFile(file);
      };
    } else {
      const issuer = o.issuer as string;
      const jwksUri = o.jwksUri;
      const where = jwksUri ?? `${issuer} (OIDC discovery)`;
      const remote = new RemoteKeys(
        jwksUri !== undefined ? async () => new URL(jwksUri) : () => discoverJwksUri(issuer, o.jwksTimeoutMs, o.allowInsecureHttp),
        { cacheMaxAgeMs: o.jwksCacheMaxAgeSeconds * 1000, cooldownMs: o.jwksCooldownSeconds * 1000, timeoutMs: o.jwksTimeoutMs },
        (err, stale) => unavailable.warn(
          { keys: where, err: err instanceof Error ? err.message : String(err) },
          stale ? 'JWKS unavailable: verifying with the keys fetched last' : 'JWKS unavailable: JWTs are refused (401) until it answers',
        ),
      );
      getKey = remote.getKey;
      start = () => remote.warmUp();
    }

    if (o.audience === undefined) ctx.logger.warn('audience is not set: a valid token for any audience is accepted');
    ctx.provide(Tokens.Authenticator, new JwtAuthenticator(getKey, o, ctx.logger));
    return start === undefined ? undefined : { start };
  },
});
