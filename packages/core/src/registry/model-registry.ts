import type { Logger } from 'pino';
import { inject, injectAll, injectable, type DependencyContainer } from 'tsyringe';
import { queueFull } from '../batching/dynamic-batcher.js';
import type { ModelRunner } from '../batching/model-runner.js';
import { PonteError } from '../errors.js';
import type { ModelView } from '../extension-points.js';
import type { BatchingConfig, LoadedModel, ModelConfig, ModelFormat, ModelSignature, ModelVersionStatus } from '../model.js';
import { schemeOf, type ModelStore } from '../model-store.js';
import type { ObserverHub } from '../observer-hub.js';
import { resolveToken, Tokens } from '../tokens.js';
import { integrityProblem } from './model-integrity.js';
import { selectVersions } from './model-repository.js';
import { warmUp } from './warmup.js';

/** A version that is ready to serve: its view, the loaded model, its runner and its own child container. */
export interface ReadyModel extends ModelView {
  readonly loaded: LoadedModel;
  readonly runner: ModelRunner;
  readonly platform: string;
  readonly batching: BatchingConfig;
  /** The version's child container (holds `Tokens.ModelVersion`): per-version services resolve here. */
  readonly scope: DependencyContainer;
  /** The plain view alone (name, version, config, signature): what records and documents carry. */
  readonly view: ModelView;
}

interface VersionEntry {
  status: ModelVersionStatus;
  ready?: ReadyModel;
}

interface ModelRecord {
  config: ModelConfig;
  versions: Map<string, VersionEntry>;
  /** Problem with the model as a whole (no versions found …). */
  problem?: string;
}

export const DEFAULT_BATCHING: Omit<BatchingConfig, 'enabled'> = {
  maxBatchSize: 64,
  maxQueueDelayMicros: 0,
  preferredBatchSizes: [],
  maxQueueSize: 1024,
};

/** Whether a signature allows batching: every input and output has a dynamic first dimension. */
export function isBatchable(sig: ModelSignature): boolean {
  return sig.inputs.length > 0 && [...sig.inputs, ...sig.outputs].every((t) => t.shape.length > 0 && t.shape[0]! < 0);
}

/**
 * Every configured model and its versions with their states. A version that
 * fails to load is recorded as failed with its reason and never stops the
 * others; the default version of a model is its newest ready one.
 */
@injectable()
export class ModelRegistry {
  private readonly models = new Map<string, ModelRecord>();

