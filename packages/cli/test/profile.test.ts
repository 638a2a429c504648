/**
 * `ponte profile` and `ponte monitor report` as a user runs them: the real
 * command, in a process of its own, on a temp copy of the purchase model.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PonteServer } from '@ponte/core';
import { REPO_ROOT, startTestServer } from '@ponte/http/testing';
import { runCli, type CliRun } from './cli-process.js';

const DATA = join(REPO_ROOT, 'examples/data/purchase');

interface Profile { format: string; version: number; rows: number; feature_order: string[]; output: { performance: Record<string, { value: number }> | null } }

function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}

/** No Node stack trace, no "at file:line" frames: a user sees one line saying what is wrong. */
function assertCleanFailure(r: CliRun, pattern: RegExp): void {
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /node:internal|Unhandled 'error' event/);
}

describe('ponte profile', () => {
  let dir: string;
  let config: string;
  const versionDir = (): string => join(dir, 'models/purchase/1');
  const profile = (...args: string[]): Promise<CliRun> => runCli(['profile', '--config', config, ...args]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-profile-'));
    cpSync(join(REPO_ROOT, 'examples/models/purchase'), join(dir, 'models/purchase'), { recursive: true });
    rmSync(join(versionDir(), 'profile.json'), { force: true });
    config = join(dir, 'ponte.yaml');
    writeFileSync(config, "version: 1\nplugins: ['@ponte/onnx']\nrepository: ./models\nmodels: [{ name: purchase }]\n");
    // holdout.csv as JSON lines, the other format the command reads.
    const [head, ...lines] = readFileSync(join(DATA, 'holdout.csv'), 'utf8').trim().split(/\r?\n/);
    const cols = head!.split(',');
    writeFileSync(join(dir, 'holdout.jsonl'), lines.map((l) => JSON.stringify(Object.fromEntries(l.split(',').map((v, i) => [cols[i], Number(v)])))).join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('turns a CSV into profile.json beside the model version, with the labels it found', async () => {
    const r = await profile('--model', 'purchase', '--data', join(DATA, 'reference.csv'));
    assert.equal(r.code, 0, r.stderr);
    const target = join(versionDir(), 'profile.json');
    assert.equal(r.stdout.trim(), target);
    assert.match(r.stderr, /reference\.csv: 5000 rows, labels from column "purchased"/);
    const p = readProfile(target);
    assert.equal(p.format, 'ponte.reference-profile');
    assert.equal(p.version, 1);
    assert.equal(p.rows, 5000);
    assert.deepEqual(p.feature_order, ['age', 'income', 'visits_last_30d', 'avg_session_minutes', 'pages_viewed', 'days_since_last_purchase', 'cart_items', 'is_returning']);
    // The model's accuracy on its reference data, which performance alerts compare with (0.84 on reference.csv).
    const accuracy = p.output.performance?.['accuracy']?.value;
    assert.ok(accuracy !== undefined && accuracy > 0.8 && accuracy < 0.9, `accuracy ${accuracy}`);
  });

  it('reads JSON lines too', async () => {
    const out = join(dir, 'from-jsonl.json');
    const r = await profile('--model', 'purchase', '--data', join(dir, 'holdout.jsonl'), '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readProfile(out).rows, 2000);
  });

  it('merges several --data files into one profile: their rows add up', async () => {
    const out = join(dir, 'merged.json');
    const r = await profile('--model', 'purchase', '--data', join(DATA, 'reference.csv'), '--data', join(dir, 'holdout.jsonl'), '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /reference\.csv: 5000 rows/);
    assert.match(r.stderr, /holdout\.jsonl: 2000 rows/);
    assert.equal(readProfile(out).rows, 7000);
  });

  it('--out writes where it is told, and leaves the version folder alone', async () => {
    rmSync(join(versionDir(), 'profile.json'), { force: true });
    const out = join(dir, 'elsewhere.json');
    const r = await profile('--model', 'purchase', '--data', join(DATA, 'holdout.csv'), '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), out);
    assert.equal(readProfile(out).rows, 2000);
    assert.equal(existsSync(join(versionDir(), 'profile.json')), false);
  });

  it('without --model or --data it is a usage error (exit 2)', async () => {
    for (const args of [['--data', join(DATA, 'holdout.csv')], ['--model', 'purchase'], []]) {
      const r = await profile(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /profile needs --model and at least one --data file/);
    }
  });

  it('a file it cannot use fails with one clear line and a non-zero exit, no stack trace', async () => {
    const refused = join(dir, 'refused.csv');
    writeFileSync(refused, 'age,income,visits_last_30d,avg_session_minutes,pages_viewed,days_since_last_purchase,cart_items,is_returning\n41,50,1,2.5,3,30,0,1\nold,50,1,2.5,3,30,0,1\n');
    assertCleanFailure(await profile('--model', 'purchase', '--data', refused), /refused\.csv: the model refused rows 1–2: .*age.*must be a number/);
    assertCleanFailure(await profile('--model', 'purchase', '--data', join(dir, 'missing.csv')), /missing\.csv: no such file/);
    assertCleanFailure(await profile('--model', 'purchase', '--data', dir), /a directory, not a CSV or JSON lines file/);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"age": 40}\n{"age": \n');
    assertCleanFailure(await profile('--model', 'purchase', '--data', broken), /broken\.jsonl:2: not a JSON object/);
    const unclosed = join(dir, 'unclosed.csv');
    writeFileSync(unclosed, 'age,income\n"41,50\n');
    assertCleanFailure(await profile('--model', 'purchase', '--data', unclosed), /unclosed\.csv: .*quote/i);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    assertCleanFailure(await profile('--model', 'purchase', '--data', empty), /empty\.csv: no rows/);
    assertCleanFailure(await profile('--model', 'nope', '--data', join(DATA, 'holdout.csv')), /model "nope" is not ready: no such model in the config/);
  });
});

describe('ponte monitor report', () => {
  let dir: string;
  let server: PonteServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ponte-monitor-report-'));
    cpSync(join(REPO_ROOT, 'examples/models/purchase'), join(dir, 'models/purchase'), { recursive: true });
    rmSync(join(dir, 'models/purchase/1/profile.json'), { force: true });
    const config = join(dir, 'ponte.yaml');
    writeFileSync(config, "version: 1\nplugins: ['@ponte/onnx']\nrepository: ./models\nmodels: [{ name: purchase }]\n");
    const made = await runCli(['profile', '--config', config, '--model', 'purchase', '--data', join(DATA, 'reference.csv')]);
    assert.equal(made.code, 0, made.stderr);
    server = await startTestServer({
      config: {
        plugins: ['@ponte/onnx', { package: '@ponte/store-sqlite', options: { file: join(dir, 'ponte.db') } }, { package: '@ponte/monitor', options: { tickSeconds: 0.2, lagSeconds: 1, performanceEverySeconds: 0.5 } }],
        repository: join(dir, 'models'),
        models: [{ name: 'purchase', monitoring: { window: { rows: 500 } } }],
      },
    });
    const [head, ...lines] = readFileSync(join(DATA, 'holdout.csv'), 'utf8').trim().split(/\r?\n/);
    const cols = head!.split(',');
    const instances = lines.slice(0, 500).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], Number(v)]).filter(([k]) => k !== 'purchased')));
    for (let i = 0; i < instances.length; i += 10) {
      await Promise.all(instances.slice(i, i + 10).map(async (x) => {
        const res = await fetch(`${server.url}/v1/models/purchase:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [x] }) });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }));
    }
    const until = Date.now() + 60_000;
    for (;;) {
      const r = (await (await fetch(`${server.url}/v2/models/purchase/monitoring`)).json()) as { windows?: unknown[] };
      if ((r.windows?.length ?? 0) >= 1) break;
      if (Date.now() > until) throw new Error('no monitoring window closed within a minute');
      await new Promise((res) => setTimeout(res, 200));
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the windows, the newest window\'s features and the alerts as tables', async () => {
    const r = await runCli(['monitor', 'report', '--model', 'purchase', '--url', server.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^model purchase version 1: 1 window\(s\)$/m);
    assert.match(r.stdout, /^window\s+start\s+rows\s+status\s+drifted features/m);
    assert.match(r.stdout, /^1\s+\d{4}-\d\d-\d\dT\S+Z\s+500\s+ok\s/m);
    assert.match(r.stdout, /^features of window 1:$/m);
    assert.match(r.stdout, /^age\s+\S+\s+\S+/m);
    assert.match(r.stdout, /^no alert firing$/m);
  });

  it('--json prints the server\'s report as it is', async () => {
    const r = await runCli(['monitor', 'report', '--model', 'purchase', '--url', server.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { model: string; version: string; windows: Array<{ seq: number; rows: number }> };
    assert.equal(body.model, 'purchase');
    assert.equal(body.version, '1');
    assert.deepEqual(body.windows.map((w) => [w.seq, w.rows]), [[1, 500]]);
  });

  it('an unknown model prints the server\'s 404 and its reason; a bad --limit is a usage error', async () => {
    const r = await runCli(['monitor', 'report', '--model', 'nope', '--url', server.url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ponte: 404: .*nope/m);
    assert.equal(r.stdout, '');
    const bad = await runCli(['monitor', 'report', '--model', 'purchase', '--url', server.url, '--limit', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit between 1 and 1000/);
  });

  it('a server that does not answer is a clear failure', async () => {
    const r = await runCli(['monitor', 'report', '--model', 'purchase', '--url', 'http://127.0.0.1:9']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ponte: cannot reach http:\/\/127\.0\.0\.1:9/m);
  });
});
