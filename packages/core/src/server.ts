import 'reflect-metadata';
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { container as globalContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { Logger } from 'pino';
import { checkAgainstSchema, ConfigError } from './config/config-loader.js';
import type { LoadedConfig, PonteConfig } from './config/config-types.js';
import type { Authenticator, Authorizer, PipelineObserver, Transform, Validator } from './extension-points.js';
import { createHttpApp } from './http/app.js';
import { fastLane } from './http/fast-lane.js';
import { healthRoutes } from './http/health-routes.js';
import { ClusterHealthReporter } from './health/cluster-health.js';
import { healthReport, type HealthReport } from './health/health-report.js';
import { healthPortSettings } from './health/health-listener.js';
import { HealthThread } from './health/health-thread.js';
import type { HttpEnv } from './http/http-env.js';
import { oipRoutes } from './http/oip-routes.js';
import { predictRoutes } from './http/predict-routes.js';
import type { HttpServices } from './http/services.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import type { ModelConfig, ModelFormat } from './model.js';
import { onObserverFailure } from './observers.js';
import { nativeInferJson } from './http/infer-json.js';
import { InferencePipeline } from './pipeline.js';
import { importPlugins, orderPlugins, PluginHost } from './plugin-host.js';
import type { Plugin } from './plugin.js';
import { ModelRegistry } from './registry/model-registry.js';
import { resolveModelConfigs, selectVersions } from './registry/model-repository.js';
import { Tokens } from './tokens.js';

export const PONTE_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface PonteServerOptions {
  /** Logger to use instead of one made from `logging.level` (tests pass a silent one). */
  logger?: Logger;
  /** Plugins to load before the configured ones (the CLI passes none; tests may). */
  builtins?: readonly Plugin[];
}

function resolveAll<T>(c: DependencyContainer, token: InjectionToken<T>): T[] {
  return c.isRegistered(token, true) ? c.resolveAll<T>(token) : [];
}

/**
 * A Ponte server: config in, plugins loaded and registered, models loaded,
 * HTTP listening; `stop()` drains. `create` does everything that can fail on a
 * bad config, so a wrong file exits before anything starts.
 *
 * @example
 * ```ts
 * const server = await PonteServer.create(loadConfigFile('config/ponte.yaml'));
 * await server.start();
 * console.log(server.url); // http://127.0.0.1:8080
 * ```
 */
export class PonteServer {
  readonly lifecycle = new Lifecycle();
  private server: Server | undefined;
  private health: HealthThread | ClusterHealthReporter | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: PonteConfig,
    readonly logger: Logger,
    readonly container: DependencyContainer,
    readonly app: Hono<HttpEnv>,
    readonly registry: ModelRegistry,
    readonly pipeline: InferencePipeline,
    private readonly host: PluginHost,
    private readonly models: ModelConfig[],
    private readonly services: HttpServices,
  ) {}

  static async create(loaded: LoadedConfig, options: PonteServerOptions = {}): Promise<PonteServer> {
    const { config, baseDir } = loaded;
    const logger = options.logger ?? createLogger(config.logging.level);
    onObserverFailure((observer, hook, err) => logger.warn({ observer, hook, err }, 'observer failed'));
    const root = globalContainer.createChildContainer();
    root.register(Tokens.Config, { useValue: config });
    root.register(Tokens.Logger, { useValue: logger });

    const app = createHttpApp(logger, config.logging.requests);
    // Core routes first, so a plugin cannot shadow them; they read the services once filled in below.
    const services = { config, logger, serverVersion: PONTE_VERSION, extensions: ['binary_tensor_data'] } as unknown as HttpServices;
    healthRoutes(app, services);
    oipRoutes(app, services);
    predictRoutes(app, services);

    const plugins = orderPlugins(await importPlugins(config, baseDir, options.builtins));
    const host = new PluginHost(plugins, { root, config, baseDir, logger, http: app });
    host.registerAll();

    const formats = resolveAll<ModelFormat>(root, Tokens.ModelFormat);
    const { models, paths, errors } = resolveModelConfigs(config, baseDir);
    models.forEach((m, i) => {
      if (m.format !== undefined && !formats.some((f) => f.name === m.format)) {
        errors.push(`${paths[i]}.format: no loaded plugin provides format "${m.format}" (loaded: ${formats.map((f) => f.name).join(', ') || 'none'})`);
        return;
      }
      const used = new Set(m.format !== undefined ? formats.filter((f) => f.name === m.format) : selectVersions(m, formats).flatMap((c) => (c.format ? [c.format] : [])));
      for (const f of used) if (f.optionsSchema !== undefined) errors.push(...checkAgainstSchema(f.optionsSchema, m.options, `${paths[i]}.options`));
    });
    if (errors.length > 0) throw new ConfigError(errors);

    const observers = resolveAll<PipelineObserver>(root, Tokens.PipelineObserver);
    const registry = new ModelRegistry(formats, observers, logger);
    const authorizers = resolveAll<Authorizer>(root, Tokens.Authorizer);
    const pipeline = new InferencePipeline({
      registry,
      validators: resolveAll<Validator>(root, Tokens.Validator),
      authenticators: resolveAll<Authenticator>(root, Tokens.Authenticator),
      authorizer: authorizers[authorizers.length - 1],
      transforms: resolveAll<Transform>(root, Tokens.Transform),
      observers,
    });
    root.register(Tokens.ModelRegistry, { useValue: registry });
    root.register(Tokens.InferencePipeline, { useValue: pipeline });
    const server = new PonteServer(config, logger, root, app, registry, pipeline, host, models, services);
    root.register(Tokens.Lifecycle, { useValue: server.lifecycle });
    Object.assign(services, { registry, pipeline, lifecycle: server.lifecycle });
    return server;
  }

  /** Starts plugins, listens, loads every model; resolves once loading has finished (ready or failed). */
  async start(): Promise<void> {
    try {
      await this.listen();
    } catch (e) {
      // Nothing is serving: undo what did start (plugins' SDKs, timers, worker threads), so that a
      // failed start leaves no handle keeping the process alive, whether or not the caller calls stop().
      await this.abortStart();
      throw e;
    }
    this.logger.info({ url: this.url, ...(this.healthPort !== undefined ? { healthPort: this.healthPort } : {}), models: this.models.map((m) => m.name), oipJsonParser: nativeInferJson ? 'native' : 'JSON.parse' }, 'listening; loading models');
    const t0 = performance.now();
    await this.registry.loadAll(this.models);
    this.lifecycle.state = 'serving';
    this.health?.pulse();
    const r = this.registry.readiness();
    this.logger.info({ ready: r.ready, ms: Math.round(performance.now() - t0), notReady: r.models.filter((m) => !m.ready).map((m) => ({ name: m.name, reason: m.reason })) }, r.ready ? 'server ready' : 'server serving, but some required models are not ready');
  }

  /** Starts the plugins, then the data-plane listener and the health port. */
  private async listen(): Promise<void> {
    await this.host.startAll();
    const { host, port } = this.config.server;
    const listener = fastLane(this.services, this.logger, this.config.logging.requests, getRequestListener(this.app.fetch));
    this.server = await new Promise<Server>((resolve, reject) => {
      const s = createServer(listener);
      s.once('error', reject);
      s.listen(port, host, () => resolve(s));
    });
    this.server.keepAliveTimeout = 65_000;
    const health = healthPortSettings(this.config.server);
    if (health !== undefined) {
      const report = (): HealthReport => healthReport(this.lifecycle, this.registry);
      // In a cluster the primary owns the health port (a worker thread cannot share a cluster port).
      this.health = cluster.isWorker ? new ClusterHealthReporter(report) : await HealthThread.start({ ...health, report, logger: this.logger });
    }
  }

  private async abortStart(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    await this.host.stopAll();
    this.lifecycle.state = 'stopped';
  }

  /** The effective config of every model, as loading will use it. */
  get modelConfigs(): readonly ModelConfig[] {
    return this.models;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.config.server.port;
  }

  /** Port of the separate health listener (`server.health.port`); undefined when there is none in this process. */
  get healthPort(): number | undefined {
    return this.health instanceof HealthThread ? this.health.port : undefined;
  }

  get url(): string {
    const h = this.config.server.host;
    return `http://${h.includes(':') ? `[${h}]` : h}:${this.port}`;
  }

  /**
   * Graceful stop: refuse new requests (503), let in-flight ones finish within
   * `server.shutdownTimeoutMs`, close connections, drain batch queues, close
   * model sessions, stop plugins in reverse order. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.logger.info({ inFlight: this.lifecycle.inFlight }, 'draining');
    const draining = this.lifecycle.drain(this.config.server.shutdownTimeoutMs);
    this.health?.pulse();
    const drained = await draining;
    if (!drained) this.logger.warn({ inFlight: this.lifecycle.inFlight }, 'shutdown timeout reached with requests in flight');
    if (this.server !== undefined) {
      const s = this.server;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
        setTimeout(() => { s.closeAllConnections(); }, drained ? 100 : 0).unref();
      });
    }
    await this.registry.closeAll();
    await this.host.stopAll();
    this.lifecycle.state = 'stopped';
    await this.health?.stop();
    this.logger.info('stopped');
  }
}
