/**
 * A plugin author calls the suite of their plugin's kind from their own
 * tests. Here each suite runs on a small implementation that keeps its
 * contract, as an author's would; every built-in plugin runs them on itself
 * (see each package's test/conformance.test.ts, and http's and grpc's for the
 * protocol suite).
 */
import { rmSync } from 'node:fs';
import { after } from 'node:test';
import { authenticatorConformance, modelFormatConformance, observerConformance, sinkConformance, validatorConformance } from '@ponte/testing';
import { column, memorySink, nonNegative, request, scaleFormat, scaleModel, scaleModelFile, statusCounter, teamTokens } from '../test-support/reference-plugins.js';

const model = scaleModelFile(2.5);
after(() => rmSync(model.dir, { recursive: true, force: true }));

modelFormatConformance('scale', { format: scaleFormat, modelFile: model.file, sampleInputs: [column('x', [1, 2, -4])], expected: [column('y', [2.5, 5, -10])] });

validatorConformance('non-negative', {
  validator: nonNegative,
  model: scaleModel,
  valid: [request([0, 1, 2.5])],
  invalid: [{ request: request([1, -1]), field: 'inputs[0].data[1]' }, { request: request([-0.5]), field: 'inputs[0].data[0]' }],
});

authenticatorConformance('team-token', {
  authenticator: teamTokens({ ops: 'open-sesame-123456', billing: 'counting-beans-7890' }),
  valid: { headers: { 'X-Team-Token': 'ops.open-sesame-123456' } },
  invalid: [{ headers: { 'x-team-token': 'ops.counting-beans-7890' } }, { headers: { 'x-team-token': 'nobody' } }],
  foreign: { headers: { authorization: 'Bearer someone-elses-token-123' } },
});

const sink = memorySink();
sinkConformance('memory', { sink, failing: memorySink(true), delivered: () => sink.written - 0 });

observerConformance('status-counter', { observer: statusCounter() });
