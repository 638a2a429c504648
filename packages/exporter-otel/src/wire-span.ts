import { TraceState } from '@opentelemetry/core';
import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** A span context as plain data (`traceState` serialized). */
interface WireSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: string;
  isRemote?: boolean;
}

/**
 * A finished span as plain, structured-cloneable data: what the OTLP
 * serializers read from a `ReadableSpan`, without its methods, resource or
 * processor. This is what crosses from the server's thread to the export worker.
 */
export interface WireSpan {
  name: string;
  kind: SpanKind;
  context: WireSpanContext;
  parent?: WireSpanContext;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: TimedEvent[];
  droppedEventsCount: number;
  links: { context: WireSpanContext; attributes?: Attributes; droppedAttributesCount?: number }[];
  droppedLinksCount: number;
  status: SpanStatus;
  scope: InstrumentationScope;
}

function wireContext(c: SpanContext): WireSpanContext {
  const w: WireSpanContext = { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags };
  const state = c.traceState?.serialize();
  if (state) w.traceState = state;
  if (c.isRemote !== undefined) w.isRemote = c.isRemote;
  return w;
}

function spanContext(w: WireSpanContext): SpanContext {
  const c: SpanContext = { traceId: w.traceId, spanId: w.spanId, traceFlags: w.traceFlags };
  if (w.traceState !== undefined) c.traceState = new TraceState(w.traceState);
  if (w.isRemote !== undefined) c.isRemote = w.isRemote;
  return c;
}

/** The plain-data form of a finished SDK span. */
export function toWireSpan(span: ReadableSpan): WireSpan {
  const { instrumentationScope: s } = span;
  const w: WireSpan = {
    name: span.name,
    kind: span.kind,
    context: wireContext(span.spanContext()),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events,
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l: Link) => ({ context: wireContext(l.context), ...(l.attributes !== undefined ? { attributes: l.attributes } : {}), ...(l.droppedAttributesCount !== undefined ? { droppedAttributesCount: l.droppedAttributesCount } : {}) })),
    droppedLinksCount: span.droppedLinksCount,
    status: span.status,
    scope: { name: s.name, ...(s.version !== undefined ? { version: s.version } : {}), ...(s.schemaUrl !== undefined ? { schemaUrl: s.schemaUrl } : {}) },
  };
  if (span.parentSpanContext !== undefined) w.parent = wireContext(span.parentSpanContext);
  return w;
}

/**
 * Turns wire spans back into `ReadableSpan`s for an OTLP exporter. The OTLP
 * serializers group spans by resource and scope *object*, so every span gets
 * the one `resource` and spans of one scope share one scope object (`scopes`
 * caches them across calls).
 */
export function fromWireSpans(spans: readonly WireSpan[], resource: Resource, scopes: Map<string, InstrumentationScope>): ReadableSpan[] {
  return spans.map((w) => {
    const key = `${w.scope.name}\u0000${w.scope.version ?? ''}\u0000${w.scope.schemaUrl ?? ''}`;
    let scope = scopes.get(key);
    if (scope === undefined) scopes.set(key, (scope = w.scope));
    const context = spanContext(w.context);
    return {
      name: w.name,
      kind: w.kind,
      spanContext: () => context,
      ...(w.parent !== undefined ? { parentSpanContext: spanContext(w.parent) } : {}),
      startTime: w.startTime,
      endTime: w.endTime,
      duration: w.duration,
      status: w.status,
      attributes: w.attributes,
      links: w.links.map((l) => ({ ...l, context: spanContext(l.context) })),
      events: w.events,
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: w.droppedAttributesCount,
      droppedEventsCount: w.droppedEventsCount,
      droppedLinksCount: w.droppedLinksCount,
    };
  });
}
