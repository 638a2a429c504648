import type { PeerCertificate, RequestContext } from '@ponte/core';

/** What a request carries for an authenticator: lower-cased headers (or gRPC metadata) and the TLS client certificate. */
export interface Credentials {
  headers?: Readonly<Record<string, string>>;
  peer?: PeerCertificate;
}

let next = 0;

/**
 * A `RequestContext` as core builds one for a REST request, for calling an
 * extension point directly: header names are lower-cased as protocols do.
 *
 * @example
 * ```ts
 * const principal = await authenticator.authenticate(testContext({ headers: { authorization: 'Bearer t0ken' } }));
 * ```
 */
export function testContext(credentials: Credentials = {}, endpoint = 'infer'): RequestContext {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(credentials.headers ?? {})) headers[k.toLowerCase()] = v;
  const now = Date.now();
  return {
    requestId: `conformance-${++next}`,
    protocol: 'rest',
    endpoint,
    headers,
    peer: credentials.peer,
    startedAt: now,
    deadline: now + 60_000,
    observerMask: 0,
    attributes: new Map(),
  };
}
