import type { InferenceRequest, InferenceResponse, RequestContext } from './inference.js';
import { PIPELINE_STAGES, type PipelineObserver, type PipelineStage, type RequestOutcome } from './extension-points.js';

type Hook = Exclude<keyof PipelineObserver, 'name' | 'stages' | 'selective'>;
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

/** Observers listening to one hook, each with its follow bit (0: called for every request). */
interface Listeners {
  readonly observers: readonly PipelineObserver[];
  readonly bits: readonly number[];
  /** Whether some listener is called for every request. */
  readonly always: boolean;
  /** The follow bits of all selective listeners. */
  readonly selective: number;
}

/** A selective observer may follow only some requests; core tracks which, one bit each. */
const MAX_SELECTIVE = 31;

/**
 * The per-request hooks of a fixed set of observers, sorted once by hook and
 * by stage, so the request path calls exactly the observers that listen —
 * with fixed arguments and no per-call allocation — and skips clock reads for
 * stages no one watches. A `selective` observer (a sampling tracer) says in
 * `onRequestStart` whether it follows a request; its other per-request hooks
 * run for followed requests only, so an unsampled request costs it one call.
 * Each call is guarded as in `notifyObservers`.
 */
export class ObserverHub {
  private readonly starts: Listeners;
  private readonly ends: Listeners;
  private readonly predictions: PipelineObserver[];
  private readonly byStage = new Map<PipelineStage, Listeners>();

  constructor(observers: readonly PipelineObserver[]) {
    const bit = new Map<PipelineObserver, number>();
    for (const o of observers) {
      if (o.selective === true && o.onRequestStart !== undefined && bit.size < MAX_SELECTIVE) bit.set(o, 1 << bit.size);
    }
    const listeners = (list: readonly PipelineObserver[]): Listeners => {
      const bits = list.map((o) => bit.get(o) ?? 0);
      return { observers: list, bits, always: bits.includes(0), selective: bits.reduce((m, b) => m | b, 0) };
    };
    this.starts = listeners(observers.filter((o) => o.onRequestStart !== undefined));
    this.ends = listeners(observers.filter((o) => o.onRequestEnd !== undefined));
    this.predictions = observers.filter((o) => o.onPrediction !== undefined);
    for (const s of PIPELINE_STAGES) {
      const listening = observers.filter((o) => o.onStage !== undefined && (o.stages === undefined || o.stages.includes(s)));
      if (listening.length > 0) this.byStage.set(s, listeners(listening));
    }
  }

  /** Whether some observer's `onStage` wants this stage of this request (callers skip timing it otherwise). */
  watches(ctx: RequestContext, stage: PipelineStage): boolean {
    const l = this.byStage.get(stage);
    return l !== undefined && (l.always || (l.selective & (ctx.following ?? 0)) !== 0);
  }

  requestStart(ctx: RequestContext): void {
    const { observers, bits } = this.starts;
    let following = 0;
    for (let i = 0; i < observers.length; i++) {
      const o = observers[i]!;
      try {
        const follows = o.onRequestStart!(ctx);
        if (follows === true) following |= bits[i]!;
      } catch (e) {
        report(o, 'onRequestStart', e);
      }
    }
    ctx.following = following;
  }

  stage(ctx: RequestContext, stage: PipelineStage, startedAt: number, durationMs: number): void {
    const l = this.byStage.get(stage);
    if (l === undefined) return;
    const { observers, bits } = l;
    const following = ctx.following ?? 0;
    for (let i = 0; i < observers.length; i++) {
      const b = bits[i]!;
      if (b !== 0 && (b & following) === 0) continue;
      const o = observers[i]!;
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

  /** Whether some observer's `onRequestEnd` wants this request (callers skip building its outcome otherwise). */
  watchesEnd(ctx: RequestContext): boolean {
    const l = this.ends;
    return l.always || (l.selective & (ctx.following ?? 0)) !== 0;
  }

  requestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const { observers, bits } = this.ends;
    const following = ctx.following ?? 0;
    for (let i = 0; i < observers.length; i++) {
      const b = bits[i]!;
      if (b !== 0 && (b & following) === 0) continue;
      const o = observers[i]!;
      try {
        o.onRequestEnd!(ctx, outcome);
      } catch (e) {
        report(o, 'onRequestEnd', e);
      }
    }
  }
}
