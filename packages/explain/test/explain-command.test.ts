import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '@ponte/http/testing';
import { explainCommand } from '@ponte/explain';
import { exampleRepository, sum, type AttributionJson } from './support.js';

describe('ponte explain', () => {
  const repo = exampleRepository();
  const config = join(repo.dir, 'ponte.yaml');
  writeFileSync(config, `version: 1\nplugins: ['@ponte/onnx']\nrepository: ./models\nmodels:\n  - name: purchase\n  - name: house\n    explain: { background: { file: reference.csv, rows: 1000 } }\n`);
  after(() => repo.cleanup());
  const capture = (): { out: string[]; err: string[]; io: { out(s: string): void; err(s: string): void } } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
  };

  it('prints a table of attributions for every row of a CSV, with a progress bar when asked', async () => {
    const c = capture();
    const code = await explainCommand({ config, model: 'purchase', data: join(REPO_ROOT, 'examples/data/purchase/holdout.csv'), json: false, progress: true }, c.io);
    assert.equal(code, 0);
    const lines = c.out.join('').trim().split('\n');
    assert.match(lines[0]!, /purchase version 1: kernel_shap/);
    assert.match(lines[1]!, /row\s+output\s+base\s+predicted\s+age\s+income/);
    assert.ok(lines.length > 100, `${lines.length} lines`);
    assert.match(lines[2]!, /^1\s+probabilities\[yes\]/);
    assert.match(c.err.join(''), /\[#+\] 100%/);
    assert.match(c.err.join(''), /rows explained \(kernel_shap\)/);
  });

  it('prints JSON lines with every class, summing to the prediction (house: TreeSHAP)', async () => {
    const c = capture();
    const data = join(repo.dir, 'rows.csv');
    writeFileSync(data, 'living_area_sqm,bedrooms,bathrooms,house_age_years,lot_area_sqm,distance_to_center_km\n105.1,3,2,45,457.6,7.46\n80,2,1,10,300,2.5\n');
    assert.equal(await explainCommand({ config, model: 'house', data, json: true, progress: false }, c.io), 0);
    const rows = c.out.join('').trim().split('\n').map((l) => JSON.parse(l) as { row: number; explanations: AttributionJson[] });
    assert.equal(rows.length, 2);
    for (const r of rows) {
      const a = r.explanations[0]!;
      assert.equal(a.method, 'tree_shap');
      assert.ok(Math.abs(a.base_value + sum(a.values) - a.prediction) < 1e-6 * Math.max(1, Math.abs(a.prediction)));
    }
  });

  it('says which row and feature are wrong', async () => {
    const data = join(repo.dir, 'bad.csv');
    writeFileSync(data, 'living_area_sqm,bedrooms,bathrooms,house_age_years,lot_area_sqm,distance_to_center_km\n105.1,3,2,45,457.6,7.46\n80,two,1,10,300,2.5\n');
    await assert.rejects(explainCommand({ config, model: 'house', data, json: true, progress: false }, capture().io), /bedrooms/);
    await assert.rejects(explainCommand({ config, model: 'nope', data, json: true, progress: false }, capture().io), /no such model/);
  });
});