  constructor(
    @injectAll(Tokens.ModelFormat, { isOptional: true }) private readonly formats: readonly ModelFormat[],
    @injectAll(Tokens.ModelStore) private readonly stores: readonly ModelStore[],
    @inject(Tokens.ObserverHub) private readonly observers: ObserverHub,
    @inject(Tokens.Container) private readonly container: DependencyContainer,
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {}

  /** The store serving a model source (by its scheme); the last registered wins, so a plugin may replace `file`. */
  storeFor(source: string): ModelStore {
    const scheme = schemeOf(source);
    const store = this.stores.findLast((s) => s.scheme === scheme);
    if (store === undefined) throw new PonteError('PONTE_MODEL_LOAD_FAILED', `no model store serves "${scheme}:" sources (loaded: ${this.stores.map((s) => s.scheme).join(', ')})`);
    return store;
  }

  /** Loads all models concurrently; resolves when every version is ready or failed. */
  async loadAll(configs: readonly ModelConfig[]): Promise<void> {
    await Promise.all(configs.map((c) => this.loadModel(c)));
  }

  async loadModel(config: ModelConfig): Promise<void> {
    const entry: ModelRecord = { config, versions: new Map() };
    this.models.set(config.name, entry);
    let candidates;
    try {
      candidates = await selectVersions(config, this.formats, this.storeFor(config.source));
    } catch (e) {
      entry.problem = `cannot read model directory: ${e instanceof Error ? e.message : String(e)}`;
      this.logger.error({ model: config.name, reason: entry.problem }, 'model failed to load');
      return;
    }
    if (candidates.length === 0) {
      entry.problem = `no version directories (named 1, 2, …) in ${config.source}`;
      this.logger.error({ model: config.name, reason: entry.problem }, 'model failed to load');
      return;
    }
    await Promise.all(candidates.map(async (cand) => {
      const status: ModelVersionStatus = { name: config.name, version: cand.version, state: 'loading' };
      const v: VersionEntry = { status };
      entry.versions.set(cand.version, v);
      const t0 = performance.now();
      if (cand.problem !== undefined || cand.file === undefined || cand.format === undefined) {
        this.fail(status, cand.problem ?? 'no model file');
        return;
      }
      // Checked before the format reads the file: a tampered model is never handed to a runtime.
      const tampered = await integrityProblem(config, cand.version, cand.file);
      if (tampered !== undefined) {
        this.fail(status, tampered);
        return;
      }
      let loaded: LoadedModel | undefined;
      try {
        loaded = await cand.format.load({ name: config.name, version: cand.version, dir: cand.dir, file: cand.file, options: config.options });
        await warmUp(loaded, config);
      } catch (e) {
        await loaded?.close().catch(() => undefined);
        this.fail(status, e instanceof Error ? e.message : String(e));
        return;
      }
      const batching = this.batchingFor(config, loaded.signature);
      const view: ModelView = { name: config.name, version: cand.version, config, signature: loaded.signature };
      // A child container per version: the runner factory (and any per-version service) resolves with the version in scope.
      const scope = this.container.createChildContainer();
      scope.register(Tokens.ModelVersion, { useValue: view });
      const runner: ModelRunner = resolveToken(scope, Tokens.RunnerFactory).create(view, loaded, batching);
      v.ready = { ...view, loaded, runner, platform: loaded.platform, batching, scope, view };
      status.state = 'ready';
      status.loadDurationMs = Math.round((performance.now() - t0) * 10) / 10;
      this.logger.info({ model: config.name, version: cand.version, format: cand.format.name, loadMs: status.loadDurationMs, batching: batching.enabled }, 'model version ready');
      this.observers.modelState(config.name, cand.version, 'ready', status.loadDurationMs);
    }));
  }

  private fail(status: ModelVersionStatus, reason: string): void {
    status.state = 'failed';
    status.reason = reason;
    this.logger.error({ model: status.name, version: status.version, reason }, 'model version failed to load');
    this.observers.modelState(status.name, status.version, 'failed');
  }

  private batchingFor(config: ModelConfig, sig: ModelSignature): BatchingConfig {
    const b = config.batching ?? {};
    const batchable = isBatchable(sig);
    return { ...DEFAULT_BATCHING, ...b, enabled: batchable && (b.enabled ?? true) };
  }

  /** Model names in config order. */
  names(): string[] {
    return [...this.models.keys()];
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  config(name: string): ModelConfig {
    return this.entry(name).config;
  }

  /** Versions of a model, newest first. */
  versions(name: string): ModelVersionStatus[] {
    return [...this.entry(name).versions.values()].map((v) => v.status).sort((a, b) => Number(b.version) - Number(a.version));
  }

  /** Why a model cannot serve, or undefined when it has a ready version. */
  problem(name: string): string | undefined {
    const e = this.entry(name);
    if (e.problem !== undefined) return e.problem;
    const vs = [...e.versions.values()];
    if (vs.some((v) => v.status.state === 'ready')) return undefined;
    if (vs.some((v) => v.status.state === 'loading')) return 'loading';
    return vs.map((v) => `version ${v.status.version}: ${v.status.reason ?? v.status.state}`).join('; ');
  }

  /**
   * The ready version to serve: the one asked for, or the newest ready one.
   * Throws PONTE_MODEL_NOT_FOUND, PONTE_VERSION_NOT_FOUND or PONTE_MODEL_NOT_READY.
   */
  resolve(name: string, version?: string): ReadyModel {
    const e = this.entry(name);
    if (version !== undefined) {
      const v = e.versions.get(version);
      if (v === undefined) {
        throw new PonteError('PONTE_VERSION_NOT_FOUND', `model "${name}" has no version "${version}" (available: ${[...e.versions.keys()].join(', ') || 'none'})`);
      }
      if (v.ready === undefined) {
        throw new PonteError('PONTE_MODEL_NOT_READY', `model "${name}" version ${version} is ${v.status.state}${v.status.reason ? `: ${v.status.reason}` : ''}`);
      }
      return v.ready;
    }
    let best: ReadyModel | undefined;
    for (const v of e.versions.values()) if (v.ready !== undefined && (best === undefined || Number(v.ready.version) > Number(best.version))) best = v.ready;
    if (best === undefined) throw new PonteError('PONTE_MODEL_NOT_READY', `model "${name}" is not ready: ${this.problem(name) ?? 'loading'}`);
    return best;
  }

  /**
   * Refuses at once (PONTE_QUEUE_FULL) a request for a version whose batch
   * queue is full, before its body is read: under overload, refusing must be
   * the cheapest thing the server does.
   */
  static admit(model: ReadyModel): void {
    if (model.runner.full) throw queueFull(model.runner.maxQueueSize ?? model.batching.maxQueueSize);
  }

  /** Status of a version without requiring it to be ready (metadata of failed models). */
  versionStatus(name: string, version: string): ModelVersionStatus {
    const v = this.entry(name).versions.get(version);
    if (v === undefined) throw new PonteError('PONTE_VERSION_NOT_FOUND', `model "${name}" has no version "${version}"`);
    return v.status;
  }

  /** Ready when every required model has all its selected versions ready. */
  readiness(): { ready: boolean; models: Array<{ name: string; required: boolean; ready: boolean; reason?: string; versions: ModelVersionStatus[] }> } {
    const models = [...this.models.values()].map((e) => {
      const versions = [...e.versions.values()].map((v) => v.status);
      const ready = e.problem === undefined && versions.length > 0 && versions.every((v) => v.state === 'ready');
      const reason = ready ? undefined : e.problem ?? versions.filter((v) => v.state !== 'ready').map((v) => `version ${v.version}: ${v.reason ?? v.state}`).join('; ');
      return { name: e.config.name, required: e.config.required, ready, ...(reason ? { reason } : {}), versions };
    });
    return { ready: models.every((m) => m.ready || !m.required), models };
  }

  /** Every version ready to serve now, across models. */
  readyVersions(): ReadyModel[] {
    return [...this.models.values()].flatMap((e) => [...e.versions.values()].flatMap((v) => (v.ready ? [v.ready] : [])));
  }

  /** Drains every runner, then closes every session. */
  async closeAll(): Promise<void> {
    const ready = this.readyVersions();
    await Promise.all(ready.map((r) => r.runner.drain()));
    await Promise.all(ready.map(async (r) => {
      try {
        await r.loaded.close();
      } catch (e) {
        this.logger.warn({ model: r.name, version: r.version, err: e }, 'error closing model');
      }
    }));
    for (const e of this.models.values()) for (const v of e.versions.values()) if (v.ready) { v.status.state = 'unloaded'; delete v.ready; }
  }

  private entry(name: string): ModelRecord {
    const e = this.models.get(name);
    if (e === undefined) throw new PonteError('PONTE_MODEL_NOT_FOUND', `model "${name}" is not configured`);
    return e;
  }
}
