import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMetrics, decodeTraces, type DecodedMetric, type DecodedSpan } from './otlp-protobuf.js';

/**
 * An in-process OTLP/HTTP receiver: accepts protobuf exports at /v1/traces and
 * /v1/metrics on an ephemeral loopback port, like a collector would, and keeps
 * what it decoded.
 */
export class OtlpCollector {
  readonly spans: DecodedSpan[] = [];
  readonly metricExports: DecodedMetric[][] = [];
  readonly contentTypes = new Set<string>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = new Uint8Array(Buffer.concat(chunks));
        this.contentTypes.add(req.headers['content-type'] ?? '');
        try {
          if (req.url === '/v1/traces') this.spans.push(...decodeTraces(body));
          else if (req.url === '/v1/metrics') this.metricExports.push(decodeMetrics(body));
          else { res.writeHead(404).end(); return; }
        } catch (e) {
          res.writeHead(400).end(String(e));
          return;
        }
        // An empty Export*ServiceResponse is zero bytes of protobuf.
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The latest export of each metric name. */
  latestMetrics(): Map<string, DecodedMetric> {
    const m = new Map<string, DecodedMetric>();
    for (const exp of this.metricExports) for (const metric of exp) m.set(metric.name, metric);
    return m;
  }

  stop(): Promise<void> {
    const s = this.server;
    if (s === undefined) return Promise.resolve();
    this.server = undefined;
    return new Promise((r) => { s.close(() => r()); s.closeAllConnections(); });
  }
}
