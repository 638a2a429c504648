import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PonteConfig } from '../config/config-types.js';
import type { HealthAnswer, HealthView } from './health-view.js';

/** The paths a health listener answers, the same as on the data-plane port. */
export const HEALTH_PATHS = { live: '/v2/health/live', ready: '/v2/health/ready' } as const;

function send(res: Parameters<RequestListener>[1], status: number, body: Record<string, unknown>, head: boolean, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(head ? undefined : text);
}

/**
 * A request listener that answers only the two health endpoints from `view`,
 * with nothing on the way (no auth, no logging, no plugins): it must stay
 * cheap and answer whatever the data plane is doing.
 */
export function healthRequestListener(view: () => HealthView): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const which: keyof HealthView | undefined = path === HEALTH_PATHS.live ? 'live' : path === HEALTH_PATHS.ready ? 'ready' : undefined;
    if (which === undefined) {
      send(res, 404, { error: `no such route: ${path} (this port serves only ${HEALTH_PATHS.live} and ${HEALTH_PATHS.ready})`, code: 'PONTE_NOT_FOUND' }, req.method === 'HEAD');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: `${req.method ?? '?'} is not allowed on ${path} (use GET or HEAD)`, code: 'PONTE_METHOD_NOT_ALLOWED' }, false, { Allow: 'GET, HEAD' });
      return;
    }
    const a: HealthAnswer = view()[which];
    send(res, a.status, a.body, req.method === 'HEAD');
  };
}

/** Starts a health listener; resolves with the server once it listens, rejects naming the port when it cannot. */
export function listenHealth(listener: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = createServer(listener);
    s.keepAliveTimeout = 5000;
    s.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`health listener on ${host}:${port}: ${e.code ?? e.message}`)));
    s.listen(port, host, () => resolve(s));
  });
}

/** Where and how the health port listens, or undefined without `server.health.port` (the host defaults to `server.host`). */
export function healthPortSettings(server: PonteConfig['server']): { host: string; port: number; stallMs: number } | undefined {
  const h = server.health;
  return h.port === null ? undefined : { host: h.host ?? server.host, port: h.port, stallMs: h.stallMs };
}

export const listeningPort = (s: Server): number => (s.address() as AddressInfo).port;
