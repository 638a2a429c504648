// Small implementations of each extension point, right and wrong, for the
// suites' own tests. Not a test file itself (it lives outside test/).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PonteError, type Authenticator, type InferenceRequest, type ModelFormat, type ModelView, type PipelineObserver, type PredictionSink, type Tensor } from '@ponte/core';

/** A format whose model file is JSON `{ "scale": n }`: one FP32 input `x` [-1, 1], output `y` = scale · x. */
export const scaleFormat: ModelFormat = {
  name: 'scale',
  fileNames: ['model.scale.json'],
  async load(req) {
    const { scale } = JSON.parse(await readFile(req.file, 'utf8')) as { scale: unknown };
    if (typeof scale !== 'number') throw new Error(`${req.file}: "scale" must be a number`);
    return {
      platform: 'scale_json',
      signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] },
      async run({ inputs }) {
        const x = inputs[0]!;
        return [{ name: 'y', datatype: 'FP32', shape: [...x.shape], data: (x.data as Float32Array).map((v) => v * scale) }];
      },
      async close() {},
    };
  },
};

/** A scale model file in a new temp folder; the caller removes the folder. */
export function scaleModelFile(scale: number): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-testing-scale-'));
  const file = join(dir, 'model.scale.json');
  writeFileSync(file, JSON.stringify({ scale }));
  return { dir, file };
}

export const column = (name: string, values: number[]): Tensor => ({ name, datatype: 'FP32', shape: [values.length, 1], data: Float32Array.from(values) });

/** Refuses a negative `x`, naming the element. */
export const nonNegative = {
  name: 'non-negative',
  validate(request: InferenceRequest) {
    const x = request.inputs.find((t) => t.name === 'x');
    x?.data.forEach((v, i) => {
      if (typeof v === 'number' && v < 0) throw new PonteError('PONTE_VALIDATION_FAILED', `inputs[0].data[${i}]: must be >= 0, got ${v}`);
    });
  },
};

export const scaleModel: ModelView = {
  name: 'scale',
  version: '1',
  config: { name: 'scale', source: '/models/scale', versionPolicy: { latest: 1 }, required: true, warmup: { runs: 0 }, logging: { predictions: false, sampleRate: 1, redact: [] }, options: {} },
  signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }] },
};

export const request = (values: number[]): InferenceRequest => ({ model: 'scale', inputs: [column('x', values)] });

/** `X-Team-Token: <team>.<secret>`: the secret must be the team's. */
export function teamTokens(secrets: Record<string, string>, echo = false): Authenticator {
  return {
    scheme: 'team-token',
    async authenticate(ctx) {
      const given = ctx.headers['x-team-token'];
      if (given === undefined) return null;
      const [team, secret] = given.split('.');
      if (team === undefined || secret === undefined || secrets[team] !== secret) throw new PonteError('PONTE_UNAUTHENTICATED', echo ? `unknown token ${given}` : 'unknown team token');
      return { id: team, scheme: 'team-token', scopes: ['infer:*'] };
    },
  };
}

/** Keeps what it is given in memory; `full` (a memory quota reached) makes every write reject. */
export function memorySink(full = false): PredictionSink & { written: number } {
  const sink = {
    name: 'memory',
    maxBatch: 64,
    written: 0,
    async write(records: readonly unknown[]) {
      if (full) throw new Error('memory quota reached');
      sink.written += records.length;
    },
    flush() {},
  };
  return sink;
}

/** Counts requests by status. */
export function statusCounter(): PipelineObserver & { counts: Map<number, number> } {
  const counts = new Map<number, number>();
  return { name: 'status-counter', counts, onRequestEnd: (_ctx, outcome) => { counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1); } };
}
