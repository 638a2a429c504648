import { healthReport, type Lifecycle, type ModelRegistry } from '@ponte/core';
import { jsonAnswer } from './http-answer.js';
import type { HttpRoute } from './route.js';

/** Liveness and readiness: public (never authenticated), cheap, answered even under overload. */
export function healthRoutes(lifecycle: () => Lifecycle, registry: () => ModelRegistry): HttpRoute[] {
  return [
    {
      method: 'GET', path: '/v2/health/live', name: 'server_live', action: 'public', docs: { operationId: 'serverLive', summary: 'Server live', tag: 'Health' },
      respond: () => { const stopped = lifecycle().state === 'stopped'; return jsonAnswer({ live: !stopped }, stopped ? 503 : 200); },
    },
    {
      method: 'GET', path: '/v2/health/ready', name: 'server_ready', action: 'public', docs: { operationId: 'serverReady', summary: 'Server ready', tag: 'Health' },
      respond: () => { const r = healthReport(lifecycle(), registry()); return jsonAnswer(r, r.ready ? 200 : 503); },
    },
  ];
}
