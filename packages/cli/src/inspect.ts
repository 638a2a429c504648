import { resolve } from 'node:path';
import { createLogger, sha256OfFile, type ModelFormat } from '@ponte/core';
import { onnxFormat } from '@ponte/onnx';
import { jsModelFormat } from '@ponte/js-model';
import { EXIT, type Io } from './commands.js';

/** `ponte inspect FILE`: loads a model file once and prints its signature and sha256 (what `sha256` in a model's config pins) as JSON. */
export async function inspectModel(file: string, io: Io): Promise<number> {
  const abs = resolve(file);
  const formats: ModelFormat[] = [onnxFormat({ executor: 'inline' }, createLogger('silent')), jsModelFormat];
  const format = formats.find((f) => f.fileNames.some((n) => abs.endsWith(n.slice(n.lastIndexOf('.')))));
  if (format === undefined) {
    io.err(`ponte: ${file}: unknown model file type (expected .onnx, .mjs or .js)\n`);
    return EXIT.usage;
  }
  try {
    const sha256 = await sha256OfFile(abs);
    const model = await format.load({ name: 'inspect', version: '1', dir: resolve(abs, '..'), file: abs, options: {} });
    io.out(`${JSON.stringify({ format: format.name, platform: model.platform, sha256, ...model.signature }, null, 2)}\n`);
    await model.close();
    return EXIT.ok;
  } catch (e) {
    io.err(`ponte: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failure;
  }
}
