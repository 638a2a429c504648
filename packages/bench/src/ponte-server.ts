import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Contender } from './contender.js';
import { namedApi, oipApi } from './golden.js';
import { PONTE_CLI, REPO_ROOT } from './paths.js';
import { ponteConfigYaml, type PonteVariant } from './ponte-config.js';
import type { PonteFacts } from './results.js';

const run = promisify(execFile);

/**
 * Whether a plugin package resolves from the repo root and default-exports a
 * plugin object (packages being written in parallel may not be built yet).
 */
export async function pluginLoads(pkg: string): Promise<boolean> {
  const code = `import(${JSON.stringify(pkg)}).then((m) => process.exit(m.default && typeof m.default === 'object' ? 0 : 1), () => process.exit(1))`;
  try {
    await run(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** A Ponte row: the built CLI serving a generated config, over OIP or the named API. */
export function ponte(variant: PonteVariant, api: 'oip' | 'named'): Contender {
  const b = variant.batching ? 'on' : 'off';
  return {
    key: `ponte-${api}-${b}`,
    label: `Ponte ${api === 'oip' ? 'OIP' : 'named API'}, batching ${b}`,
    model: variant.model,
    api: api === 'oip' ? oipApi : namedApi,
    checkGolden: true,
    ponte: true,
    readyPath: '/v2/health/ready',
    readyTimeoutMs: 60_000,
    spec: (port, tmp) => {
      const tags = [variant.prometheus ? 'metrics' : '', variant.otelEndpoint !== undefined ? 'otel' : '', variant.grpcPort !== undefined ? 'grpc' : '', variant.batchingOptions ? `q${variant.batchingOptions['maxQueueSize'] ?? ''}` : '', variant.store ? `log-${variant.store.kind}` : ''];
      const file = join(tmp, `ponte-${variant.model}-batching-${b}${tags.filter(Boolean).map((t) => `-${t}`).join('')}.yaml`);
      writeFileSync(file, ponteConfigYaml(variant));
      return { command: process.execPath, args: [PONTE_CLI, 'serve', '--config', file, '--port', String(port)], cwd: REPO_ROOT };
    },
  };
}

/**
 * Reads the start of a Ponte log (JSON lines) for what the report should say
 * about the set-up: the executor `@ponte/onnx` chose for each model. Only the
 * first 256 KB is read: the rest is request lines.
 */
export function ponteFacts(logFile: string): PonteFacts & { selfReadyMs?: number } {
  const buf = Buffer.alloc(256 * 1024);
  let n = 0;
  try {
    const fd = openSync(logFile, 'r');
    try { n = readSync(fd, buf, 0, buf.length, 0); } finally { closeSync(fd); }
  } catch { /* no log */ }
  const facts: PonteFacts & { selfReadyMs?: number } = { executors: {}, plugins: [] };
  for (const line of buf.subarray(0, n).toString('utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let j: Record<string, unknown>;
    try { j = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
    if (j['msg'] === 'onnx executor chosen' && typeof j['model'] === 'string') {
      facts.executors[j['model']] = `${String(j['executor'])} (${String(j['oneRowMicros'])} µs/row at load)`;
    }
    if (j['msg'] === 'server ready' && typeof j['ms'] === 'number') facts.selfReadyMs = j['ms'];
    if (typeof j['plugin'] === 'string' && !facts.plugins.includes(j['plugin'])) facts.plugins.push(j['plugin']);
  }
  return facts;
}
