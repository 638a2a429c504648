/**
 * The OpenTelemetry exporter's observers (the sampling tracer and the request
 * metrics) pass the suite every observer passes (`@ponte/testing`): those a
 * server with this plugin provides, exporting to a real OTLP receiver.
 */
import { after } from 'node:test';
import { resolveAllTokens, Tokens } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { observerConformance } from '@ponte/testing';
import { OtlpCollector } from './otlp-collector.js';

const collector = new OtlpCollector();
const endpoint = await collector.start();
const server = await startTestServer({ config: { plugins: [{ package: '@ponte/exporter-otel', options: { endpoint, scheduledDelayMillis: 200, metricExportIntervalMillis: 500 } }] } });
after(async () => {
  await server.stop();
  await collector.stop();
});

for (const observer of resolveAllTokens(server.container, Tokens.PipelineObserver)) observerConformance(`@ponte/exporter-otel (${observer.name})`, { observer });
