import type { Hono } from 'hono';
import type { HttpEnv } from './http-env.js';
import type { HttpServices } from './services.js';
import { healthReport } from '../health/health-report.js';

/** Liveness and readiness: unauthenticated, cheap, answered even under overload. */
export function healthRoutes(app: Hono<HttpEnv>, s: HttpServices): void {
  app.get('/v2/health/live', (c) => c.json({ live: s.lifecycle.state !== 'stopped' }, s.lifecycle.state === 'stopped' ? 503 : 200));
  app.get('/v2/health/ready', (c) => {
    const r = healthReport(s.lifecycle, s.registry);
    return c.json(r, r.ready ? 200 : 503);
  });
}
