import { definePlugin, Tokens, type ModelFormat } from '@ponte/core';
import { onnxFormat } from './onnx-format.js';
import { onnxOptionsSchema, type OnnxOptions } from './session-options.js';

export { onnxFormat, AUTO_WORKER_THRESHOLD_MICROS } from './onnx-format.js';
export { onnxOptionsSchema, toSessionOptions, type OnnxOptions } from './session-options.js';
export { InlineSession } from './inline-session.js';
export { WorkerPoolSession } from './worker-pool-session.js';
export { signatureOf } from './tensor-convert.js';

/**
 * The ONNX model format plugin. Its options are defaults for every ONNX
 * model; a model's own `options` override them.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/onnx'
 *     options: { defaults: { graphOptimizationLevel: all, executor: auto } }
 * ```
 */
export default definePlugin<{ defaults: OnnxOptions }>({
  name: '@ponte/onnx',
  kind: 'model-format',
  description: 'ONNX models through onnxruntime-node',
  configSchema: { type: 'object', additionalProperties: false, properties: { defaults: { ...onnxOptionsSchema, default: {} } } },
  register(ctx) {
    ctx.provide<ModelFormat>(Tokens.ModelFormat, onnxFormat(ctx.options.defaults ?? {}, ctx.logger));
  },
});
