import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A separate listener that serves only the scrape endpoint, for deployments
 * that keep metrics off the data-plane port (and its auth). Anything but
 * `GET`/`HEAD` on `path` is a 404/405.
 *
 * @example
 * ```ts
 * const s = new MetricsServer(() => registry.metrics(), registry.contentType, '/metrics', console.error);
 * await s.listen(9464, '127.0.0.1');
 * await s.close();
 * ```
 */
export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly scrape: () => Promise<string>,
    private readonly contentType: string,
    private readonly path: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The bound port once listening (useful with port 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  listen(port: number, host: string): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.path) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
        return;
      }
      this.scrape().then(
        (text) => { res.writeHead(200, { 'Content-Type': this.contentType }).end(req.method === 'HEAD' ? undefined : text); },
        (err: unknown) => {
          this.onError(err);
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
        },
      );
    });
    server.keepAliveTimeout = 65_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Closes the listener and its connections; safe to call twice. */
  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}
