import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ponte-sqlite-lease-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A replica of a periodic job: tries the lease again and again; while it holds it, it checks nobody else is
// inside (a document every holder writes on the way in and clears on the way out), then releases. Prints
// how many times it held the lease and how many times it found someone else inside.
const REPLICA = `
const [storeUrl, file, me, attempts] = process.argv.slice(2);
const { SqliteStore } = await import(storeUrl);
const store = await SqliteStore.open(file);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
let held = 0, overlaps = 0;
for (let i = 0; i < Number(attempts); i++) {
  if (await store.acquireLease('close-window', me, 30000)) {
    held++;
    const inside = await store.getDocument('lease-test', 'inside');
    if (inside !== undefined && inside.body !== null) overlaps++;
    await store.putDocuments([{ kind: 'lease-test', key: 'inside', body: me, time: Date.now() }]);
    await pause(2);
    if ((await store.getDocument('lease-test', 'inside'))?.body !== me) overlaps++;
    await store.putDocuments([{ kind: 'lease-test', key: 'inside', body: null, time: Date.now() }]);
    await store.releaseLease('close-window', me);
  }
  await pause(1);
}
await store.close();
process.stdout.write(JSON.stringify({ me, held, overlaps }) + '\\n');
`;
const replicaFile = join(dir, 'replica.mjs');
writeFileSync(replicaFile, REPLICA);

function runReplica(file: string, me: string, attempts: number): Promise<{ me: string; held: number; overlaps: number }> {
  const child = spawn(process.execPath, [replicaFile, new URL('../src/sqlite-store.js', import.meta.url).href, file, me, String(attempts)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${me} exited with ${String(code)}: ${err}`));
      else resolve(JSON.parse(out) as { me: string; held: number; overlaps: number });
    });
  });
}

describe('a lease shared by processes on one file', () => {
  it('four processes taking turns at a job: one holder at a time, never two inside at once', async () => {
    const file = join(dir, 'lease.db');
    await (await SqliteStore.open(file)).close(); // migrated once, before the race
    const results = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((me) => runReplica(file, me, 60)));
    assert.deepEqual(results.map((r) => r.overlaps), [0, 0, 0, 0], JSON.stringify(results));
    assert.ok(results.reduce((n, r) => n + r.held, 0) > 0, JSON.stringify(results));
    const store = await SqliteStore.open(file);
    try {
      // Every holder released: the lease is free for anyone.
      assert.equal(await store.acquireLease('close-window', 'after', 1000), true);
    } finally {
      await store.close();
    }
  });
});
