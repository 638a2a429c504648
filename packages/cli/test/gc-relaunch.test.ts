/**
 * On one CPU, `ponte serve` runs its server in a child Node process with V8's
 * single-threaded GC (gc-relaunch.ts says why). A user sees one command that
 * serves, stops on SIGTERM sent to it or to its whole process group after one
 * drain, and exits 0; PONTE_SINGLE_THREADED_GC=0 keeps a single process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_MODELS, REPO_ROOT } from '@ponte/http/testing';
import { SINGLE_THREADED_GC_FLAG, wantsSingleThreadedGc } from '../src/gc-relaunch.js';
import { CLI } from './cli-process.js';

test('single-threaded GC is chosen on one usable CPU, unless the variable says otherwise or the flag is already there', () => {
  assert.equal(wantsSingleThreadedGc({}, [], 1), true);
  assert.equal(wantsSingleThreadedGc({}, [], 0.5), true);
  assert.equal(wantsSingleThreadedGc({}, [], 2), false);
  assert.equal(wantsSingleThreadedGc({ PONTE_SINGLE_THREADED_GC: '0' }, [], 1), false);
  assert.equal(wantsSingleThreadedGc({ PONTE_SINGLE_THREADED_GC: '1' }, [], 8), true);
  assert.equal(wantsSingleThreadedGc({ PONTE_SINGLE_THREADED_GC: '1' }, [SINGLE_THREADED_GC_FLAG], 1), false);
});

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const skip = hasTaskset ? false : 'taskset (util-linux) is not installed';

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-gc-'));
  const file = join(dir, 'ponte.yaml');
  writeFileSync(file, `version: 1
server: { port: 0 }
plugins: ['@ponte/onnx']
repository: ${JSON.stringify(EXAMPLE_MODELS)}
models: [{ name: purchase }]
`);
  return file;
}

/** `taskset -c 0 ponte serve` in its own process group; resolves when the server is ready. */
function servePinned(env: NodeJS.ProcessEnv = {}): Promise<{ pid: number; serverPid: number; url: string; logs: () => string; exited: Promise<number | null> }> {
  const child = spawn('taskset', ['-c', '0', process.execPath, CLI, 'serve', '--config', configFile()], { cwd: REPO_ROOT, detached: true, env: { ...process.env, ...env } });
  let out = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { process.kill(-child.pid!, 'SIGKILL'); reject(new Error(`not ready:\n${out}`)); }, 30_000);
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const listening = /"pid":(\d+),"url":"(http:\/\/[^"]+)"/.exec(out);
      if (listening && out.includes('"msg":"server ready"')) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, serverPid: Number(listening[1]), url: listening[2]!, logs: () => out, exited });
      }
    });
  });
}

async function predicts(url: string): Promise<void> {
  const res = await fetch(`${url}/v1/models/purchase:predict`, { method: 'POST', body: JSON.stringify({ instances: [[39, 52.7, 0, 3.26, 3, 365, 0, 0]] }) });
  assert.equal(res.status, 200, await res.text());
}

test('pinned to one CPU, the server runs with single-threaded GC and SIGTERM to the command drains it and exits 0', { skip }, async () => {
  const s = await servePinned();
  assert.notEqual(s.serverPid, s.pid, 'the server is a child of the command');
  const args = readFileSync(`/proc/${s.serverPid}/cmdline`, 'utf8').split('\0');
  assert.ok(args.includes(SINGLE_THREADED_GC_FLAG), args.join(' '));
  await predicts(s.url);
  process.kill(s.pid, 'SIGTERM');
  assert.equal(await s.exited, 0, s.logs());
  assert.equal(s.logs().match(/signal received/g)?.length, 1, s.logs());
  assert.match(s.logs(), /"msg":"stopped"/);
  assert.equal(existsSync(`/proc/${s.serverPid}`), false, 'the server process is gone');
});

test('SIGTERM to the whole process group (Ctrl-C, a supervisor) drains once and exits 0', { skip }, async () => {
  const s = await servePinned();
  await predicts(s.url);
  process.kill(-s.pid, 'SIGTERM');
  assert.equal(await s.exited, 0, s.logs());
  assert.equal(s.logs().match(/signal received/g)?.length, 1, s.logs());
  assert.match(s.logs(), /"msg":"stopped"/);
});

test('PONTE_SINGLE_THREADED_GC=0 keeps one process, with V8\'s default GC', { skip }, async () => {
  const s = await servePinned({ PONTE_SINGLE_THREADED_GC: '0' });
  assert.equal(s.serverPid, s.pid);
  assert.ok(!readFileSync(`/proc/${s.serverPid}/cmdline`, 'utf8').split('\0').includes(SINGLE_THREADED_GC_FLAG));
  await predicts(s.url);
  process.kill(s.pid, 'SIGTERM');
  assert.equal(await s.exited, 0, s.logs());
});
