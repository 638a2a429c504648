// Run by broken-plugins.test.ts in a child process: implementations that
// break their kind's contract, one suite each, which must fail.
import { after } from 'node:test';
import { rmSync } from 'node:fs';
import type { PipelineObserver, PredictionSink } from '@ponte/core';
import { authenticatorConformance, modelFormatConformance, observerConformance, sinkConformance, validatorConformance } from '../src/index.js';
import { column, nonNegative, request, scaleFormat, scaleModel, scaleModelFile, teamTokens } from './reference-plugins.js';

const which = process.env['PONTE_BROKEN'];

if (which === 'format') {
  // Declares an output it never returns.
  const model = scaleModelFile(2);
  after(() => rmSync(model.dir, { recursive: true, force: true }));
  modelFormatConformance('broken format', {
    format: { ...scaleFormat, load: async (req) => ({ ...(await scaleFormat.load(req)), signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }, { name: 'z', datatype: 'FP32', shape: [-1, 1] }] } }) },
    modelFile: model.file,
    sampleInputs: [column('x', [1])],
  });
} else if (which === 'validator') {
  // Refuses the right request but with a message that does not name the field.
  validatorConformance('broken validator', { validator: nonNegative, model: scaleModel, valid: [request([1])], invalid: [{ request: request([1, -1]), field: 'inputs[0].data[0]' }] });
} else if (which === 'authenticator') {
  authenticatorConformance('broken authenticator', { authenticator: teamTokens({ ops: 'open-sesame-123456' }, true), valid: { headers: { 'x-team-token': 'ops.open-sesame-123456' } }, invalid: [{ headers: { 'x-team-token': 'ops.not-the-secret-at-all' } }], foreign: {} });
} else if (which === 'sink') {
  const sink: PredictionSink = { name: 'throws', write: () => { throw new Error('synchronously'); } };
  sinkConformance('broken sink', { sink });
} else if (which === 'observer') {
  const observer: PipelineObserver = { name: 'fragile', onRequestEnd: (ctx) => { if (ctx.model === undefined) throw new Error('no model'); } };
  observerConformance('broken observer', { observer });
}
