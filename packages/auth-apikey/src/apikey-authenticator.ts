import type { Authenticator, Principal, RequestContext } from '@ponte/core';
import { looksLikeKey } from './key-format.js';
import type { KeyVerifier } from './key-verifier.js';

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Reads a key from `X-API-Key: <key>` or `Authorization: Bearer <key>`. A
 * request with neither, or whose bearer token is not one of our keys (a JWT),
 * is left to the other authenticators (`null`); a key that is present but
 * unknown, wrong or revoked is `PONTE_UNAUTHENTICATED` "invalid API key".
 */
export class ApiKeyAuthenticator implements Authenticator {
  readonly scheme = 'apikey';

  constructor(private readonly verifier: KeyVerifier) {}

  /** Synchronous for a key verified before (the common case), a promise while scrypt runs. */
  authenticate(ctx: RequestContext): Principal | null | Promise<Principal | null> {
    const header = ctx.headers['x-api-key'];
    if (header !== undefined) return this.verifier.verify(header.trim());
    const authorization = ctx.headers['authorization'];
    if (authorization === undefined) return null;
    const token = authorization.startsWith('Bearer ') && authorization.indexOf(' ', 7) < 0 ? authorization.slice(7) : BEARER.exec(authorization)?.[1];
    if (token === undefined || !looksLikeKey(token)) return null;
    return this.verifier.verify(token);
  }
}
