import { checkAgainstSchema, ConfigError, definePlugin, Tokens } from '@ponte/core';
import { HttpTokens } from '@ponte/http';
import { logNotifier } from './log-notifier.js';
import { modelMonitoringSchema } from './monitoring-config.js';
import { monitoringRoute } from './monitoring-route.js';
import { MonitorService } from './monitor-service.js';
import type { Notifier } from './notifier.js';
import { monitorOptionsSchema, type MonitorPluginOptions } from './options.js';
import { webhookNotifier } from './webhook-notifier.js';

/**
 * Model monitoring: every model version with a reference profile is watched
 * through its prediction log — data quality, drift per feature and on the
 * output, performance from delayed labels, estimated performance — in
 * windows closed by rows or time, with alert rules, notifiers, Prometheus
 * series and a JSON report at `GET /v2/models/{name}/monitoring`. Needs a
 * prediction store plugin (the state lives there, shared by replicas).
 *
 * @example
 * ```yaml
 * plugins:
 *   - '@ponte/store-sqlite'
 *   - package: '@ponte/monitor'
 *     options: { notifiers: [{ type: webhook, url: 'http://alertmanager-bridge:9000/hook', format: alertmanager }] }
 * models:
 *   - name: purchase
 *     monitoring: { window: { rows: 1000, seconds: 3600 }, alerts: [{ when: drift, windows: 2, severity: warning }] }
 * ```
 */
export const monitorPlugin = definePlugin<MonitorPluginOptions>({
  name: '@ponte/monitor',
  kind: 'monitor',
  core: '^0.1.0',
  dependsOn: ['@ponte/http'],
  description: 'Model monitoring: data quality, drift, performance from delayed labels, alerts, a report',
  configSchema: monitorOptionsSchema,
  register(ctx) {
    const errors = ctx.config.models.flatMap((m, i) => (m.monitoring === undefined ? [] : checkAgainstSchema(modelMonitoringSchema, m.monitoring, `models[${i}].monitoring`)));
    if (errors.length > 0) throw new ConfigError(errors);
    const registry = ctx.later(Tokens.ModelRegistry);
    let service: MonitorService | undefined;
    const running = (): MonitorService => {
      if (service === undefined) throw new Error('the monitor has not started');
      return service;
    };
    ctx.resolve(HttpTokens.Routes).add(monitoringRoute(running, registry), ctx.name);
    ctx.provide(Tokens.MetricSource, { name: 'monitor', collect: () => service?.collect() ?? [] });
    return {
      start() {
        const store = ctx.resolveAll(Tokens.PredictionStore)[0];
        if (store === undefined) throw new ConfigError([`${ctx.name}: monitoring reads the prediction log: load a store plugin (@ponte/store-sqlite or @ponte/store-postgres) before it`]);
        const notifiers: Notifier[] = [logNotifier(ctx.logger)];
        for (const n of ctx.options.notifiers) {
          if (n.type === 'webhook') {
            notifiers.push(webhookNotifier({ url: n.url, format: n.format ?? 'json', timeoutMs: n.timeoutMs ?? 5000, retries: n.retries ?? 3, backoffMs: n.backoffMs ?? 500, headers: n.headers ?? {} }, ctx.logger, () => `http://${ctx.config.server.host}:${ctx.config.server.port}`));
          }
        }
        const o = ctx.options;
        service = new MonitorService(store, registry, { tickMs: o.tickSeconds * 1000, lagMs: o.lagSeconds * 1000, performanceEveryMs: o.performanceEverySeconds * 1000, labelWindows: o.labelWindows }, notifiers, ctx.logger);
        service.start();
      },
      async stop() {
        await service?.stop();
      },
    };
  },
});
