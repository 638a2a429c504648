import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '@ponte/core';
import type { GrpcEndpoint } from './endpoint.js';
import { inferenceServiceHandlers, type GrpcServices } from './inference-service.js';
import type { GrpcOptions } from './options.js';
import { loadInferenceProto } from './proto.js';

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

  constructor(
    private readonly options: GrpcOptions,
    private readonly baseDir: string,
    private readonly logger: Logger,
  ) {}

  get port(): number | undefined {
    return this.boundPort;
  }

  get address(): string | undefined {
    return this.boundPort === undefined ? undefined : hostPort(this.options.host, this.boundPort);
  }

  get tls(): boolean {
    return this.options.tls !== undefined;
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
    this.boundPort = await new Promise<number>((ok, fail) => {
      server.bindAsync(hostPort(this.options.host, this.options.port), credentials, (err, port) => (err ? fail(err) : ok(port)));
    });
    this.server = server;
    this.logger.info({ address: this.address, tls: this.tls }, 'gRPC listening');
  }

  private async credentials(): Promise<ServerCredentials> {
    const tls = this.options.tls;
    if (tls === undefined) return ServerCredentials.createInsecure();
    const read = (file: string): Promise<Buffer> => readFile(resolve(this.baseDir, file));
    const [cert, key, ca] = await Promise.all([read(tls.certFile), read(tls.keyFile), tls.caFile === undefined ? null : read(tls.caFile)]);
    if (tls.requireClientCert && ca === null) throw new Error('tls.requireClientCert needs tls.caFile');
    return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], tls.requireClientCert);
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
