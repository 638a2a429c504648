/**
 * A data scientist ships a model with golden.json (rows and the answers the
 * training library gave): the served model must give the same answers, within
 * the tolerance the file states, through every REST route a client may use.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '../src/testing.js';
import { assertClose, loadGolden, PLUGINS, post, type Golden } from './support/rest.js';

const MODELS = ['purchase', 'house', 'digits', 'wide_mlp'] as const;

/** The `labels:` list of a model.yaml; written as a flow sequence, so it is JSON. */
function labelsOf(model: string): Array<string | number> | undefined {
  const yaml = readFileSync(join(EXAMPLE_MODELS, model, 'model.yaml'), 'utf8');
  const line = /^labels:\s*(\[.*\])\s*$/m.exec(yaml);
  return line ? (JSON.parse(line[1]!) as Array<string | number>) : undefined;
}

function inferBody(g: Golden, rows: number[][], nested: boolean): unknown {
  const width = g.feature_names.length;
  return { inputs: [{ name: g.input_name, datatype: 'FP32', shape: [rows.length, width], data: nested ? rows : rows.flat() }] };
}

let server: PonteServer;

before(async () => {
  server = await startTestServer({ config: { plugins: PLUGINS, repository: EXAMPLE_MODELS } });
});

after(async () => {
  await server?.stop();
});

for (const model of MODELS) {
  const g = loadGolden(model);
  const labels = labelsOf(model);
  const classifier = g.task !== 'regression';

  describe(`${model} answers its golden.json`, () => {
    test('the golden file is complete enough to test against', () => {
      assert.equal(g.inputs.length, 10);
      assert.equal(g.inputs_named.length, 10);
      assert.equal(g.expected.length, 10);
      if (classifier) {
        assert.ok(labels !== undefined, `${model}/model.yaml should list labels`);
        assert.equal(labels.length, g.expected[0]!.length);
        assert.equal(g.expected_label?.length, 10);
      }
    });

    for (const route of [`/v2/models/${model}/infer`, `/v2/models/${model}/versions/1/infer`]) {
      for (const nested of [false, true]) {
        const how = `${nested ? 'nested' : 'flat'} data via ${route}`;

        test(`all 10 rows in one OIP request, ${how}`, async () => {
          const res = await post(server.url, route, inferBody(g, g.inputs, nested));
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal(res.body.model_name, model);
          assert.equal(res.body.model_version, '1');
          const out = res.body.outputs.find((o: { name: string }) => o.name === g.output_name);
          assert.ok(out, `output ${g.output_name} missing from ${JSON.stringify(res.body.outputs.map((o: { name: string }) => o.name))}`);
          assert.equal(out.datatype, 'FP32');
          assert.deepEqual(out.shape, [10, g.expected[0]!.length]);
          assertClose(out.data, g.expected.flat(), g.tolerance, `${model} ${g.output_name}`);
          const label = res.body.outputs.find((o: { name: string }) => o.name === 'label');
          if (label !== undefined && g.expected_label !== undefined) assert.deepEqual(label.data, g.expected_label);
        });

        test(`one row per OIP request, ${how}`, async () => {
          for (let r = 0; r < g.inputs.length; r++) {
            const res = await post(server.url, route, inferBody(g, [g.inputs[r]!], nested));
            assert.equal(res.status, 200, JSON.stringify(res.body));
            const out = res.body.outputs.find((o: { name: string }) => o.name === g.output_name);
            assert.deepEqual(out.shape, [1, g.expected[r]!.length]);
            assertClose(out.data, g.expected[r]!, g.tolerance, `${model} row ${r} ${g.output_name}`);
          }
        });
      }
    }

    /** Checks named-API predictions against golden rows `from`… */
    const checkPredictions = (predictions: Array<Record<string, unknown>>, from: number): void => {
      predictions.forEach((p, k) => {
        const r = from + k;
        if (classifier) {
          const probs = p['probabilities'] as Record<string, number>;
          assert.deepEqual(Object.keys(probs), labels!.map(String), `row ${r}: probabilities should be keyed by the labels, in order`);
          assertClose(labels!.map((l) => probs[String(l)]!), g.expected[r]!, g.tolerance, `${model} row ${r} probabilities`);
          assert.equal(p['label'], labels![g.expected_label![r]!], `row ${r}: label`);
        } else {
          assert.equal(typeof p['prediction'], 'number', `row ${r}: ${JSON.stringify(p)}`);
          assertClose([p['prediction'] as number], g.expected[r]!, g.tolerance, `${model} row ${r} prediction`);
        }
      });
    };

    test('all 10 named rows in one :predict request', async () => {
      const res = await post(server.url, `/v1/models/${model}:predict`, { instances: g.inputs_named });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.model_name, model);
      assert.equal(res.body.predictions.length, 10);
      checkPredictions(res.body.predictions, 0);
    });

    test('one named row per :predict request', async () => {
      for (let r = 0; r < g.inputs_named.length; r++) {
        const res = await post(server.url, `/v1/models/${model}:predict`, { instances: [g.inputs_named[r]] });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.predictions.length, 1);
        checkPredictions(res.body.predictions, r);
      }
    });
  });
}
