import { inject, injectable } from 'tsyringe';
import type { RequestContext } from '../inference.js';
import { Tokens } from '../tokens.js';
import type { ModelRegistry, ReadyModel } from './model-registry.js';

/**
 * Chooses the ready version that serves a request, once per request (canary
 * and A/B splits replace it). Throws the registry's not-found and not-ready
 * errors.
 *
 * @example
 * ```ts
 * ctx.provide(Tokens.VersionRouter, { route: (name, version, ctx) => registry.resolve(name, version ?? (Math.random() < 0.1 ? '2' : '1')) });
 * ```
 */
export interface VersionRouter {
  route(name: string, version: string | undefined, ctx: RequestContext): ReadyModel;
}

/** Core's router: the version asked for, else the newest ready one. */
@injectable()
export class NewestReadyRouter implements VersionRouter {
  constructor(@inject(Tokens.ModelRegistry) private readonly registry: ModelRegistry) {}

  route(name: string, version: string | undefined): ReadyModel {
    return this.registry.resolve(name, version);
  }
}
