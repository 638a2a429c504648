import { inject, injectable } from 'tsyringe';
import type { ModelView } from '../extension-points.js';
import type { BatchingConfig, LoadedModel } from '../model.js';
import type { ObserverHub } from '../observer-hub.js';
import { Tokens } from '../tokens.js';
import { DirectRunner } from './direct-runner.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import type { ModelRunner } from './model-runner.js';

/**
 * Makes the runner of each loaded model version: the dynamic batcher when
 * batching is on, else a direct runner. Registered under `Tokens.RunnerFactory`;
 * a plugin that provides its own replaces it for every model.
 *
 * @example
 * ```ts
 * ctx.provide(Tokens.RunnerFactory, { create: (model, loaded) => new DirectRunner(loaded) });
 * ```
 */
export interface RunnerFactory {
  create(model: ModelView, loaded: LoadedModel, batching: BatchingConfig): ModelRunner;
}

/** Core's runner factory. */
@injectable()
export class DefaultRunnerFactory implements RunnerFactory {
  constructor(@inject(Tokens.ObserverHub) private readonly observers: ObserverHub) {}

  create(model: ModelView, loaded: LoadedModel, batching: BatchingConfig): ModelRunner {
    if (!batching.enabled) return new DirectRunner(loaded);
    return new DynamicBatcher(loaded, batching, (size, depth) => this.observers.batch(model.name, model.version, size, depth));
  }
}
