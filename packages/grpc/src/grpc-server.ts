import { Server, ServerCredentials } from '@grpc/grpc-js';
import { tlsFiles, TlsWatcher, type Logger, type TlsConfig, type TlsFiles } from '@ponte/core';
import type { GrpcEndpoint } from './endpoint.js';
import { inferenceServiceHandlers, type GrpcServices } from './inference-service.js';
import type { GrpcOptions } from './options.js';
import { loadInferenceProto } from './proto.js';
import { watchedServerCredentials, WatchedCertificateProvider } from './tls-credentials.js';

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The `@grpc/grpc-js` server of one Ponte server: binds in `start`, reports
 * its bound port, and stops gracefully (`tryShutdown`, then `forceShutdown`
 * once the timeout passes). `stop` is idempotent.
 *
 * @example
 * ```ts
 * const grpc = new GrpcInferenceServer(options, baseDir, logger);
 * await grpc.start(services);
 * console.log(grpc.address); // 127.0.0.1:8081
 * await grpc.stop(10_000);
 * ```
 */
export class GrpcInferenceServer implements GrpcEndpoint {
  readonly protocol = 'grpc';
  private server: Server | undefined;
  private boundPort: number | undefined;
  private stopping: Promise<void> | undefined;
  private watcher: TlsWatcher | undefined;
  private readonly tlsFiles: TlsFiles | undefined;

  /** `serverTls` (the config's `server.tls`) applies unless the plugin's own `tls` option is set. */
  constructor(
    private readonly options: GrpcOptions,
    private readonly baseDir: string,
    private readonly logger: Logger,
    serverTls?: TlsConfig,
  ) {
    const own = options.tls;
    if (own !== undefined) {
      const clientCertificates = own.clientCertificates ?? (own.requireClientCert ? 'require' : 'none');
      this.tlsFiles = tlsFiles({ cert: own.certFile, key: own.keyFile, ca: own.caFile, clientCertificates }, baseDir, 'options.tls', { cert: 'certFile', key: 'keyFile', ca: 'caFile' });
    } else if (serverTls !== undefined) this.tlsFiles = tlsFiles(serverTls, baseDir, 'server.tls');
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  get address(): string | undefined {
    return this.boundPort === undefined ? undefined : hostPort(this.options.host, this.boundPort);
  }

  get tls(): boolean {
    return this.tlsFiles !== undefined;
  }

  /** Reads TLS files (relative to the config folder), binds and starts serving. */
  async start(services: GrpcServices): Promise<void> {
    if (this.server !== undefined || this.stopping !== undefined) throw new Error('gRPC server already started');
    const credentials = await this.credentials();
    const server = new Server({
      'grpc.max_receive_message_length': this.options.maxReceiveMessageBytes,
      'grpc.max_send_message_length': this.options.maxSendMessageBytes,
    });
    server.addService(loadInferenceProto().service, inferenceServiceHandlers(services));
    try {
      this.boundPort = await new Promise<number>((ok, fail) => {
        server.bindAsync(hostPort(this.options.host, this.options.port), credentials, (err, port) => (err ? fail(err) : ok(port)));
      });
    } catch (e) {
      this.watcher?.stop();
      throw e;
    }
    this.server = server;
    this.logger.info({ address: this.address, tls: this.tls, ...(this.watcher === undefined ? {} : { fingerprint256: this.watcher.current.fingerprint256, clientCertificates: this.tlsFiles?.clientCertificates }) }, 'gRPC listening');
  }

  /**
   * Plaintext, or TLS from files checked now (a bad one stops the start, naming it) and
   * watched afterwards: a rotated certificate reaches new connections without a restart.
   */
  private async credentials(): Promise<ServerCredentials> {
    const files = this.tlsFiles;
    if (files === undefined) return ServerCredentials.createInsecure();
    let provider: WatchedCertificateProvider | undefined;
    this.watcher = new TlsWatcher(files, this.logger, (m) => provider?.update(m));
    provider = new WatchedCertificateProvider(await this.watcher.start());
    return watchedServerCredentials(provider, files.clientCertificates !== 'none', files.clientCertificates === 'require');
  }

  /**
   * Stops accepting calls and waits for running ones, at most `timeoutMs`,
   * then cuts the rest. Ponte's lifecycle has already drained its requests by
   * the time plugins stop, so this usually returns at once.
   */
  stop(timeoutMs: number): Promise<void> {
    this.stopping ??= this.doStop(timeoutMs);
    return this.stopping;
  }

  private async doStop(timeoutMs: number): Promise<void> {
    this.watcher?.stop();
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((done) => {
      const timer = setTimeout(() => {
        this.logger.warn({ timeoutMs }, 'gRPC shutdown timeout reached; closing open calls');
        server.forceShutdown();
        done();
      }, timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        done();
      });
    });
    this.server = undefined;
    this.logger.info('gRPC stopped');
  }
}
