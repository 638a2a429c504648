/**
 * The Prometheus exporter's observer passes the suite every observer passes
 * (`@ponte/testing`): the one a server with this plugin provides, fed
 * requests in every order and with odd values, and its /metrics still
 * answering afterwards.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { resolveAllTokens, Tokens } from '@ponte/core';
import { startTestServer } from '@ponte/http/testing';
import { observerConformance } from '@ponte/testing';

const server = await startTestServer({ config: { plugins: ['@ponte/exporter-prometheus'] } });
after(() => server.stop());

for (const observer of resolveAllTokens(server.container, Tokens.PipelineObserver)) observerConformance(`@ponte/exporter-prometheus (${observer.name})`, { observer });

test('after the suite, /metrics still answers with the text format', async () => {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^# HELP /m);
});
