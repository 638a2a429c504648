import type { InferenceRequest, InferenceResponse, RequestContext } from './inference.js';
import { PIPELINE_STAGES, type PipelineObserver, type PipelineStage, type RequestOutcome } from './extension-points.js';

type Hook = Exclude<keyof PipelineObserver, 'name' | 'stages'>;
type HookArgs<K extends Hook> = Parameters<NonNullable<PipelineObserver[K]>>;

let reportFailure: (observer: string, hook: string, error: unknown) => void = () => undefined;

/** Where observer failures go (the server sets this to its logger). */
export function onObserverFailure(fn: (observer: string, hook: string, error: unknown) => void): void {
  reportFailure = fn;
}

/**
 * Calls `hook` on every observer that has it. An observer that throws is
 * reported and skipped: telemetry never breaks an answer.
 */
export function notifyObservers<K extends Hook>(observers: readonly PipelineObserver[], hook: K, ...args: HookArgs<K>): void {
  for (let i = 0; i < observers.length; i++) {
    const o = observers[i]!;
    const fn = o[hook] as ((...a: HookArgs<K>) => void) | undefined;
    if (fn === undefined) continue;
    try {
      fn.apply(o, args);
    } catch (e) {
      report(o, hook, e);
    }
  }
}

function report(o: PipelineObserver, hook: string, e: unknown): void {
  try {
    reportFailure(o.name, hook, e);
  } catch {
    // nothing left to report to
  }
}

/**
 * The per-request hooks of a fixed set of observers, sorted once by hook and
 * by stage, so the request path calls exactly the observers that listen —
 * with fixed arguments and no per-call allocation — and skips clock reads for
 * stages no one watches. Each call is guarded as in `notifyObservers`.
 */
export class ObserverHub {
  private readonly starts: PipelineObserver[];
  private readonly ends: PipelineObserver[];
  private readonly predictions: PipelineObserver[];
  private readonly byStage = new Map<PipelineStage, PipelineObserver[]>();

  constructor(observers: readonly PipelineObserver[]) {
    this.starts = observers.filter((o) => o.onRequestStart !== undefined);
    this.ends = observers.filter((o) => o.onRequestEnd !== undefined);
    this.predictions = observers.filter((o) => o.onPrediction !== undefined);
    for (const s of PIPELINE_STAGES) {
      const listening = observers.filter((o) => o.onStage !== undefined && (o.stages === undefined || o.stages.includes(s)));
      if (listening.length > 0) this.byStage.set(s, listening);
    }
  }

  /** Whether any observer's `onStage` wants this stage (callers skip timing it otherwise). */
  watches(stage: PipelineStage): boolean {
    return this.byStage.has(stage);
  }

  requestStart(ctx: RequestContext): void {
    const list = this.starts;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      try {
        o.onRequestStart!(ctx);
      } catch (e) {
        report(o, 'onRequestStart', e);
      }
    }
  }

  stage(ctx: RequestContext, stage: PipelineStage, startedAt: number, durationMs: number): void {
    const list = this.byStage.get(stage);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      try {
        o.onStage!(ctx, stage, startedAt, durationMs);
      } catch (e) {
        report(o, 'onStage', e);
      }
    }
  }

  prediction(ctx: RequestContext, request: InferenceRequest, response: InferenceResponse): void {
    const list = this.predictions;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      try {
        o.onPrediction!(ctx, request, response);
      } catch (e) {
        report(o, 'onPrediction', e);
      }
    }
  }

  get watchesEnds(): boolean {
    return this.ends.length > 0;
  }

  requestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const list = this.ends;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      try {
        o.onRequestEnd!(ctx, outcome);
      } catch (e) {
        report(o, 'onRequestEnd', e);
      }
    }
  }
}
