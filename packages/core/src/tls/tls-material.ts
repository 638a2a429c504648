import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { PonteError } from '../errors.js';

/** Whether a TLS listener asks clients for a certificate: never, when they have one, or always. */
export type ClientCertificateMode = 'none' | 'request' | 'require';

/**
 * TLS files of a listener, as absolute paths, and the config path they were
 * written at (`server.tls`, `plugins[1].options.tls`) so errors can name it.
 */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string | undefined;
  readonly clientCertificates: ClientCertificateMode;
  /** Config path of the section, for messages: `server.tls`. */
  readonly where: string;
  /** Key names in that section, when they differ from `cert`, `key`, `ca` (gRPC's `certFile` …). */
  readonly keys?: { readonly cert: string; readonly key: string; readonly ca: string };
}

/**
 * A certificate, its key and the client CA bundle, read and checked together:
 * the PEM parses, the key belongs to the certificate and Node accepts the
 * three as a secure context.
 */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer | undefined;
  /** SHA-256 fingerprint of the server certificate (as `PeerCertificate.fingerprint256`). */
  readonly fingerprint256: string;
  readonly subject: string;
  readonly validTo: string;
  /** Hash of the three files' bytes: a reload that reads the same bytes changes nothing. */
  readonly digest: string;
}

/** Resolves a TLS section's paths against the config folder. */
export function tlsFiles(section: { cert: string; key: string; ca?: string | undefined; clientCertificates?: ClientCertificateMode | undefined }, baseDir: string, where: string, keys?: TlsFiles['keys']): TlsFiles {
  return {
    cert: resolve(baseDir, section.cert),
    key: resolve(baseDir, section.key),
    ca: section.ca === undefined ? undefined : resolve(baseDir, section.ca),
    clientCertificates: section.clientCertificates ?? 'none',
    where,
    ...(keys === undefined ? {} : { keys }),
  };
}

/** The options of `tls.createSecureContext` / `server.setSecureContext` for this material. */
export function secureContextOptions(m: TlsMaterial): SecureContextOptions {
  return m.ca === undefined ? { cert: m.cert, key: m.key } : { cert: m.cert, key: m.key, ca: m.ca };
}

function invalid(files: TlsFiles, which: 'cert' | 'key' | 'ca', message: string, cause?: unknown): PonteError {
  const key = files.keys?.[which] ?? which;
  return new PonteError('PONTE_CONFIG_INVALID', `${files.where}.${key}: ${message}`, cause === undefined ? undefined : { cause });
}

async function read(files: TlsFiles, which: 'cert' | 'key' | 'ca', path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(files, which, `cannot read ${path}${code === undefined ? '' : ` (${code})`}`, e);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificates(files: TlsFiles, which: 'cert' | 'ca', path: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw invalid(files, which, `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw invalid(files, which, `${path} holds a certificate that does not parse (${(e as Error).message})`, e);
    }
  });
}

/**
 * Reads and checks a listener's certificate, key and CA bundle. Any problem
 * is a `PONTE_CONFIG_INVALID` naming the config key and the file: unreadable,
 * not PEM, a key that is not the certificate's, or a set Node refuses.
 */
export async function readTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([read(files, 'cert', files.cert), read(files, 'key', files.key), files.ca === undefined ? undefined : read(files, 'ca', files.ca)]);
  const leaf = certificates(files, 'cert', files.cert, cert)[0]!;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw invalid(files, 'key', `${files.key} holds no usable PEM private key (an encrypted key is not supported)`, e);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw invalid(files, 'key', `${files.key} is not the private key of the certificate in ${files.cert}`);
  if (ca !== undefined) certificates(files, 'ca', files.ca!, ca);
  const m: TlsMaterial = {
    cert,
    key,
    ca,
    fingerprint256: leaf.fingerprint256,
    subject: leaf.subject.replace(/\n/g, ','),
    validTo: leaf.validTo,
    digest: createHash('sha256').update(cert).update('\0').update(key).update('\0').update(ca ?? '').digest('hex'),
  };
  try {
    createSecureContext(secureContextOptions(m));
  } catch (e) {
    throw invalid(files, 'cert', `${files.cert} and ${files.key} are refused by TLS (${(e as Error).message})`, e);
  }
  return m;
}
