import { basename, dirname, extname } from 'node:path';
import type { Answers } from './answers.js';

/** The model the new service serves, as the generated files need it. */
export interface ServiceModel {
  /** Its name in URLs and in the repository (`models/<name>`). */
  name: string;
  /** The model format plugin that loads it. */
  formatPlugin: '@ponte/onnx' | '@ponte/js-model';
  /** The file name inside the version folder (`model.onnx`, `model.mjs`). */
  fileName: string;
  /** True for the bundled example (purchase). */
  example: boolean;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Which model, from the answers: the example, or a file of the user's whose name becomes the model's name. Throws a RangeError for a format Ponte cannot serve. */
export function serviceModel(answers: Pick<Answers, 'model' | 'name'>): ServiceModel {
  if (answers.model === 'example') return { name: 'purchase', formatPlugin: '@ponte/onnx', fileName: 'model.onnx', example: true };
  const ext = extname(answers.model).toLowerCase();
  if (ext !== '.onnx' && ext !== '.mjs' && ext !== '.js') throw new RangeError(`--model: ${answers.model} is not a model file Ponte serves (.onnx, or a JavaScript module .mjs/.js)`);
  // "model.onnx" says nothing: name it after its repository folder (<name>/<version>/model.onnx), else after the service.
  const stem = basename(answers.model, extname(answers.model));
  const inRepository = repositoryFolder(answers.model);
  const candidate = (stem.toLowerCase() !== 'model' ? stem : inRepository !== undefined ? basename(inRepository) : answers.name).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  const name = MODEL_NAME.test(candidate) ? candidate : 'model';
  return { name, formatPlugin: ext === '.onnx' ? '@ponte/onnx' : '@ponte/js-model', fileName: `model${ext}`, example: false };
}

/** The model's folder when the file sits in a Ponte/Triton repository layout (`<model>/<version>/file`). */
export function repositoryFolder(file: string): string | undefined {
  const versionDir = dirname(file);
  return /^\d+$/.test(basename(versionDir)) ? dirname(versionDir) : undefined;
}
