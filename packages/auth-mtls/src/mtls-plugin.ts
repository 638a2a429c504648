import { definePlugin, PonteError, SCOPE_PATTERN, Tokens, type Principal } from '@ponte/core';
import { dnMatches, parseDn, subjectMatches, type DnPairs, type SubjectPattern } from './subject-match.js';

/** One client, as `options.principals` lists it: a subject pattern or a whole DN, and what it may do. */
export interface MtlsPrincipalEntry {
  /** Attributes the certificate's subject must have (`{ CN: svc-a, O: Acme }`); others may be present. */
  subject?: Record<string, string>;
  /** The certificate's whole subject, `CN=svc-a,O=Acme` (attribute order does not matter). */
  dn?: string;
  /** The principal's id; default the subject's CN, else its DN. */
  id?: string;
  /** `<action>:<model>` scopes, as every auth plugin's (`infer:purchase`, `read:*`). */
  scopes: string[];
}

/** Options of `@ponte/auth-mtls`. */
export interface MtlsOptions {
  /** Clients allowed in, tried in order: the first whose pattern matches the certificate decides. */
  principals: MtlsPrincipalEntry[];
}

interface CompiledEntry {
  readonly subject?: SubjectPattern;
  readonly dn?: DnPairs;
  readonly id?: string;
  readonly scopes: readonly string[];
}

/** 401 for a verified certificate no entry maps: said without the subject, which the caller knows anyway. */
function notAllowed(): PonteError {
  return new PonteError('PONTE_UNAUTHENTICATED', 'client certificate not allowed', { headers: { 'WWW-Authenticate': 'Mtls' } });
}

/**
 * Client-certificate authentication: a TLS client certificate that the
 * listener verified against `server.tls.ca` becomes a principal with the
 * scopes of the first `principals` entry its subject matches. Requests
 * without a verified certificate are left to the next authenticator (none
 * left: 401); a verified certificate no entry maps is a 401 "client
 * certificate not allowed". Needs `server.tls.clientCertificates: request`
 * (or `require`), else no client ever presents one.
 *
 * @example
 * ```yaml
 * server: { tls: { cert: certs/server.pem, key: certs/server.key, ca: certs/clients-ca.pem, clientCertificates: request } }
 * plugins:
 *   - package: '@ponte/auth-mtls'
 *     options: { principals: [{ subject: { CN: svc-a }, scopes: ['infer:purchase'] }] }
 * ```
 */
export const mtlsAuth = definePlugin<MtlsOptions>({
  name: '@ponte/auth-mtls',
  kind: 'auth',
  core: '^0.1.0',
  description: 'Client-certificate (mTLS) authentication: a certificate subject becomes a principal with scopes',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['principals'],
    properties: {
      principals: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['scopes'],
          oneOf: [{ required: ['subject'] }, { required: ['dn'] }],
          properties: {
            subject: { type: 'object', minProperties: 1, additionalProperties: { type: 'string', minLength: 1 } },
            dn: { type: 'string', minLength: 3 },
            id: { type: 'string', minLength: 1 },
            scopes: { type: 'array', items: { type: 'string', pattern: SCOPE_PATTERN } },
          },
        },
      },
    },
  },
  register(ctx) {
    const entries: CompiledEntry[] = ctx.options.principals.map((p, i) => {
      let dn: DnPairs | undefined;
      if (p.dn !== undefined) {
        try {
          dn = parseDn(p.dn);
        } catch (e) {
          throw new PonteError('PONTE_CONFIG_INVALID', `principals[${i}].dn: ${(e as Error).message}`);
        }
      }
      return { ...(p.subject === undefined ? {} : { subject: p.subject }), ...(dn === undefined ? {} : { dn }), ...(p.id === undefined ? {} : { id: p.id }), scopes: Object.freeze([...p.scopes]) };
    });
    const tls = ctx.config.server.tls;
    if (tls === undefined || tls.clientCertificates === 'none') {
      ctx.logger.warn('server.tls.clientCertificates is not request or require: REST clients cannot present a certificate (a gRPC tls option may still ask for one)');
    }

    ctx.provide(Tokens.Authenticator, {
      scheme: 'mtls',
      async authenticate(rc): Promise<Principal | null> {
        const peer = rc.peer;
        if (peer === undefined || !peer.authorized) return null;
        const entry = entries.find((e) => (e.subject === undefined || subjectMatches(peer.subject, e.subject)) && (e.dn === undefined || dnMatches(peer.subject, e.dn)));
        if (entry === undefined) throw notAllowed();
        const cn = peer.subject['CN'];
        return {
          id: entry.id ?? (typeof cn === 'string' ? cn : peer.subjectDN),
          scheme: 'mtls',
          scopes: entry.scopes,
          claims: { subject: peer.subjectDN, fingerprint256: peer.fingerprint256 },
        };
      },
    });
  },
});
