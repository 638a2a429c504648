import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The writer: appends batches of 64 as fast as it can and prints the last id of each batch once `append` has resolved.
const WRITER = `
const [storeUrl, coreUrl, file] = process.argv.slice(2);
const { SqliteStore } = await import(storeUrl);
const { uuidV7 } = await import(coreUrl);
const store = await SqliteStore.open(file);
process.stdout.write('ready\\n');
for (let n = 0; ; n++) {
  const batch = Array.from({ length: 64 }, (_, i) => ({
    id: uuidV7(), time: Date.now(), model: 'crash', version: '1', requestId: 'req-' + n + '-' + i,
    principal: 'anonymous', protocol: 'rest', endpoint: 'predict',
    features: [{ age: i, income: 52.5, plan: 'gold', returning: true }],
    outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [1] }], latencyMs: 1,
  }));
  await store.append(batch);
  process.stdout.write(batch[batch.length - 1].id + '\\n');
}
`;
const writerFile = join(dir, 'writer.mjs');
writeFileSync(writerFile, WRITER);

/**
 * Runs the writer until it has been writing for `ms` and acknowledged at least 20 batches (failing
 * after 60 s), SIGKILLs it, and returns the ids it acknowledged.
 */
async function killWriterAfter(file: string, ms: number): Promise<string[]> {
  const child = spawn(process.execPath, [writerFile, new URL('../src/sqlite-store.js', import.meta.url).href, import.meta.resolve('@ponte/core'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const acknowledged = (): string[] => out.split('\n').slice(0, -1).filter((line) => line !== 'ready'); // the last piece may be a partial line
  const enough = new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the writer acknowledged ${acknowledged().length} batches in 60 s; stderr: ${err}`)), 60_000);
    let readyAt: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      readyAt ??= out.startsWith('ready\n') ? Date.now() : undefined;
      if (readyAt !== undefined && Date.now() - readyAt >= ms && acknowledged().length >= 20) {
        clearTimeout(deadline);
        resolve();
      }
    });
    void exited.then((how) => { clearTimeout(deadline); reject(new Error(`the writer exited (${String(how)}) before it was killed; stderr: ${err}`)); });
  });
  try {
    await enough;
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL');
  return acknowledged();
}

describe('a writer killed with SIGKILL', () => {
  it('leaves an intact file holding every batch it acknowledged, three crashes in a row', { timeout: 240_000 }, async () => {
    const file = join(dir, 'crash.db');
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      // A different time each round, so the kill lands at a different point of the write loop; by the
      // later rounds the WAL has passed its 1000-page auto-checkpoint, so a kill may land in one.
      acknowledged.push(...(await killWriterAfter(file, 200 + round * 400)));
      const db = new Database(file);
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `integrity after crash ${round + 1}`);
        assert.deepEqual(db.pragma('foreign_key_check'), []);
      } finally {
        db.close();
      }
    }
    const store = await SqliteStore.open(file);
    try {
      const missing: string[] = [];
      for (const id of acknowledged) if ((await store.get('crash', id)) === undefined) missing.push(id);
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged batches lost`);
      assert.ok(acknowledged.length >= 60);
    } finally {
      await store.close();
    }
  });
});
