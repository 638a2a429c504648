import type { PeerCertificate as NodePeerCertificate, TLSSocket } from 'node:tls';

/**
 * The certificate a client presented on a TLS connection, as authenticators
 * see it in `RequestContext.peer`. `authorized` says whether the TLS layer
 * verified it against `server.tls.ca`: trust its subject only when it is true.
 *
 * @example
 * ```ts
 * if (ctx.peer?.authorized && ctx.peer.subject['CN'] === 'svc-a') return { id: 'svc-a', scheme: 'mtls' };
 * ```
 */
export interface PeerCertificate {
  /** Subject attributes (`CN`, `O`, `OU` …); an attribute the subject repeats holds every value. */
  readonly subject: Readonly<Record<string, string | readonly string[]>>;
  /** The subject as one distinguished name, `CN=svc-a,O=Acme` (for logs and messages). */
  readonly subjectDN: string;
  readonly issuer: Readonly<Record<string, string | readonly string[]>>;
  /** SHA-256 fingerprint, upper-case hex pairs joined by colons. */
  readonly fingerprint256: string;
  readonly serialNumber: string;
  /** `subjectAltName` as Node gives it (`DNS:a, IP Address:127.0.0.1`), if any. */
  readonly subjectAltName?: string | undefined;
  readonly validFrom: string;
  readonly validTo: string;
  /** Whether the chain was verified against the server's CA bundle. */
  readonly authorized: boolean;
}

type Names = Readonly<Record<string, string | readonly string[]>>;

function names(given: object | undefined): Names {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(given ?? {})) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = Object.freeze(v.map(String));
  }
  return Object.freeze(out);
}

/** RFC 4514 escaping of an attribute value, so a `,` or `=` inside a value cannot fake another attribute. */
function escapeDnValue(v: string): string {
  return v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, '\\ ');
}

/** A subject as `CN=svc-a,O=Acme`, in the certificate's attribute order. */
export function distinguishedName(subject: Names): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(subject)) for (const one of typeof v === 'string' ? [v] : v) parts.push(`${k}=${escapeDnValue(one)}`);
  return parts.join(',');
}

/** Node's view of a peer certificate as Ponte's `PeerCertificate`; undefined when none was presented. */
export function toPeerCertificate(cert: NodePeerCertificate | Record<string, never> | undefined, authorized: boolean): PeerCertificate | undefined {
  if (cert === undefined || !('raw' in cert) || cert.raw === undefined) return undefined;
  const subject = names(cert.subject);
  return Object.freeze({
    subject,
    subjectDN: distinguishedName(subject),
    issuer: names(cert.issuer),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    subjectAltName: cert.subjectaltname,
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    authorized,
  });
}

// One lookup per connection: keep-alive requests on a socket share its certificate, which cannot change under TLS 1.3.
const bySocket = new WeakMap<TLSSocket, PeerCertificate | null>();

/** The client certificate of a TLS socket (cached per connection); undefined when the client sent none. */
export function peerCertificateOf(socket: TLSSocket): PeerCertificate | undefined {
  let peer = bySocket.get(socket);
  if (peer === undefined) {
    peer = toPeerCertificate(socket.getPeerCertificate(), socket.authorized) ?? null;
    bySocket.set(socket, peer);
  }
  return peer ?? undefined;
}
