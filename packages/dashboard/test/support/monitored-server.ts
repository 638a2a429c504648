import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Plugin, PonteServer } from '@ponte/core';
import { EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '@ponte/http/testing';
import { profileCommand } from '@ponte/monitor';

export const DATA = join(REPO_ROOT, 'examples', 'data', 'purchase');
/** Rows per monitoring window: short, so a test closes several. */
export const WINDOW_ROWS = 200;

/** A CSV file of examples/data as rows of numbers by column name. */
export function readCsv(file: string): Array<Record<string, number>> {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const names = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, Number(v)])));
}

/**
 * A temp copy of the purchase model with its reference profile: the one
 * shipped in examples/models when there is one, else one made by `ponte
 * profile`'s code from examples/data/purchase/reference.csv.
 */
export async function purchaseRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-dashboard-'));
  const repo = join(dir, 'models');
  cpSync(join(EXAMPLE_MODELS, 'purchase'), join(repo, 'purchase'), { recursive: true });
  const shipped = join(EXAMPLE_MODELS, 'purchase', '1', 'profile.json');
  const target = join(repo, 'purchase', '1', 'profile.json');
  if (existsSync(shipped)) {
    copyFileSync(shipped, target);
  } else {
    const config = join(dir, 'profile-config.yaml');
    writeFileSync(config, JSON.stringify({ version: 1, plugins: ['@ponte/onnx'], repository: repo }));
    try {
      await profileCommand({ config, model: 'purchase', data: [join(DATA, 'reference.csv')], out: target, progress: false }, { out: () => undefined, err: () => undefined });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  return dir;
}

export interface MonitoredServer {
  server: PonteServer;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A real server with the prediction log (SQLite in a temp file), the
 * monitor (windows of 200 rows, fast ticks) and the dashboard.
 */
export async function startMonitoredServer(extra: { plugins?: unknown[]; builtins?: Plugin[] } = {}): Promise<MonitoredServer> {
  const dir = await purchaseRepository();
  let server: PonteServer;
  try {
    server = await startTestServer({
      config: {
        plugins: [
          '@ponte/onnx',
          { package: '@ponte/store-sqlite', options: { file: join(dir, 'log.db'), synchronous: 'normal' } },
          { package: '@ponte/monitor', options: { tickSeconds: 0.2, lagSeconds: 0, performanceEverySeconds: 0.5 } },
          '@ponte/dashboard',
          ...(extra.plugins ?? []),
        ],
        repository: join(dir, 'models'),
        models: [{ name: 'purchase', monitoring: { window: { rows: WINDOW_ROWS }, minRows: 100, alerts: [{ when: 'drift', windows: 1, severity: 'warning' }] } }],
      },
      ...(extra.builtins !== undefined ? { builtins: extra.builtins } : {}),
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    server,
    dir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a client does: predict one row at a time, then send each row's true label with its prediction id. */
export async function sendTraffic(url: string, rows: ReadonlyArray<Record<string, number>>, headers: Record<string, string> = {}): Promise<void> {
  const labels: Array<{ id: string; label: number }> = [];
  for (const r of rows) {
    const { purchased, ...features } = r;
    const res = await fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ instances: [features] }) });
    const body = (await res.json()) as { prediction_id?: string; error?: string };
    if (res.status !== 200 || body.prediction_id === undefined) throw new Error(`predict answered ${res.status}: ${JSON.stringify(body)}`);
    labels.push({ id: body.prediction_id, label: purchased! });
  }
  for (let i = 0; i < labels.length; i += 1000) {
    const res = await fetch(`${url}/v2/models/purchase/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(labels.slice(i, i + 1000)) });
    if (res.status !== 200) throw new Error(`feedback answered ${res.status}: ${await res.text()}`);
  }
}

/** Polls the monitoring report until `done` holds of it (generous: a busy 2-core machine). */
export async function waitForReport<T>(url: string, done: (report: T) => boolean, headers: Record<string, string> = {}, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    const res = await fetch(`${url}/v2/models/purchase/monitoring?limit=50`, { headers });
    last = await res.json();
    if (res.status === 200 && done(last as T)) return last as T;
    await sleep(250);
  }
  throw new Error(`the monitoring report did not get there in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 1000)}`);
}
