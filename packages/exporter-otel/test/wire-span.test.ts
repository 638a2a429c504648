import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { fromWireSpans, toWireSpan } from '../src/wire-span.js';

/** Spans of every kind of content a span can carry, made by the real SDK. */
function sdkSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': 'ponte', 'deployment.environment.name': 'test', 'host.tags': ['a', 'b'] });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('@ponte/exporter-otel', '0.1.0');
  const other = provider.getTracer('another-plugin');
  const caller = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('vendor=abc,other=1'),
  });
  const server = tracer.startSpan('ponte infer purchase', { kind: SpanKind.SERVER, attributes: { 'ponte.model.name': 'purchase', 'ponte.batch.size': 4, ok: true, list: [1, 2] } }, caller);
  server.addEvent('queued', { depth: 3 });
  server.addLink({ context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: TraceFlags.NONE }, attributes: { why: 'batch' } });
  const child = tracer.startSpan('run', { kind: SpanKind.INTERNAL }, trace.setSpan(context.active(), server));
  child.end();
  other.startSpan('lookup', {}, trace.setSpan(ROOT_CONTEXT, server)).end();
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'INTERNAL' });
  server.end();
  return memory.getFinishedSpans();
}

describe('spans sent to the export worker', () => {
  it('serialize to the very same OTLP bytes (protobuf and JSON) after crossing to the worker as plain data', () => {
    const spans = sdkSpans();
    assert.equal(spans.length, 3);
    // What postMessage does to the data on its way to the worker.
    const wire = structuredClone(spans.map(toWireSpan));
    // The worker rebuilds the resource from its attributes, given once when it starts.
    const resource = resourceFromAttributes(structuredClone(spans[0]!.resource.attributes));
    const rebuilt = fromWireSpans(wire, resource, new Map<string, InstrumentationScope>());
    assert.deepEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest(rebuilt)!), Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
    assert.deepEqual(JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(rebuilt)!).toString()), JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()));
  });

  it('keep the caller\'s trace state, parent, links and events', () => {
    const [rebuilt] = fromWireSpans(structuredClone(sdkSpans().filter((s) => s.kind === SpanKind.SERVER).map(toWireSpan)), resourceFromAttributes({}), new Map());
    assert.equal(rebuilt!.spanContext().traceState?.get('vendor'), 'abc');
    assert.equal(rebuilt!.parentSpanContext?.spanId, 'b7ad6b7169203331');
    assert.equal(rebuilt!.parentSpanContext?.isRemote, true);
    assert.equal(rebuilt!.links[0]?.context.spanId, '2222222222222222');
    assert.equal(rebuilt!.events[0]?.name, 'queued');
    assert.equal(rebuilt!.status.code, SpanStatusCode.ERROR);
  });

  it('of one instrumentation scope share one scope object, so the exporter groups them as the SDK does', () => {
    const scopes = new Map<string, InstrumentationScope>();
    const spans = sdkSpans();
    const a = fromWireSpans(structuredClone(spans.map(toWireSpan)), spans[0]!.resource, scopes);
    const b = fromWireSpans(structuredClone(spans.map(toWireSpan)), spans[0]!.resource, scopes);
    const ponte = [...a, ...b].filter((s) => s.instrumentationScope.name === '@ponte/exporter-otel');
    assert.equal(ponte.length, 4);
    assert.ok(ponte.every((s) => s.instrumentationScope === ponte[0]!.instrumentationScope));
    assert.equal(scopes.size, 2);
  });
});
