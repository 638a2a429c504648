import { context as apiContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TextMapGetter, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type { PipelineObserver, PipelineStage, RequestContext, RequestOutcome } from '@ponte/core';
import { TraceRateLimiter } from './trace-rate-limiter.js';

/**
 * Key under which the request's OpenTelemetry `Context` (holding its server
 * span) is kept in `RequestContext.attributes`. Other plugins may use it as the
 * parent of their own spans without depending on this package:
 * `ctx.attributes.get(Symbol.for('ponte.otel.context'))`.
 */
export const OTEL_CONTEXT_KEY: unique symbol = Symbol.for('ponte.otel.context') as typeof OTEL_CONTEXT_KEY;
const SPAN_KEY = Symbol('ponte.otel.span');

/** Semantic attribute names used on spans and metrics. */
export const Attr = {
  protocol: 'ponte.protocol',
  endpoint: 'ponte.endpoint',
  model: 'ponte.model.name',
  version: 'ponte.model.version',
  batchSize: 'ponte.batch.size',
  requestId: 'ponte.request.id',
  status: 'http.response.status_code',
  errorType: 'error.type',
  stage: 'ponte.stage',
} as const;

const headerGetter: TextMapGetter<Readonly<Record<string, string | undefined>>> = {
  keys: (carrier) => Object.keys(carrier),
  // Core lower-cases header names; propagators ask for lower-case keys.
  get: (carrier, key) => carrier[key.toLowerCase()],
};

/** `performance.now()` milliseconds → epoch milliseconds, which the SDK accepts as a span time. */
function epochMs(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

/**
 * One server span per request, a child of the caller's trace when a W3C
 * `traceparent` header came in, with a child span per pipeline stage. Spans are
 * created after the fact from the timings core reports (explicit start and end
 * times), so tracing adds no awaits and no work to the answer itself; export
 * happens later, in batches, off the request path. The observer is `selective`:
 * core calls its stage and end hooks only for the requests it traces, so an
 * unsampled request costs one call and a comparison.
 *
 * @example
 * ```ts
 * ctx.provide(Tokens.PipelineObserver, new TracingObserver(tracerRef, new W3CTraceContextPropagator(), stages));
 * ```
 */
export class TracingObserver implements PipelineObserver {
  readonly name = '@ponte/exporter-otel:tracing';
  readonly selective = true;
  /** Set in start(), cleared in stop(): requests outside that window are not traced. */
  tracer: Tracer | undefined;
  private readonly limiter: TraceRateLimiter | undefined;

  constructor(
    private readonly propagator: TextMapPropagator,
    /** Stages that become child spans; core calls onStage for these only (PipelineObserver.stages). */
    readonly stages: readonly PipelineStage[],
    /** Fraction of requests without an incoming `traceparent` that start a trace. */
    private readonly samplingRatio = 1,
    /** Most new traces started a second, after `samplingRatio` (undefined: no cap). */
    maxTracesPerSecond?: number,
  ) {
    this.limiter = maxTracesPerSecond === undefined ? undefined : new TraceRateLimiter(maxTracesPerSecond);
  }

  onRequestStart(ctx: RequestContext): boolean {
    const tracer = this.tracer;
    if (tracer === undefined) return false;
    // New traces are sampled here, before any OpenTelemetry work: an unsampled
    // request then costs one comparison instead of a non-recording span, a
    // context and a header parse. (Ponte calls no downstream service, so an
    // unsampled request has no context to propagate.) A caller's traceparent
    // is always honoured by the SDK's parent-based sampler, and not capped.
    if (ctx.headers['traceparent'] === undefined) {
      if (this.samplingRatio < 1 && Math.random() >= this.samplingRatio) return false;
      if (this.limiter !== undefined && !this.limiter.take(ctx.startedAt)) return false;
    }
    const parent: Context = this.propagator.extract(ROOT_CONTEXT, ctx.headers, headerGetter);
    const span = tracer.startSpan(
      `ponte ${ctx.endpoint}`,
      { kind: SpanKind.SERVER, startTime: epochMs(ctx.startedAt), attributes: { [Attr.protocol]: ctx.protocol, [Attr.endpoint]: ctx.endpoint, [Attr.requestId]: ctx.requestId } },
      parent,
    );
    ctx.attributes.set(SPAN_KEY, span);
    ctx.attributes.set(OTEL_CONTEXT_KEY, trace.setSpan(parent, span));
    // A caller's unsampled traceparent gives a non-recording span: its context is kept for
    // other plugins to propagate, but its stages and end need no calls.
    return span.isRecording();
  }

  onStage(ctx: RequestContext, stage: PipelineStage, startedAt: number, durationMs: number): void {
    const tracer = this.tracer;
    const span = ctx.attributes.get(SPAN_KEY) as Span | undefined;
    if (tracer === undefined || span === undefined || !span.isRecording()) return;
    const attributes: Attributes = { [Attr.stage]: stage };
    if (ctx.model !== undefined) attributes[Attr.model] = ctx.model;
    if (ctx.version !== undefined) attributes[Attr.version] = ctx.version;
    if ((stage === 'queue' || stage === 'run') && ctx.batchSize !== undefined) attributes[Attr.batchSize] = ctx.batchSize;
    const parent = (ctx.attributes.get(OTEL_CONTEXT_KEY) as Context | undefined) ?? apiContext.active();
    tracer.startSpan(stage, { kind: SpanKind.INTERNAL, startTime: epochMs(startedAt), attributes }, parent).end(epochMs(startedAt + durationMs));
  }

  onRequestEnd(ctx: RequestContext, outcome: RequestOutcome): void {
    const span = ctx.attributes.get(SPAN_KEY) as Span | undefined;
    if (span === undefined) return;
    ctx.attributes.delete(SPAN_KEY);
    if (span.isRecording()) {
      if (ctx.model !== undefined) {
        span.updateName(`ponte ${ctx.endpoint} ${ctx.model}`);
        span.setAttribute(Attr.model, ctx.model);
      }
      if (ctx.version !== undefined) span.setAttribute(Attr.version, ctx.version);
      if (ctx.batchSize !== undefined) span.setAttribute(Attr.batchSize, ctx.batchSize);
      span.setAttribute(Attr.status, outcome.status);
      if (outcome.code !== undefined) span.setAttribute(Attr.errorType, outcome.code);
      // Server-span convention: a 4xx is the caller's mistake, not a failure of the service.
      if (outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.code ?? String(outcome.status) });
    }
    span.end(epochMs(ctx.startedAt + outcome.durationMs));
  }
}
