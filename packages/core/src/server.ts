import 'reflect-metadata';
import cluster from 'node:cluster';
import { container as globalContainer, Lifecycle as Scope, type DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import { JsonLinesAuditLog } from './audit-log.js';
import { DefaultRunnerFactory } from './batching/runner-factory.js';
import { checkAgainstSchema, ConfigError } from './config/config-loader.js';
import type { LoadedConfig, PonteConfig } from './config/config-types.js';
import { ClusterHealthReporter } from './health/cluster-health.js';
import { healthReport, type HealthReport } from './health/health-report.js';
import { healthPortSettings } from './health/health-listener.js';
import { HealthThread } from './health/health-thread.js';
import { ScopeAuthorizer } from './scope-authorizer.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import type { ModelConfig } from './model.js';
import { ObserverHub } from './observer-hub.js';
import { importPlugins, orderPlugins, PluginHost } from './plugin-host.js';
import type { Plugin, PluginKind } from './plugin.js';
import type { ProtocolEndpoint } from './protocol.js';
import { schemeOf } from './model-store.js';
import { LocalDirectoryStore } from './registry/local-directory-store.js';
import { ModelRegistry } from './registry/model-registry.js';
import { resolveModelConfigs, selectVersions } from './registry/model-repository.js';
import { NewestReadyRouter } from './registry/version-router.js';
import { RequestPipeline } from './request-pipeline.js';
import { PONTE_VERSION, type ServerInfo } from './server-info.js';
import { SinkHub } from './sinks/sink-hub.js';
import { PredictionLog } from './store/prediction-log.js';
import { resolveAllTokens, resolveToken, Tokens } from './tokens.js';

export interface PonteServerOptions {
  /** Logger to use instead of one made from `logging.level` (tests pass a silent one). */
  logger?: Logger;
  /**
   * Plugins loaded unless the config lists one of the same name (then the
   * config's entry, with its options, is used): the CLI passes the REST
   * protocol, `@ponte/http`, so a config need not list it.
   */
  defaults?: readonly Plugin[];
  /**
   * Load only the config's plugins of these kinds (a plugin of several kinds
   * when one of them is listed): tools that run models offline, such as
   * `ponte profile`, leave out auth, stores, exporters and monitors.
   */
  kinds?: readonly PluginKind[];
}

/**
 * Core's own services, registered before any plugin so that a plugin's
 * `provide` of the same token replaces them. Each is a class whose
 * dependencies tsyringe injects through typed tokens; one instance per server.
 */
function registerCoreServices(root: DependencyContainer): void {
  root.register(Tokens.Lifecycle, { useClass: Lifecycle }, { lifecycle: Scope.Singleton });
  root.register(Tokens.ObserverHub, { useClass: ObserverHub }, { lifecycle: Scope.Singleton });
  root.register(Tokens.SinkHub, { useClass: SinkHub }, { lifecycle: Scope.Singleton });
  root.register(Tokens.ModelRegistry, { useClass: ModelRegistry }, { lifecycle: Scope.Singleton });
  root.register(Tokens.VersionRouter, { useClass: NewestReadyRouter }, { lifecycle: Scope.Singleton });
  root.register(Tokens.RunnerFactory, { useClass: DefaultRunnerFactory }, { lifecycle: Scope.Singleton });
  root.register(Tokens.RequestPipeline, { useClass: RequestPipeline }, { lifecycle: Scope.Singleton });
  root.register(Tokens.AuditLog, { useClass: JsonLinesAuditLog }, { lifecycle: Scope.Singleton });
  root.register(Tokens.ModelStore, { useValue: new LocalDirectoryStore() });
}

/**
 * A Ponte server: config in, plugins loaded and registered, models loaded,
 * protocols listening; `stop()` drains. `create` does everything that can fail
 * on a bad config, so a wrong file exits before anything starts.
 *
 * @example
 * ```ts
 * const server = await PonteServer.create(loadConfigFile('config/ponte.yaml'), { defaults: [http] });
 * await server.start();
 * console.log(server.url); // http://127.0.0.1:8080
 * ```
 */
export class PonteServer {
  private health: HealthThread | ClusterHealthReporter | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: PonteConfig,
    readonly logger: Logger,
    /** The server's root container: every core service and plugin contribution, by token. */
    readonly container: DependencyContainer,
    readonly registry: ModelRegistry,
    readonly pipeline: RequestPipeline,
    readonly lifecycle: Lifecycle,
    private readonly sinks: SinkHub,
    private readonly host: PluginHost,
    private readonly models: ModelConfig[],
  ) {}

  static async create(loaded: LoadedConfig, options: PonteServerOptions = {}): Promise<PonteServer> {
    const { config, baseDir } = loaded;
    const logger = options.logger ?? createLogger(config.logging.level);
    const root = globalContainer.createChildContainer();
    const info: ServerInfo = { name: config.server.name, version: PONTE_VERSION, baseDir, extensions: [] };
    root.register(Tokens.Config, { useValue: config });
    root.register(Tokens.Logger, { useValue: logger });
    root.register(Tokens.ServerInfo, { useValue: info });
    root.register(Tokens.Container, { useValue: root });
    registerCoreServices(root);

    const imported = await importPlugins(config, baseDir, options.defaults);
    const kinds = options.kinds;
    const plugins = orderPlugins(kinds === undefined ? imported : imported.filter((p) => [p.plugin.kind].flat().some((k) => kinds.includes(k))));
    const host = new PluginHost(plugins, root, { config, baseDir, logger });
    host.registerAll();
    // Authentication without an authorizer of a plugin's own: the principal's scopes decide.
    if (root.isRegistered(Tokens.Authenticator, true) && !root.isRegistered(Tokens.Authorizer, true)) {
      root.register(Tokens.Authorizer, { useValue: new ScopeAuthorizer() });
    }
    // A prediction store turns on the prediction log: one more after-response sink, and ids in answers.
    if (root.isRegistered(Tokens.PredictionStore, true)) {
      root.register(Tokens.PredictionLog, { useClass: PredictionLog }, { lifecycle: Scope.Singleton });
      root.register(Tokens.PredictionSink, { useToken: Tokens.PredictionLog });
    }

    const formats = resolveAllTokens(root, Tokens.ModelFormat);
    const registry = resolveToken(root, Tokens.ModelRegistry);
    const { models, paths, errors } = resolveModelConfigs(config, baseDir);
    await Promise.all(models.map(async (m, i) => {
      if (m.format !== undefined && !formats.some((f) => f.name === m.format)) {
        errors.push(`${paths[i]}.format: no loaded plugin provides format "${m.format}" (loaded: ${formats.map((f) => f.name).join(', ') || 'none'})`);
        return;
      }
      // Local folders are read to find each version's format; a remote source is fetched once, when it loads.
      const local = schemeOf(m.source) === 'file';
      const used = new Set(m.format !== undefined ? formats.filter((f) => f.name === m.format) : local ? (await selectVersions(m, formats, registry.storeFor(m.source)).catch(() => [])).flatMap((c) => (c.format ? [c.format] : [])) : []);
      for (const f of used) if (f.optionsSchema !== undefined) errors.push(...checkAgainstSchema(f.optionsSchema, m.options, `${paths[i]}.options`));
    }));
    if (errors.length > 0) throw new ConfigError(errors);
    // Opened here, before the pipeline that uses it: an audit file that cannot be opened is a config error.
    resolveToken(root, Tokens.AuditLog);

    return new PonteServer(config, logger, root, registry, resolveToken(root, Tokens.RequestPipeline), resolveToken(root, Tokens.Lifecycle), resolveToken(root, Tokens.SinkHub), host, models);
  }

  /** Starts plugins (protocols listen), then loads every model; resolves once loading has finished (ready or failed). */
  async start(): Promise<void> {
    try {
      await this.host.startAll();
      const health = healthPortSettings(this.config.server);
      if (health !== undefined) {
        const report = (): HealthReport => healthReport(this.lifecycle, this.registry);
        // In a cluster the primary owns the health port (a worker thread cannot share a cluster port).
        this.health = cluster.isWorker ? new ClusterHealthReporter(report) : await HealthThread.start({ ...health, report, logger: this.logger });
      }
    } catch (e) {
      // Nothing may keep serving: undo what did start (plugins' listeners, SDKs, timers, worker threads),
      // so that a failed start leaves no handle keeping the process alive, whether or not the caller calls stop().
      await this.host.stopAll();
      this.lifecycle.state = 'stopped';
      throw e;
    }
    const endpoints = this.endpoints;
    if (endpoints.length === 0) this.logger.warn('no protocol plugin is loaded: nothing will answer requests (the CLI loads @ponte/http by default; programs pass it in PonteServerOptions.defaults)');
    this.logger.info({ url: this.rest?.address, endpoints: endpoints.map((e) => ({ protocol: e.protocol, address: e.address })), ...(this.healthPort !== undefined ? { healthPort: this.healthPort } : {}), models: this.models.map((m) => m.name) }, 'listening; loading models');
    const t0 = performance.now();
    await this.registry.loadAll(this.models);
    this.lifecycle.state = 'serving';
    this.health?.pulse();
    const r = this.registry.readiness();
    this.logger.info({ ready: r.ready, ms: Math.round(performance.now() - t0), notReady: r.models.filter((m) => !m.ready).map((m) => ({ name: m.name, reason: m.reason })) }, r.ready ? 'server ready' : 'server serving, but some required models are not ready');
  }

  /** The effective config of every model, as loading will use it. */
  get modelConfigs(): readonly ModelConfig[] {
    return this.models;
  }

  /** Where each protocol listens. */
  get endpoints(): ProtocolEndpoint[] {
    return resolveAllTokens(this.container, Tokens.ProtocolEndpoint);
  }

  private get rest(): ProtocolEndpoint | undefined {
    return this.endpoints.find((e) => e.protocol === 'rest');
  }

  /** The REST port once listening (the configured one before). */
  get port(): number {
    return this.rest?.port ?? this.config.server.port;
  }

  /** The REST base URL (`http://127.0.0.1:8080`); undefined when no REST protocol is loaded. */
  get url(): string {
    const address = this.rest?.address;
    if (address === undefined) throw new Error('no REST endpoint is listening (is @ponte/http loaded and started?)');
    return address;
  }

  /** Port of the separate health listener (`server.health.port`); undefined when there is none in this process. */
  get healthPort(): number | undefined {
    return this.health instanceof HealthThread ? this.health.port : undefined;
  }

  /**
   * Graceful stop: refuse new requests (503), let in-flight ones finish within
   * `server.shutdownTimeoutMs`, hand every prediction record to its sinks,
   * drain batch queues and close model sessions, then stop plugins in reverse
   * order (protocols close their listeners). Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const timeoutMs = this.config.server.shutdownTimeoutMs;
    this.logger.info({ inFlight: this.lifecycle.inFlight }, 'draining');
    const t0 = performance.now();
    const draining = this.lifecycle.drain(timeoutMs);
    this.health?.pulse();
    const drained = await draining;
    if (!drained) this.logger.warn({ inFlight: this.lifecycle.inFlight }, 'shutdown timeout reached with requests in flight');
    await this.sinks.stop(Math.max(1000, timeoutMs - (performance.now() - t0)));
    await this.registry.closeAll();
    await this.host.stopAll();
    resolveToken(this.container, Tokens.AuditLog).close();
    this.lifecycle.state = 'stopped';
    await this.health?.stop();
    this.logger.info('stopped');
  }
}
