import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, definePlugin, loadConfigObject, PonteServer, Tokens, type InferenceRequest, type ModelFormat, type Plugin } from '../../src/index.js';
import { DirectExchange, type DirectAnswer } from './direct-protocol.js';

/** `factor.txt` holds k; the model answers y = k·x, rows batched along the first dimension. */
export const multiplierFormat: ModelFormat = {
  name: 'multiplier',
  fileNames: ['factor.txt'],
  async load(req) {
    const k = Number(readFileSync(req.file, 'utf8'));
    return {
      platform: 'multiplier',
      signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] },
      run: async (r) => [{ name: 'y', datatype: 'FP32', shape: r.inputs[0]!.shape, data: (r.inputs[0]!.data as Float32Array).map((v) => v * k) }],
      close: async () => undefined,
    };
  },
};

export const multiplierPlugin: Plugin = definePlugin({ name: 'multiplier', kind: 'model-format', register(ctx) { ctx.provide(Tokens.ModelFormat, multiplierFormat); } });

/** A repository folder: model name → version → factor, plus optional model.yaml text. */
export function repository(models: Record<string, Record<string, number>>, yaml: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-core-'));
  for (const [name, versions] of Object.entries(models)) {
    for (const [v, k] of Object.entries(versions)) {
      mkdirSync(join(dir, name, v), { recursive: true });
      writeFileSync(join(dir, name, v, 'factor.txt'), String(k));
    }
    if (yaml[name] !== undefined) writeFileSync(join(dir, name, 'model.yaml'), yaml[name]);
  }
  return dir;
}

/** A started server over a repository, with the multiplier format and the given plugins (no protocol: tests call the pipeline). */
export async function startServer(dir: string, plugins: Plugin[] = [], server: Record<string, unknown> = {}): Promise<PonteServer> {
  const s = await PonteServer.create(loadConfigObject({ version: 1, server: { port: 0, ...server }, repository: dir }, dir), { logger: createLogger('silent'), defaults: [multiplierPlugin, ...plugins] });
  await s.start();
  return s;
}

/** Runs one inference through the pipeline as a protocol would; answers `{ status, value: { version, y } }`. */
export function infer(server: PonteServer, model: string, x: number[], version?: string): Promise<DirectAnswer> {
  const request: InferenceRequest = { model, inputs: [{ name: 'x', datatype: 'FP32', shape: [x.length, 1], data: Float32Array.from(x) }], ...(version !== undefined ? { version } : {}) };
  return server.pipeline.handle(new DirectExchange('infer', 'infer', { model, ...(version !== undefined ? { version } : {}) }), {
    decode: () => request,
    encode: (_x, { response }) => ({ status: 200, value: { version: response.model_version, y: Array.from(response.outputs[0]!.data as Float32Array) } }),
  });
}
