import { experimental, type ServerCredentials } from '@grpc/grpc-js';
import type { TlsMaterial } from '@ponte/core';

type IdentityListener = experimental.IdentityCertificateUpdateListener;
type CaListener = experimental.CaCertificateUpdateListener;

/**
 * A grpc-js certificate provider fed by Ponte's `TlsWatcher`: grpc-js calls
 * `setSecureContext` on its HTTP/2 server for every update, so a rotated
 * certificate serves new connections without a restart. (grpc-js's own
 * `FileWatcherCertificateProvider` would hand it a half-written pair; the
 * watcher only passes on a set it has checked.)
 */
export class WatchedCertificateProvider implements experimental.CertificateProvider {
  private readonly identity = new Set<IdentityListener>();
  private readonly ca = new Set<CaListener>();

  constructor(private material: TlsMaterial) {}

  /** Hands a checked set to grpc-js. */
  update(material: TlsMaterial): void {
    this.material = material;
    for (const l of this.identity) l(this.identityUpdate());
    for (const l of this.ca) l(this.caUpdate());
  }

  // grpc-js registers its own watcher only after adding these listeners: answer on the next tick, as its providers do.
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identity.add(listener);
    process.nextTick(() => {
      if (this.identity.has(listener)) listener(this.identityUpdate());
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identity.delete(listener);
  }

  addCaCertificateListener(listener: CaListener): void {
    this.ca.add(listener);
    process.nextTick(() => {
      if (this.ca.has(listener)) listener(this.caUpdate());
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.ca.delete(listener);
  }

  private identityUpdate(): experimental.IdentityCertificateUpdate {
    return { certificate: this.material.cert, privateKey: this.material.key };
  }

  private caUpdate(): experimental.CaCertificateUpdate | null {
    return this.material.ca === undefined ? null : { caCertificate: this.material.ca };
  }
}

/**
 * Server credentials that follow `provider`. With `verifyClients`, clients are
 * asked for a certificate checked against the CA bundle; with `requireClients`
 * a client without a valid one is refused during the handshake.
 */
export function watchedServerCredentials(provider: WatchedCertificateProvider, verifyClients: boolean, requireClients: boolean): ServerCredentials {
  // grpc-js (1.14) passes its first argument on as the identity provider and its second as the
  // CA provider, whatever the parameter names say; one provider serves both, so the order cannot matter.
  return experimental.createCertificateProviderServerCredentials(provider, verifyClients ? provider : null, requireClients);
}
