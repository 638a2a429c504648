import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { bearerTestAuth, EXAMPLE_MODELS, REPO_ROOT } from '@ponte/http/testing';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** The purchase and house example models only: enough for per-model limits, quick to load. */
export const MODELS = [
  { name: 'purchase', source: join(EXAMPLE_MODELS, 'purchase') },
  { name: 'house', source: join(EXAMPLE_MODELS, 'house') },
];

export const PURCHASE_INFER = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data: [39, 52.7, 0, 3.26, 3, 365, 0, 0] }] };
export const HOUSE_INFER = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 6], data: [90.7, 2, 2, 49, 258.3, 34.47] }] };

export interface Answer {
  status: number;
  retryAfter: string | null;
  body: { error?: string; code?: string };
  text: string;
}

/** POSTs `body` (an object, or a raw string to send something unreadable) and reads the answer. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    // a non-JSON answer is reported through `text`
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: parsed, text };
}

/** Accepts `Authorization: Bearer <name>-secret` as principal `<name>`; a test stand-in for an auth plugin. */
export const bearerNames = bearerTestAuth((t) => { const m = /^([a-z]+)-secret$/.exec(t); return m === null ? undefined : { id: m[1]!, scopes: ['*:*'] }; }, 'bearer-names');

/** A key prefix of this test run alone, and a way to remove every key under it. */
export function redisPrefix(): { prefix: string; keys(): Promise<string[]>; get(key: string): Promise<string | null>; cleanup(): Promise<void> } {
  const prefix = `ponte-test:ratelimit:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const keys = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };
  return {
    prefix,
    keys,
    get: (key) => client.get(key),
    async cleanup() {
      const found = await keys();
      if (found.length > 0) await client.del(...found);
      client.disconnect();
    },
  };
}

/**
 * A TCP proxy to Redis on 127.0.0.1, to make outages: `cut()` closes it and every connection
 * through it; `hang()` keeps every connection open but forwards nothing more, as a network that
 * drops packets would; `heal()` forwards new connections again (the hung ones stay hung).
 */
export async function redisProxy(port = 0): Promise<{ url: string; port: number; cut(): Promise<void>; hang(): void; heal(): void }> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let hanging = false;
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    track(client);
    client.on('error', () => client.destroy());
    if (hanging) return;
    const upstream = connect(6379, '127.0.0.1');
    track(upstream);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const s of pair) s.on('error', () => { client.destroy(); upstream.destroy(); });
    client.on('close', () => pairs.delete(pair));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${bound}`,
    port: bound,
    cut: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
    hang() {
      hanging = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    heal() {
      hanging = false;
    },
  };
}

const CLI = join(REPO_ROOT, 'packages', 'cli', 'dist', 'src', 'main.js');

/** Starts `ponte serve --config FILE` as a process of its own; resolves with its URL once it is ready. */
export function serveProcess(configFile: string): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    // One process, no relaunch for single-threaded GC: the child is the server itself.
    const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], { cwd: REPO_ROOT, env: { ...process.env, PONTE_SINGLE_THREADED_GC: '0' } });
    let out = '';
    let url = '';
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not become ready:\n${out}`)); }, 60_000);
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    };
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) url = m[1]!;
      if (url !== '' && out.includes('"msg":"server ready"')) {
        clearTimeout(timer);
        resolve({ child, url, stop });
      }
    });
    child.on('exit', () => { clearTimeout(timer); if (url === '') reject(new Error(`server exited:\n${out}`)); });
  });
}
