import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@ponte/http/testing';
import { profileCommand } from '../src/index.js';

export const PURCHASE_DATA = join(REPO_ROOT, 'examples/data/purchase');

/** A purchase row of the example data: the 8 features and the `purchased` label. */
export type PurchaseRow = Record<string, number>;

export function readPurchaseCsv(name: 'reference' | 'holdout' | 'drifted'): PurchaseRow[] {
  const [head, ...lines] = readFileSync(join(PURCHASE_DATA, `${name}.csv`), 'utf8').trim().split(/\r?\n/);
  const columns = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, Number(v)])));
}

/** A temp copy of the purchase model with a reference profile made by `ponte profile` from reference.csv. */
export async function purchaseRepository(): Promise<{ dir: string; repository: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-monitor-'));
  const repository = join(dir, 'models');
  cpSync(join(REPO_ROOT, 'examples/models/purchase'), join(repository, 'purchase'), { recursive: true });
  rmSync(join(repository, 'purchase/1/profile.json'), { force: true });
  const config = join(dir, 'profile.yaml');
  writeFileSync(config, `version: 1\nplugins: ['@ponte/onnx']\nrepository: ./models\nmodels: [{ name: purchase }]\n`);
  await profileCommand({ config, model: 'purchase', data: [join(PURCHASE_DATA, 'reference.csv')], progress: false }, { out: () => {}, err: () => {} });
  return { dir, repository, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sends rows one prediction each (a few at a time); returns each row's prediction id and label. */
export async function replay(url: string, rows: readonly PurchaseRow[], concurrency = 8): Promise<Array<{ id: string; label: number }>> {
  const out: Array<{ id: string; label: number }> = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const { purchased, ...features } = rows[next++]!;
      const res = await fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [features] }) });
      const body = (await res.json()) as { prediction_id?: string; error?: string };
      if (!res.ok || body.prediction_id === undefined) throw new Error(`predict: HTTP ${res.status} ${body.error ?? ''}`);
      out.push({ id: body.prediction_id, label: purchased! });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

export async function sendLabels(url: string, labels: ReadonlyArray<{ id: string; label: number }>): Promise<void> {
  for (let i = 0; i < labels.length; i += 5000) {
    const res = await fetch(`${url}/v2/models/purchase/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(labels.slice(i, i + 5000)) });
    if (!res.ok) throw new Error(`feedback: HTTP ${res.status} ${await res.text()}`);
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last !== undefined ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
