import { createServer } from 'node:http';

/** A running OTLP/HTTP sink and what it received. */
export interface OtlpSink {
  /** Base URL to give `@ponte/exporter-otel` as `endpoint`. */
  url: string;
  /** Export requests received so far, by path (`/v1/traces`, `/v1/metrics`). */
  received: Record<string, number>;
  /** Request body bytes received so far. */
  bytes: number;
  close(): Promise<void>;
}

/**
 * A tiny OTLP/HTTP receiver on 127.0.0.1 (port 0) for the telemetry section:
 * answers 200 to `POST /v1/traces` and `POST /v1/metrics` with an empty
 * success response (an empty protobuf message, or `{}` for JSON) and counts
 * what arrived, without decoding it. Anything else gets 404. It runs in the
 * bench process (CPU 1), so the exporter's network work is real but the
 * collector costs the server nothing.
 */
export function startOtlpSink(): Promise<OtlpSink> {
  const received: Record<string, number> = {};
  const sink = { url: '', received, bytes: 0 } as OtlpSink;
  const server = createServer((req, res) => {
    req.on('data', (d: Buffer) => { sink.bytes += d.length; });
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      if (req.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) { res.writeHead(404).end(); return; }
      received[path] = (received[path] ?? 0) + 1;
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      sink.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
      sink.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
      resolve(sink);
    });
  });
}
