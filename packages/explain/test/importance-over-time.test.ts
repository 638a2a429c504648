import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '@ponte/http/testing';
import type { MonitoringReport, WindowReport } from '@ponte/monitor';

/** Windows of 500 rows: holdout.csv makes four, drifted.csv four more. */
const WINDOW = 500;
const PURCHASE_DATA = join(REPO_ROOT, 'examples/data/purchase');

function readCsv(name: 'holdout' | 'drifted'): Array<Record<string, number>> {
  const [head, ...lines] = readFileSync(join(PURCHASE_DATA, `${name}.csv`), 'utf8').trim().split(/\r?\n/);
  const columns = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, Number(v)])));
}

/** Sends rows one prediction each, a few at a time, as live traffic. */
async function replay(url: string, rows: ReadonlyArray<Record<string, number>>, concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const { purchased: _label, ...features } = rows[next++]!;
      const res = await fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [features] }) });
      if (!res.ok) throw new Error(`predict: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('importance over time: a monitored purchase model explaining its live traffic, fed holdout then drifted rows', () => {
  let server: PonteServer;
  let dir: string;
  let windows: readonly WindowReport[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-explain-importance-'));
    // The example purchase model ships its reference profile (profile.json): the monitor's reference and the explainer's background.
    cpSync(join(EXAMPLE_MODELS, 'purchase'), join(dir, 'models/purchase'), { recursive: true });
    server = await startTestServer({
      config: {
        plugins: [
          '@ponte/onnx',
          { package: '@ponte/store-sqlite', options: { file: join(dir, 'ponte.db') } },
          // A lag of a few seconds lets the background explanations of a window's rows land before the window closes.
          { package: '@ponte/monitor', options: { tickSeconds: 0.2, lagSeconds: 3 } },
          { package: '@ponte/explain', options: { maxPendingSamples: 10000 } },
        ],
        repository: join(dir, 'models'),
        // Half of the traffic explained: about 250 explained rows per window, steady shares.
        models: [{ name: 'purchase', monitoring: { window: { rows: WINDOW } }, explain: { sampleRate: 0.5 } }],
      },
    });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const report = async (): Promise<MonitoringReport> => {
    const res = await fetch(`${server.url}/v2/models/purchase/monitoring?limit=20`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as MonitoringReport;
  };

  it('holdout then drifted traffic closes eight windows, each with the importance of its sampled explanations', async () => {
    // One window of rows at a time, then wait for the monitor to close it: under load the background
    // explanations yield to predictions, and catch up in the monitor's lag once the window's traffic is sent.
    const rows = [...readCsv('holdout'), ...readCsv('drifted')];
    for (let k = 1; k <= rows.length / WINDOW; k++) {
      await replay(server.url, rows.slice((k - 1) * WINDOW, k * WINDOW));
      await eventually(`window ${k}`, async () => ((await report()).windows.length >= k ? true : undefined));
    }
    windows = (await report()).windows;
    assert.equal(windows.length, 8);
    for (const w of windows) {
      assert.equal(w.rows, WINDOW);
      const imp = w.importance;
      assert.ok(imp, `window ${w.seq} has importance`);
      assert.ok(imp.n >= 50, `window ${w.seq}: ${imp.n} explained rows`);
      assert.ok(Math.abs(Object.values(imp.share).reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.ok(imp.reference_share !== null, 'the reference importance was stored');
      assert.equal(imp.drift_impact.length, 8);
    }
  });

  it('the shifted features (age, income) rise in importance share on drifted traffic', () => {
    const holdout = windows.slice(0, 4).map((w) => w.importance!);
    const drifted = windows.slice(4).map((w) => w.importance!);
    for (const f of ['age', 'income']) {
      const before = mean(holdout.map((i) => i.share[f]!));
      const afterShare = mean(drifted.map((i) => i.share[f]!));
      assert.ok(afterShare > before, `${f}: share ${before.toFixed(3)} on holdout, ${afterShare.toFixed(3)} on drifted`);
    }
    // income, the larger shift, rises in every drifted window, above every holdout window, and against the reference.
    const highestHoldout = Math.max(...holdout.map((i) => i.share['income']!));
    for (const i of drifted) {
      assert.ok(i.share['income']! > highestHoldout, `income share ${i.share['income']} vs at most ${highestHoldout} on holdout`);
      assert.ok(i.share_change!['income']! > 0, `income share change ${i.share_change!['income']}`);
    }
  });

  it('age and income top the drift-impact ranking of every drifted window', () => {
    for (const w of windows.slice(4)) {
      const top = w.importance!.drift_impact.slice(0, 2).map((d) => d.feature).sort();
      assert.deepEqual(top, ['age', 'income'], `window ${w.seq}: ${JSON.stringify(w.importance!.drift_impact.map((d) => [d.feature, Number(d.score.toFixed(4))]))}`);
    }
  });
});
