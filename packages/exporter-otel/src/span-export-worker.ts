// The export worker: OTLP serialization and HTTP for spans, off the server's thread.
// Run by WorkerSpanExporter; not imported by anything else.
import { parentPort, workerData } from 'node:worker_threads';
import type { InstrumentationScope } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ExportWorkerConfig, FromExportWorker, ToExportWorker } from './worker-span-exporter.js';
import { fromWireSpans } from './wire-span.js';

const config = workerData as ExportWorkerConfig;
const port = parentPort!;
const options = { url: config.url, headers: { ...config.headers }, timeoutMillis: config.timeoutMillis };
const exporter = config.protocol === 'http/json' ? new JsonTraceExporter(options) : new ProtoTraceExporter(options);
const resource = resourceFromAttributes(config.resourceAttributes);
const scopes = new Map<string, InstrumentationScope>();

port.on('message', (m: ToExportWorker) => {
  switch (m.type) {
    case 'export':
      exporter.export(fromWireSpans(m.spans, resource, scopes), (result) => {
        port.postMessage({ type: 'exported', id: m.id, code: result.code, ...(result.error !== undefined ? { error: result.error.message } : {}) } satisfies FromExportWorker);
      });
      break;
    case 'flush':
      void exporter.forceFlush().finally(() => port.postMessage({ type: 'flushed', id: m.id } satisfies FromExportWorker));
      break;
    case 'shutdown':
      void exporter.shutdown().finally(() => {
        port.postMessage({ type: 'flushed', id: m.id } satisfies FromExportWorker);
        port.close();
      });
      break;
  }
});
