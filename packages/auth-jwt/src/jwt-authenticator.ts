import { PonteError, type Authenticator, type Logger, type Principal, type RequestContext } from '@ponte/core';
import { errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { bearerJwt } from './bearer-jwt.js';
import { readClaim, scopesFromClaim } from './claim-scopes.js';
import { allowedAlgorithms, type JwtAuthOptions } from './jwt-options.js';
import { KeysUnavailable } from './remote-keys.js';

/** Longer than any real token (Entra ID tokens with many groups are ~6 KB); refused before any work. */
const MAX_TOKEN_LENGTH = 16_384;

/** Verified tokens remembered (a client sends the same token until it expires): a bound on memory. */
const CACHE_SIZE = 10_000;
/** How long a verified token is trusted without checking again, at most (and never past its `exp`). */
const CACHE_MS = 60_000;

/**
 * Accepts `Authorization: Bearer <JWT>`: verifies signature, algorithm,
 * `iss`, `aud`, `exp` and `nbf`, and makes the principal from the claims.
 * A bearer value that is not shaped like a JWT is not ours (null: another
 * authenticator may take it). A JWT that fails is 401 with "invalid token" or
 * "token expired" and nothing more: the caller learns neither which check
 * failed nor sees the token again; the reason is logged at debug level.
 */
export class JwtAuthenticator implements Authenticator {
  readonly scheme = 'jwt';
  private readonly verifyOptions: JWTVerifyOptions;
  /**
   * Tokens verified recently, by the token itself, until min(exp, now + 60 s):
   * a signature check (WebCrypto, asynchronous) costs more than a small
   * model's prediction, and a client repeats its token. A key removed from
   * the JWKS is therefore refused within 60 s; bounded, oldest first out.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly getKey: JWTVerifyGetKey,
    private readonly options: JwtAuthOptions,
    private readonly logger: Logger,
  ) {
    this.verifyOptions = {
      algorithms: allowedAlgorithms(options),
      clockTolerance: options.clockToleranceSeconds,
      requiredClaims: options.requireExpiry ? ['exp'] : [],
      ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
      ...(options.audience !== undefined ? { audience: options.audience } : {}),
    };
  }

  authenticate(ctx: RequestContext): Principal | null | Promise<Principal | null> {
    const token = bearerJwt(ctx.headers);
    if (token === null) return null;
    const hit = this.verified.get(token);
    if (hit !== undefined) {
      // exp is checked against the clock at every use; nbf and the signature were checked once.
      if (hit.until > Date.now()) return hit.principal;
      this.verified.delete(token);
    }
    return this.verify(ctx, token);
  }

  private async verify(ctx: RequestContext, token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw this.refuse(ctx, 'token too long');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, this.verifyOptions));
    } catch (e) {
      throw this.refuse(ctx, e);
    }
    const id = readClaim(payload, this.options.principalClaim);
    if (typeof id !== 'string' || id === '') throw this.refuse(ctx, `no string claim ${this.options.principalClaim}`);
    const principal: Principal = { id, scheme: 'jwt', scopes: scopesFromClaim(readClaim(payload, this.options.scopesClaim), this.options.scopeMap), claims: payload };
    const exp = typeof payload['exp'] === 'number' ? payload['exp'] * 1000 : Infinity;
    if (this.verified.size >= CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, until: Math.min(exp, Date.now() + CACHE_MS) });
    return principal;
  }

  private refuse(ctx: RequestContext, reason: unknown): PonteError {
    const expired = reason instanceof errors.JWTExpired;
    if (!(reason instanceof KeysUnavailable)) {
      // The code or rule, never the token: the log is read by more people than the key holders.
      const why = reason instanceof errors.JOSEError ? `${reason.code}: ${reason.message}` : reason instanceof Error ? reason.message : String(reason);
      this.logger.debug({ requestId: ctx.requestId, reason: why }, 'JWT refused');
    }
    return new PonteError('PONTE_UNAUTHENTICATED', expired ? 'token expired' : 'invalid token', { headers: { 'WWW-Authenticate': expired ? 'Bearer error="invalid_token", error_description="token expired"' : 'Bearer error="invalid_token"' } });
  }
}
