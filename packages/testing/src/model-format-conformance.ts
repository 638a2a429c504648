import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadedModel, ModelFormat, Tensor } from '@ponte/core';
import { assertSpecs, assertTensorFits, doubled, valuesOf } from './tensor-checks.js';

/** What `modelFormatConformance` needs: the format and one model it loads, with a request for it. */
export interface ModelFormatFixture {
  format: ModelFormat;
  /** Absolute path of a model file the format loads; its folder is the version folder. */
  modelFile: string;
  /** The model config's `options` for this format; default `{}`. */
  options?: Record<string, unknown>;
  /** A request's inputs, batched along the first dimension (at least one row). */
  sampleInputs: Tensor[];
  /** The outputs `sampleInputs` must give: compared by name, with `tolerance` for floats. */
  expected?: Tensor[];
  /** Absolute tolerance of float comparisons; default 1e-5. */
  tolerance?: number;
}

/**
 * The tests every `ModelFormat` passes, as a node:test suite: it loads the
 * fixture model, checks the signature it reports, runs the sample request
 * (alone, doubled, several at once, asking for one output), checks the
 * outputs against the signature (and `expected`), closes twice, and loads a
 * corrupt file of the same name, which must be refused with an error rather
 * than crash the process.
 *
 * @example
 * ```ts
 * import { modelFormatConformance } from '@ponte/testing';
 * modelFormatConformance('onnx', { format: onnxFormat({}, logger), modelFile: join(EXAMPLE_MODELS, 'purchase', '1', 'model.onnx'), sampleInputs: [row] });
 * ```
 */
export function modelFormatConformance(name: string, fixture: ModelFormatFixture): void {
  const { format, modelFile } = fixture;
  const options = fixture.options ?? {};
  const load = (file: string): Promise<LoadedModel> =>
    format.load({ name: 'conformance', version: '1', dir: dirname(file), file, options });

  describe(`ModelFormat conformance: ${name}`, () => {
    let model: LoadedModel;
    before(async () => {
      model = await load(modelFile);
    });
    after(async () => {
      await model?.close();
    });

    it('has a name, the file names it recognises (the fixture\'s among them) and, if any, an options schema', () => {
      assert.ok(typeof format.name === 'string' && format.name !== '', 'format.name: a non-empty string');
      assert.ok(Array.isArray(format.fileNames) && format.fileNames.length > 0, 'format.fileNames: a non-empty list');
      assert.ok(format.fileNames.includes(basename(modelFile)), `format.fileNames ${JSON.stringify(format.fileNames)} should include the fixture's ${basename(modelFile)}`);
      if (format.optionsSchema !== undefined) assert.equal(typeof format.optionsSchema, 'object', 'format.optionsSchema: a JSON Schema object');
    });

    it('reports a signature core can check requests against, and a platform', () => {
      assertSpecs(model.signature.inputs, 'inputs');
      assertSpecs(model.signature.outputs, 'outputs');
      assert.ok(typeof model.platform === 'string' && model.platform !== '', 'platform: a non-empty string');
      if (model.instances !== undefined) assert.ok(Number.isInteger(model.instances) && model.instances >= 1, `instances: a positive integer, got ${model.instances}`);
      for (const t of fixture.sampleInputs) {
        const spec = model.signature.inputs.find((s) => s.name === t.name);
        assert.ok(spec !== undefined, `sampleInputs: "${t.name}" is not an input of the signature`);
        assertTensorFits(t, spec, `sampleInputs "${t.name}"`);
      }
    });

    it('runs the sample request: every declared output, with its declared name, datatype and shape', async () => {
      const out = await model.run({ inputs: fixture.sampleInputs });
      assert.ok(Array.isArray(out), 'run() resolves to a list of tensors');
      for (const spec of model.signature.outputs) {
        const t = out.find((o) => o.name === spec.name);
        assert.ok(t !== undefined, `output "${spec.name}" is declared but missing (got ${out.map((o) => o.name).join(', ')})`);
        assertTensorFits(t, spec, `output "${spec.name}"`);
        if (spec.shape[0] === -1 && fixture.sampleInputs[0] !== undefined) assert.equal(t.shape[0], fixture.sampleInputs[0].shape[0], `output "${spec.name}": one row per input row`);
      }
      for (const t of out) assert.ok(model.signature.outputs.some((s) => s.name === t.name), `output "${t.name}" is not declared in the signature`);
      for (const want of fixture.expected ?? []) {
        const got = out.find((o) => o.name === want.name);
        assert.ok(got !== undefined, `expected output "${want.name}" is missing`);
        assert.deepEqual(got.shape, want.shape, `output "${want.name}": shape`);
        const [g, w] = [valuesOf(got), valuesOf(want)];
        w.forEach((v, i) => {
          if (typeof v === 'number' && typeof g[i] === 'number') assert.ok(Math.abs(g[i] - v) <= (fixture.tolerance ?? 1e-5), `output "${want.name}"[${i}]: ${g[i]}, expected ${v}`);
          else assert.equal(g[i], v, `output "${want.name}"[${i}]`);
        });
      }
    });

    it('gives the asked-for output when a request names one', async () => {
      const wanted = model.signature.outputs[0]!.name;
      const out = await model.run({ inputs: fixture.sampleInputs, outputs: [wanted] });
      assert.ok(out.some((t) => t.name === wanted), `output "${wanted}" was asked for but not returned`);
    });

    it('runs a batch core concatenated (the rows twice) and several requests at once, each with its own answer', async () => {
      const batchable = model.signature.inputs.every((s) => s.shape[0] === -1) && fixture.sampleInputs.every((t) => t.shape.length > 0);
      if (batchable) {
        const single = await model.run({ inputs: fixture.sampleInputs });
        const twice = await model.run({ inputs: doubled(fixture.sampleInputs) });
        for (const s of single) {
          const t = twice.find((o) => o.name === s.name);
          assert.ok(t !== undefined, `output "${s.name}" missing from the doubled batch`);
          if (s.shape.length > 0 && model.signature.outputs.find((o) => o.name === s.name)?.shape[0] === -1) assert.equal(t.shape[0], s.shape[0]! * 2, `output "${s.name}": twice the rows`);
        }
      }
      const answers = await Promise.all(Array.from({ length: 4 }, () => model.run({ inputs: fixture.sampleInputs })));
      const first = answers[0]!;
      for (const a of answers) for (const t of first) assert.deepEqual(valuesOf(a.find((o) => o.name === t.name)!), valuesOf(t), `output "${t.name}": the same answer for the same request`);
    });

    it('closes idempotently: a second close() resolves too', async () => {
      const another = await load(modelFile);
      await another.close();
      await another.close();
    });

    it('refuses a corrupt file of the same name with an error, not a crash', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ponte-conformance-format-'));
      try {
        const file = join(dir, basename(modelFile));
        writeFileSync(file, Buffer.concat([Buffer.from('this is not a model {{{ \u0000'), Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37])]));
        await assert.rejects(load(file).then((m) => m.close()), (e: unknown) => {
          assert.ok(e instanceof Error, `rejects with an Error, got ${String(e)}`);
          assert.ok(e.message.length > 0, 'the error says what is wrong');
          return true;
        });
        const missing = join(dir, 'missing', basename(modelFile));
        await assert.rejects(load(missing).then((m) => m.close()), Error, 'a missing file is an error too');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
