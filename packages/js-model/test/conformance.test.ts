/**
 * The JavaScript-module format passes the suite every model format passes
 * (`@ponte/testing`), on the scorer fixture (two inputs, two outputs, weights
 * read from its version folder).
 */
import { fileURLToPath } from 'node:url';
import { modelFormatConformance } from '@ponte/testing';
import { jsModelFormat } from '@ponte/js-model';

const column = (name: string, values: number[]) => ({ name, datatype: 'FP32' as const, shape: [values.length, 1], data: Float32Array.from(values) });

modelFormatConformance('js', {
  format: jsModelFormat,
  modelFile: fileURLToPath(new URL('../../test/fixtures/repo/scorer/1/model.mjs', import.meta.url)),
  options: { offset: 0.5 },
  sampleInputs: [column('a', [1, 2, 3]), column('b', [0.5, 0.25, 4])],
  expected: [column('diff', [0.5, 1.75, -1])],
});
