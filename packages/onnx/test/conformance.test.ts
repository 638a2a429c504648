/**
 * The ONNX format passes the suite every model format passes
 * (`@ponte/testing`), on the purchase classifier with its golden rows, with
 * the session inline and in worker threads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@ponte/core';
import { EXAMPLE_MODELS } from '@ponte/http/testing';
import { modelFormatConformance } from '@ponte/testing';
import { onnxFormat } from '@ponte/onnx';

interface Golden { inputs: number[][]; expected: number[][]; output_name: string; tolerance: { atol: number } }
const golden = JSON.parse(readFileSync(join(EXAMPLE_MODELS, 'purchase', 'golden.json'), 'utf8')) as Golden;
const sampleInputs = [{ name: 'input', datatype: 'FP32' as const, shape: [golden.inputs.length, 8], data: Float32Array.from(golden.inputs.flat()) }];
const expected = [{ name: golden.output_name, datatype: 'FP32' as const, shape: [golden.expected.length, 2], data: Float32Array.from(golden.expected.flat()) }];

for (const executor of ['inline', 'worker'] as const) {
  modelFormatConformance(`onnx (${executor})`, {
    format: onnxFormat({}, createLogger('silent')),
    modelFile: join(EXAMPLE_MODELS, 'purchase', '1', 'model.onnx'),
    options: executor === 'worker' ? { executor, instances: 2 } : { executor },
    sampleInputs,
    expected,
    tolerance: golden.tolerance.atol,
  });
}
