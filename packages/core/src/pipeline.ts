import { DeadlineWatch } from './deadline-watch.js';
import { PonteError, toPonteError } from './errors.js';
import type { Action, Authenticator, Authorizer, PipelineObserver, PipelineStage, Transform, Validator } from './extension-points.js';
import type { InferenceRequest, InferenceResponse, Principal, RequestContext } from './inference.js';
import { ObserverHub } from './observers.js';
import type { ModelRegistry, ReadyModel } from './registry/model-registry.js';
import { checkSignature } from './registry/signature-check.js';

const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', scheme: 'anonymous' });

export interface PipelineParts {
  registry: ModelRegistry;
  validators: readonly Validator[];
  authenticators: readonly Authenticator[];
  authorizer?: Authorizer | undefined;
  transforms: readonly Transform[];
  observers: readonly PipelineObserver[];
}

/**
 * The one path every protocol takes: authenticate → resolve → validate →
 * preprocess → queue/run → postprocess. Decoding and encoding belong to the
 * protocol, which reports their timings through `stage()`. Observers see each
 * stage but cannot change or delay the answer.
 *
 * @example
 * ```ts
 * const { response } = await pipeline.infer(request, ctx);
 * ```
 */
export class InferencePipeline {
  private readonly deadlines = new DeadlineWatch();
  private readonly hub: ObserverHub;

  constructor(private readonly parts: PipelineParts) {
    this.hub = new ObserverHub(parts.observers);
  }

  get observers(): readonly PipelineObserver[] {
    return this.parts.observers;
  }

  /** Reports a stage timing measured outside the pipeline (decode, encode). */
  stage(ctx: RequestContext, stage: PipelineStage, startedAt: number): void {
    if (this.hub.watches(ctx, stage)) this.hub.stage(ctx, stage, startedAt, performance.now() - startedAt);
  }

  begin(ctx: RequestContext): void {
    this.hub.requestStart(ctx);
  }

  end(ctx: RequestContext, status: number, code?: string): void {
    if (this.hub.watchesEnd(ctx)) {
      const outcome = code === undefined ? { status, durationMs: performance.now() - ctx.startedAt } : { status, code, durationMs: performance.now() - ctx.startedAt };
      this.hub.requestEnd(ctx, outcome);
    }
  }

  /**
   * Establishes and authorises the caller. With no authenticator plugin every
   * caller is anonymous and allowed (the default for a local deployment).
   */
  async authenticate(ctx: RequestContext, action: Action, model?: string): Promise<Principal> {
    if (ctx.principal !== undefined) return ctx.principal;
    const t0 = performance.now();
    let principal: Principal | null = null;
    if (this.parts.authenticators.length === 0) principal = ANONYMOUS;
    else {
      for (const a of this.parts.authenticators) {
        principal = await a.authenticate(ctx);
        if (principal !== null) break;
      }
      if (principal === null) throw new PonteError('PONTE_UNAUTHENTICATED', `credentials required (${this.parts.authenticators.map((a) => a.scheme).join(' or ')})`);
    }
    if (this.parts.authorizer !== undefined) await this.parts.authorizer.authorize(principal, action, model, ctx);
    ctx.principal = principal;
    this.stage(ctx, 'authenticate', t0);
    return principal;
  }

  /** Runs one inference request through every stage. */
  async infer(request: InferenceRequest, ctx: RequestContext): Promise<{ response: InferenceResponse; model: ReadyModel }> {
    // Protocols usually authenticated already (before decoding); skip the extra await then.
    if (ctx.principal === undefined) await this.authenticate(ctx, 'infer', request.model);

    let t = performance.now();
    const model = this.parts.registry.resolve(request.model, request.version);
    ctx.model = model.name;
    ctx.version = model.version;
    this.stage(ctx, 'resolve', t);

    t = performance.now();
    checkSignature(request, model.signature);
    for (const v of this.parts.validators) {
      // Most validators are synchronous: awaiting their undefined would still cost a microtask each.
      const pending = v.validate(request, model, ctx);
      if (pending !== undefined) await pending;
    }
    this.stage(ctx, 'validate', t);

    const transforms = this.parts.transforms.filter((tr) => tr.models === undefined || tr.models.includes(model.name));
    if (transforms.length > 0) {
      t = performance.now();
      for (const tr of transforms) if (tr.preprocess) request = await tr.preprocess(request, model, ctx);
      this.stage(ctx, 'preprocess', t);
    }

    const queuedAt = performance.now();
    let result;
    try {
      const run = { inputs: request.inputs, ...(request.outputs ? { outputs: request.outputs.map((o) => o.name) } : {}), ...(request.parameters ? { parameters: request.parameters } : {}) };
      result = await this.deadlines.race(model.runner.run(run, ctx.deadline === undefined ? undefined : { deadline: ctx.deadline }), ctx.deadline);
    } catch (e) {
      throw toPonteError(e, 'PONTE_MODEL_RUN_FAILED');
    }
    ctx.batchSize = result.batchSize;
    this.hub.stage(ctx, 'queue', queuedAt, result.queueMs);
    this.hub.stage(ctx, 'run', queuedAt + result.queueMs, result.runMs);

    let response: InferenceResponse = { model_name: model.name, model_version: model.version, outputs: result.outputs };
    if (request.id !== undefined) response.id = request.id;
    if (transforms.length > 0) {
      t = performance.now();
      for (const tr of transforms) if (tr.postprocess) response = await tr.postprocess(response, request, model, ctx);
      this.stage(ctx, 'postprocess', t);
    }
    this.hub.prediction(ctx, request, response);
    return { response, model };
  }
}
