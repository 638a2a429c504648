import { inject, injectAll, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import type { RequestContext } from './inference.js';
import { PIPELINE_STAGES, type PipelineObserver, type PipelineStage, type RequestOutcome } from './extension-points.js';
import { Tokens } from './tokens.js';

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
 * Each call is guarded: an observer that throws is logged and skipped.
 */
@injectable()
export class ObserverHub {
  private readonly starts: Listeners;
  private readonly ends: Listeners;
  private readonly batches: PipelineObserver[];
  private readonly modelStates: PipelineObserver[];
  private readonly byStage = new Map<PipelineStage, Listeners>();

  constructor(
    @injectAll(Tokens.PipelineObserver, { isOptional: true }) readonly observers: readonly PipelineObserver[],
    @inject(Tokens.Logger) private readonly logger: Logger,
  ) {
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
    this.batches = observers.filter((o) => o.onBatch !== undefined);
    this.modelStates = observers.filter((o) => o.onModelState !== undefined);
    for (const s of PIPELINE_STAGES) {
      const listening = observers.filter((o) => o.onStage !== undefined && (o.stages === undefined || o.stages.includes(s)));
      if (listening.length > 0) this.byStage.set(s, listeners(listening));
    }
  }

  /** Whether some observer's `onStage` wants this stage of this request (callers skip timing it otherwise). */
  watches(ctx: RequestContext, stage: PipelineStage): boolean {
    const l = this.byStage.get(stage);
    return l !== undefined && (l.always || (l.selective & ctx.observerMask) !== 0);
  }

  requestStart(ctx: RequestContext): void {
    const { observers, bits } = this.starts;
    let mask = 0;
    for (let i = 0; i < observers.length; i++) {
      const o = observers[i]!;
      try {
        const follows = o.onRequestStart!(ctx);
        if (follows === true) mask |= bits[i]!;
      } catch (e) {
        this.report(o, 'onRequestStart', e);
      }
    }
    ctx.observerMask = mask;
  }

  stage(ctx: RequestContext, stage: PipelineStage, startedAt: number, durationMs: number): void {
    const l = this.byStage.get(stage);
    if (l === undefined) return;
    const { observers, bits } = l;
    const mask = ctx.observerMask;
    for (let i = 0; i < observers.length; i++) {
      const b = bits[i]!;
      if (b !== 0 && (b & mask) === 0) continue;
      const o = observers[i]!;
      try {
        o.onStage!(ctx, stage, startedAt, durationMs);
      } catch (e) {
        this.report(o, 'onStage', e);
      }
    }
  }

  batch(model: string, version: string, batchSize: number, queueDepth: number): void {
    for (const o of this.batches) {
      try {
        o.onBatch!(model, version, batchSize, queueDepth);
      } catch (e) {
        this.report(o, 'onBatch', e);
      }
    }
  }

  modelState(model: string, version: string, state: string, loadDurationMs?: number): void {
    for (const o of this.modelStates) {
      try {
        o.onModelState!(model, version, state, loadDurationMs);
      } catch (e) {
        this.report(o, 'onModelState', e);
      }
    }
  }

  /** Whether some observer's `onRequestEnd` wants this request (callers skip building its outcome otherwise). */
  watchesEnd(ctx: RequestContext): boolean {
    const l = this.ends;
    return l.always || (l.selective & ctx.observerMask) !== 0;
  }

  requestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const { observers, bits } = this.ends;
    const mask = ctx.observerMask;
    for (let i = 0; i < observers.length; i++) {
      const b = bits[i]!;
      if (b !== 0 && (b & mask) === 0) continue;
      const o = observers[i]!;
      try {
        o.onRequestEnd!(ctx, outcome);
      } catch (e) {
        this.report(o, 'onRequestEnd', e);
      }
    }
  }

  /** An observer that throws is reported and skipped: telemetry never breaks an answer. */
  private report(o: PipelineObserver, hook: string, e: unknown): void {
    try {
      this.logger.warn({ observer: o.name, hook, err: e }, 'observer failed');
    } catch {
      // nothing left to report to
    }
  }
}
