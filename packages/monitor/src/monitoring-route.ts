import { PonteError, type ModelRegistry } from '@ponte/core';
import { jsonAnswer, type HttpRoute } from '@ponte/http';
import type { MonitorService } from './monitor-service.js';
import type { WindowReport } from './window-report.js';

/** The report's body: the newest windows (oldest first), and the newest closed window's features and firing alerts on top. */
export interface MonitoringReport {
  readonly model: string;
  readonly version: string;
  readonly window: { readonly rows?: number; readonly seconds?: number };
  readonly windows: readonly WindowReport[];
  readonly features: Readonly<Record<string, unknown>>;
  readonly alerts: ReadonlyArray<{ readonly alert: string; readonly severity: string; readonly when: string; readonly since?: string; readonly detail: string }>;
  readonly alert_history: readonly unknown[];
}

function intParam(raw: string | null, field: string, min: number, max: number, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new PonteError('PONTE_BAD_REQUEST', `${field}: must be an integer from ${min} to ${max}`);
  return n;
}

/** Builds a model's report from the store (fresh on every replica). */
export async function monitoringReport(service: MonitorService, registry: ModelRegistry, name: string, version: string | undefined, limit: number): Promise<MonitoringReport> {
  const model = registry.config(name).name;
  const monitor = service.monitorOf(model, version);
  if (monitor === undefined) {
    const why = service.problemOf(model, version) ?? `model "${model}"${version !== undefined ? ` version ${version}` : ''} is not monitored: it has no ready version with monitoring enabled`;
    throw new PonteError('PONTE_NOT_FOUND', why);
  }
  const windows = await monitor.windows(limit);
  const history = await service.alerts(model, 50);
  const newest = windows[windows.length - 1];
  const firing = new Map<string, (typeof history)[number]>();
  for (const e of history) if (e.version === monitor.version) { if (e.status === 'firing') firing.set(e.alert, e); else firing.delete(e.alert); }
  return {
    model,
    version: monitor.version,
    window: monitor.config.window,
    windows,
    features: newest?.features ?? {},
    alerts: [...firing.values()].map((e) => ({ alert: e.alert, severity: e.severity, when: e.when, since: e.startsAt, detail: e.detail })),
    alert_history: history,
  };
}

/** `GET /v2/models/{name}/monitoring?limit=N&version=V`: the `monitor` action. */
export function monitoringRoute(service: () => MonitorService, registry: () => ModelRegistry): HttpRoute {
  return {
    method: 'GET',
    path: '/v2/models/{name}/monitoring',
    name: 'model_monitoring',
    action: 'monitor',
    docs: { operationId: 'modelMonitoring', summary: 'Monitoring report', description: 'The newest monitoring windows of a model version (oldest first): drift per feature with p-values and effect sizes, data quality, performance from delayed labels with 95 % intervals, estimated performance, and the alerts firing.', tag: 'Monitoring' },
    async respond(x) {
      const q = x.query;
      for (const k of q.keys()) if (k !== 'limit' && k !== 'version') throw new PonteError('PONTE_BAD_REQUEST', `${k}: unknown query parameter (allowed: limit, version)`);
      const limit = intParam(q.get('limit'), 'limit', 1, 1000, 20);
      const version = q.get('version') ?? undefined;
      return jsonAnswer(await monitoringReport(service(), registry(), x.model!, version, limit));
    },
  };
}
