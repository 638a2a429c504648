import type { Lifecycle, ServerState } from '../lifecycle.js';
import type { ModelRegistry } from '../registry/model-registry.js';

/** Readiness of one configured model, as the health endpoints show it. */
export type ModelReadiness = ReturnType<ModelRegistry['readiness']>['models'][number];

/** What one server process knows about its own health: the body of /v2/health/ready. */
export interface HealthReport {
  ready: boolean;
  state: ServerState;
  models: ModelReadiness[];
}

/** The process's health now: ready when serving and every required model is ready. */
export function healthReport(lifecycle: Lifecycle, registry: ModelRegistry): HealthReport {
  const r = registry.readiness();
  return { ready: r.ready && lifecycle.state === 'serving', state: lifecycle.state, models: r.models };
}
