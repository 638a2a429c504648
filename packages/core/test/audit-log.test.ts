/**
 * The audit log: with `server.audit` set, every request the gate refuses (401,
 * 403) and every admin action is a JSON line on a destination of its own —
 * who, what, which model, how it ended — and never the credential. A burst of
 * refusals is capped per reason, the rest counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, definePlugin, PonteError, resolveToken, Tokens, type PonteServer, type RouteAction } from '../src/index.js';
import { DirectExchange, type DirectAnswer } from './support/direct-protocol.js';
import { repository, startServer } from './support/multiplier.js';
import { bearerTestAuth } from '../src/testing.js';

const SECRET = 'sk-live-0123456789abcdef';

/** Accepts `authorization: Bearer <SECRET>` as "operator" (may read and administer "scale"), `Bearer reader` as "reader" (may only read). */
const testAuth = bearerTestAuth((t) => (t === SECRET ? { id: 'operator', scopes: ['read:*', 'admin:scale'] } : t === 'reader' ? { id: 'reader', scopes: ['read:*'] } : undefined));

/** A protocol that knows the caller's address, as REST and gRPC may. */
class AddressedExchange extends DirectExchange {
  remoteAddress(): string {
    return '203.0.113.7';
  }
}

function call(server: PonteServer, endpoint: string, action: RouteAction, options: { model?: string; token?: string } = {}, answer: () => DirectAnswer = () => ({ status: 200 })): Promise<DirectAnswer> {
  const headers: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  return server.pipeline.handle(new AddressedExchange(endpoint, action, { ...(options.model !== undefined ? { model: options.model } : {}), headers }), { respond: answer });
}

function lines(file: string): Array<Record<string, unknown>> {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
}

async function setup(t: { after(fn: () => Promise<void>): void }, audit: Record<string, unknown>): Promise<{ server: PonteServer; file: string }> {
  const dir = repository({ scale: { 1: 2 } });
  const server = await startServer(dir, [testAuth], { audit: { path: 'audit/audit.jsonl', ...audit } });
  t.after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });
  // Relative to the config file's folder (here the repository folder); the folder is created.
  return { server, file: join(dir, 'audit', 'audit.jsonl') };
}

test('a 401 and a 403 are audited with who, what and why — never the credential', async (t) => {
  const { server, file } = await setup(t, {});
  assert.equal((await call(server, 'model_metadata', 'read', { model: 'scale', token: `${SECRET}-wrong` })).status, 401);
  assert.equal((await call(server, 'model_metadata', 'read', { model: 'scale' })).status, 401);
  assert.equal((await call(server, 'model_unload', 'admin', { model: 'scale', token: 'reader' })).status, 403);
  assert.equal((await call(server, 'model_metadata', 'read', { model: 'scale', token: SECRET })).status, 200);

  const audit = lines(file);
  assert.equal(audit.length, 3, JSON.stringify(audit));
  const [wrong, missing, forbidden] = audit;
  assert.equal(wrong!['event'], 'unauthenticated');
  assert.equal(wrong!['status'], 401);
  assert.equal(wrong!['code'], 'PONTE_UNAUTHENTICATED');
  assert.equal(wrong!['reason'], 'invalid credentials');
  assert.equal(wrong!['protocol'], 'direct');
  assert.equal(wrong!['endpoint'], 'model_metadata');
  assert.equal(wrong!['action'], 'read');
  assert.equal(wrong!['model'], 'scale');
  assert.equal(wrong!['remoteAddress'], '203.0.113.7');
  assert.match(String(wrong!['requestId']), /^test-/);
  assert.ok(!Number.isNaN(Date.parse(String(wrong!['time']))), 'an ISO time');
  assert.equal(wrong!['principal'], undefined, 'a 401 has no principal');
  assert.equal(missing!['reason'], 'credentials required (bearer)');
  assert.equal(forbidden!['event'], 'forbidden');
  assert.equal(forbidden!['status'], 403);
  assert.equal(forbidden!['code'], 'PONTE_FORBIDDEN');
  assert.equal(forbidden!['principal'], 'reader');
  assert.equal(forbidden!['action'], 'admin');
  assert.equal(forbidden!['endpoint'], 'model_unload');
  assert.equal(readFileSync(file, 'utf8').includes(SECRET), false, 'the credential never reaches the audit log');
});

test('every admin action past the gate is audited with its principal, model and outcome', async (t) => {
  const { server, file } = await setup(t, {});
  assert.equal((await call(server, 'model_unload', 'admin', { model: 'scale', token: SECRET })).status, 200);
  const failed = await call(server, 'model_unload', 'admin', { model: 'scale', token: SECRET }, () => { throw new PonteError('PONTE_MODEL_NOT_READY', 'already unloaded'); });
  assert.equal(failed.status, 503);
  // A plugin's own admin work goes to the same log.
  resolveToken(server.container, Tokens.AuditLog).admin({ principal: 'operator', action: 'keys.rotate', outcome: 'ok' });

  const audit = lines(file);
  assert.deepEqual(audit.map((l) => [l['event'], l['principal'], l['action'], l['model'], l['outcome'], l['status']]), [
    ['admin', 'operator', 'model_unload', 'scale', 'ok', 200],
    ['admin', 'operator', 'model_unload', 'scale', 'PONTE_MODEL_NOT_READY', 503],
    ['admin', 'operator', 'keys.rotate', undefined, 'ok', undefined],
  ]);
  assert.equal(audit[0]!['remoteAddress'], '203.0.113.7');
  assert.equal(readFileSync(file, 'utf8').includes(SECRET), false);
});

test('a burst of failures is capped per reason; the lines held back are counted, none lost', async (t) => {
  const { server, file } = await setup(t, { maxPerSecond: 5 });
  const burst = 200;
  await Promise.all(Array.from({ length: burst }, (_, i) => call(server, 'infer', 'read', { model: 'scale', token: `guess-${i}` })));
  await call(server, 'model_metadata', 'read', { model: 'scale', token: 'reader' }); // a success: not audited
  const during = lines(file);
  // A slow machine may cross a second boundary mid-burst: a few windows' worth at most, far below the burst.
  assert.ok(during.length >= 5 && during.length <= 25, `${during.length} lines for a burst of ${burst}`);
  await server.stop(); // writes the counts still held back
  const audit = lines(file);
  const written = audit.filter((l) => l['event'] === 'unauthenticated').length;
  const suppressed = audit.reduce((n, l) => n + (typeof l['suppressed'] === 'number' ? l['suppressed'] : 0), 0);
  assert.equal(written + suppressed, burst, JSON.stringify(audit));
  assert.ok(audit.every((l) => !JSON.stringify(l).includes('guess-')), 'no credential in any line');
});

test('without server.audit nothing is written and the audit service is a no-op; an unwritable path is a config error', async (t) => {
  const dir = repository({ scale: { 1: 2 } });
  const server = await startServer(dir, [testAuth]);
  t.after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });
  assert.equal(resolveToken(server.container, Tokens.AuditLog).enabled, false);
  assert.equal((await call(server, 'infer', 'read', { model: 'scale' })).status, 401);

  const blocked = mkdtempSync(join(tmpdir(), 'ponte-audit-'));
  t.after(() => rmSync(blocked, { recursive: true, force: true }));
  await assert.rejects(startServer(blocked, [], { audit: { path: blocked } }), (e: unknown) => e instanceof ConfigError && /server\.audit\.path: cannot open/.test(e.messages.join()));
});
