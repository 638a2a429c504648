/**
 * Set-ups measured side by side in time: every server up for the whole
 * measurement, each round one wrk slice per set-up, real servers and a real
 * wrk (one core each, as the bench pins them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contender } from '../src/contender.js';
import { peerApi } from '../src/golden.js';
import { measureInterleaved } from '../src/interleaved-load.js';
import type { StopInfo } from '../src/load.js';

/** A server that answers every POST with a fixed prediction and counts them for `GET /count`. */
const SERVER = `
let n = 0;
require('node:http').createServer((req, res) => {
  if (req.method === 'GET') { res.end(req.url === '/count' ? String(n) : 'ok'); return; }
  req.resume().on('end', () => { n++; res.setHeader('content-type', 'application/json'); res.end('{"probability":0.5}'); });
}).listen(Number(process.argv[1]), '127.0.0.1');
`;

function tiny(key: string, extra: Partial<Contender> = {}): Contender {
  return {
    key, label: `tiny ${key}`, model: 'purchase', api: peerApi, checkGolden: false, ponte: false, readyPath: '/', readyTimeoutMs: 10_000,
    spec: (port) => ({ command: process.execPath, args: ['-e', SERVER, String(port)] }),
    ...extra,
  };
}

test('each set-up gets one slice a round from one server that stays up, counted before the first and after the last; a skipped one is not started', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-interleaved-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const events: string[] = [];
  const served: Record<string, number> = {};
  const stops: Record<string, StopInfo> = {};
  const setup = (key: string) => ({
    contender: tiny(key),
    beforeRuns: async (url: string) => { events.push(`before ${key}`); served[key] = -Number(await (await fetch(`${url}/count`)).text()); },
    afterRuns: async (url: string) => { events.push(`after ${key}`); served[key]! += Number(await (await fetch(`${url}/count`)).text()); },
    onStopped: (s: StopInfo) => { stops[key] = s; },
  });

  const rows = await measureInterleaved([setup('a'), setup('b'), { contender: tiny('c', { skip: 'not built here' }) }], {
    connections: 2, warmupS: 1, tmp, rounds: 3, sliceS: 1, gapMs: 50,
  });

  assert.deepEqual(rows.map((r) => r.status), ['ok', 'ok', 'skipped']);
  assert.equal(rows[2]!.note, 'not built here');
  for (const key of ['a', 'b'] as const) {
    const row = rows.find((r) => r.key === key)!;
    assert.equal(row.runs!.length, 3, 'one slice a round');
    assert.ok(row.warmup !== undefined && row.warmup.requests > 0, 'warmed up before the slices');
    assert.ok(row.stats !== undefined && row.stats.rps > 0);
    // The same server answered every slice: what it counted between the hooks is what wrk sent in the slices (plus requests in flight when a slice ended).
    const sent = row.runs!.reduce((n, r) => n + r.requests, 0);
    assert.ok(served[key]! >= sent && served[key]! <= sent + 3 * 2, `${served[key]} served for ${sent} sent`);
    assert.equal(stops[key]?.exit !== undefined, true, 'stopped at the end');
  }
  assert.deepEqual(events, ['before a', 'before b', 'after a', 'after b']);
});

test('a set-up whose server does not start fails on its own; the others are measured', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-interleaved-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const broken = tiny('broken', { readyTimeoutMs: 2_000, spec: () => ({ command: process.execPath, args: ['-e', 'process.exit(3)'] }) });

  const rows = await measureInterleaved([{ contender: broken }, { contender: tiny('ok') }], { connections: 1, warmupS: 0, tmp, rounds: 2, sliceS: 1, gapMs: 0 });

  assert.equal(rows[0]!.status, 'failed');
  assert.ok(rows[0]!.note !== undefined && rows[0]!.note.length > 0);
  assert.equal(rows[1]!.status, 'ok');
  assert.equal(rows[1]!.runs!.length, 2);
});
