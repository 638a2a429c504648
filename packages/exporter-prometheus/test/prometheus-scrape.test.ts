import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLE_MODELS, REPO_ROOT, startTestServer } from '@ponte/http/testing';
import type { PonteServer } from '@ponte/core';
import { eventually, freePort, post, PROMETHEUS, PURCHASE_INFER, PURCHASE_ROW, skipUnless } from './helpers.js';

interface QueryResult {
  status: string;
  error?: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('a real Prometheus scraping Ponte', { skip: skipUnless(PROMETHEUS) }, () => {
  let server: PonteServer;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let dir = '';
  let promLog = '';

  const query = async (q: string): Promise<QueryResult> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    return (await res.json()) as QueryResult;
  };
  const scalar = async (q: string): Promise<number | undefined> => {
    const r = await query(q);
    assert.equal(r.status, 'success', `${q}: ${r.error ?? ''}`);
    const v = r.data.result[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  };

  before(async () => {
    server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/exporter-prometheus'], repository: EXAMPLE_MODELS } });
    dir = mkdtempSync(join(tmpdir(), 'ponte-prometheus-'));
    copyFileSync(join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), join(dir, 'alerts.yml'));
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [alerts.yml]',
      'scrape_configs:',
      '  - job_name: ponte',
      '    metrics_path: /metrics',
      `    static_configs: [{ targets: ['127.0.0.1:${server.port}'] }]`,
      '',
    ].join('\n'));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.console.templates=/dev/null', '--web.console.libraries=/dev/null',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stdout!.on('data', (d: Buffer) => { promLog += d.toString(); });
    prometheus.stderr!.on('data', (d: Buffer) => { promLog += d.toString(); });
    await eventually('Prometheus to be ready', async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${promLog.slice(-2000)}`);
      return (await fetch(`${promUrl}/-/ready`)).status === 200 ? true : undefined;
    });
  });

  after(async () => {
    const p = prometheus;
    if (p !== undefined && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await server?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('reads request counts and a latency quantile back through the Prometheus API', async () => {
    const predicts = 10, infers = 5, rejected = 3;
    for (let i = 0; i < predicts; i++) assert.equal((await post(`${server.url}/v1/models/purchase:predict`, { instances: [PURCHASE_ROW] })).status, 200);
    for (let i = 0; i < infers; i++) assert.equal((await post(`${server.url}/v2/models/purchase/infer`, PURCHASE_INFER)).status, 200);
    for (let i = 0; i < rejected; i++) assert.equal((await post(`${server.url}/v1/models/purchase:predict`, { instances: [{ ...PURCHASE_ROW, age: -1 }] })).status, 400);

    const ok = await eventually('Prometheus to scrape the successful requests', async () => {
      const v = await scalar('sum(ponte_requests_total{job="ponte",model="purchase",code="200"})');
      return v === predicts + infers ? v : undefined;
    });
    assert.equal(ok, predicts + infers);
    assert.equal(await scalar('sum(ponte_requests_total{job="ponte",model="purchase",endpoint="infer",code="200"})'), infers);
    assert.equal(await scalar('sum(ponte_requests_total{job="ponte",model="purchase",code="400"})'), rejected);
    assert.equal(await scalar('sum(ponte_errors_total{job="ponte",model="purchase",code="PONTE_VALIDATION_FAILED"})'), rejected);

    const p90 = await scalar('histogram_quantile(0.9, sum by (le) (ponte_request_duration_seconds_bucket{job="ponte",model="purchase",endpoint="predict"}))');
    assert.ok(p90 !== undefined && Number.isFinite(p90) && p90 > 0 && p90 <= 10, `p90 latency ${p90} is a real duration within the buckets`);
    assert.equal(await scalar('ponte_model_ready{job="ponte",model="purchase"}'), 1);
  });

  it('evaluates every dashboard query and alert rule without error', async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/ponte.json'), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    assert.ok(exprs.length > 10);
    for (const { title, expr } of exprs) {
      const q = expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.*').replaceAll('$model', '.*');
      const r = await query(q);
      assert.equal(r.status, 'success', `panel "${title}": ${q}: ${r.error ?? ''}`);
    }
    const rules = await eventually('the alert rules to be evaluated', async () => {
      const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
      const all = res.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
    });
    const broken = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`);
    assert.deepEqual(broken, []);
    const firing = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
    assert.deepEqual(firing.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels['alertname']), [], 'a healthy server raises no alert');
  });
});
