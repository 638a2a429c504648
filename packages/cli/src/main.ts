#!/usr/bin/env node
import 'reflect-metadata';
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { Io } from './commands.js';
import { EXIT } from './exit-codes.js';
import { usableCpus } from '@ponte/core/usable-cpus';
import { relaunchWithSingleThreadedGc, wantsSingleThreadedGc } from './gc-relaunch.js';
import { stopWhenNpmParentExits } from './parent-watch.js';
import { serveOverrides } from './serve-options.js';

// commands.js and inspect.js (and with them core, the plugins, ONNX Runtime) are imported when a
// command needs them, so that a parent relaunching `serve` (gc-relaunch.ts) stays small; the CPU
// count comes from core's one-file subpath for the same reason.

const USAGE = `usage:
  ponte serve [--config FILE] [--port N] [--grpc-port N] [--health-port N] [--host H]
                                                      serve models from a config (default config/ponte.yaml);
                                                      ports also from PONTE_PORT, PONTE_GRPC_PORT, PONTE_HEALTH_PORT
  ponte config check FILE                             validate a config, its plugins and models; start nothing
  ponte config print FILE                             print the effective config, secrets redacted
  ponte inspect MODEL_FILE                            print a model file's signature (inputs, outputs) and sha256
  ponte key create --id ID --scopes S[,S…] [--json]   a new API key (shown once) and its entry for @ponte/auth-apikey
  ponte profile --model M --data FILE [--data FILE…] [--config FILE] [--version V] [--label COLUMN] [--out FILE]
                                                      run the model on reference data (CSV or JSON lines), write its monitoring profile
  ponte explain --model M --data FILE [--config FILE] [--version V] [--json]
                                                      feature attributions of each row of a CSV or JSON lines file, as a table
  ponte monitor report --model M [--url U] [--version V] [--limit N] [--json] [--header 'K: V']
                                                      a running server's monitoring report, as tables
  ponte log export --model M [--url U] [--since T] [--until T] [--version V] [--format jsonl|csv] [--header 'K: V']
                                                      a model's prediction log from a running server, to stdout
  ponte docker [--config FILE] [--out FILE] [--models-dir DIR | --mount] [--node-version V] [--from-source]
                                                      write a production Dockerfile (and .dockerignore) for a config
  ponte k8s [--config FILE] [--out DIR] [--name N] [--image I] [--namespace NS] [--replicas N] [--max-replicas N]
            [--cpu-target P] [--postgres-secret S] [--redis-url U] [--keys-secret S]
            [--kserve --storage-uri URI [--canary-percent P]]
                                                      write Kubernetes manifests (or a KServe ServingRuntime + InferenceService)
`;

/** `--header 'Name: value'` options as headers; undefined (after saying why) when one is malformed. */
function headerOptions(raw: readonly string[] | undefined): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const h of raw ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) {
      io.err('ponte: --header must be "Name: value" (the value is not shown: it may be a credential)\n');
      return undefined;
    }
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return headers;
}

/** `ponte k8s` flags; k8s.ts checks their values. */
const K8S_OPTIONS = {
  config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' }, name: { type: 'string' }, image: { type: 'string' },
  namespace: { type: 'string' }, replicas: { type: 'string' }, 'max-replicas': { type: 'string' }, 'cpu-target': { type: 'string' },
  'postgres-secret': { type: 'string' }, 'redis-url': { type: 'string' }, 'keys-secret': { type: 'string' },
  kserve: { type: 'boolean', default: false }, 'storage-uri': { type: 'string' }, 'canary-percent': { type: 'string' },
} as const;

const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c', default: 'config/ponte.yaml' }, port: { type: 'string', short: 'p' }, 'grpc-port': { type: 'string' }, 'health-port': { type: 'string' }, host: { type: 'string' } } });
      const overrides = serveOverrides(values, process.env);
      if ('error' in overrides) {
        io.err(`ponte: ${overrides.error}\n`);
        return EXIT.usage;
      }
      stopWhenNpmParentExits();
      if (cluster.isPrimary && wantsSingleThreadedGc(process.env, process.execArgv, usableCpus())) return relaunchWithSingleThreadedGc();
      const { serve } = await import('./commands.js');
      return serve(values.config!, io, overrides);
    }
    case 'config': {
      const [sub, file] = rest;
      if (file === undefined || (sub !== 'check' && sub !== 'print')) break;
      const { configCheck, configPrint } = await import('./commands.js');
      return sub === 'check' ? configCheck(file, io) : configPrint(file, io);
    }
    case 'inspect': {
      if (rest[0] === undefined) break;
      const { inspectModel } = await import('./inspect.js');
      return inspectModel(rest[0], io);
    }
    case 'log': {
      if (rest[0] !== 'export') break;
      const { values } = parseArgs({ args: rest.slice(1), options: { model: { type: 'string', short: 'm' }, url: { type: 'string', default: 'http://127.0.0.1:8080' }, since: { type: 'string' }, until: { type: 'string' }, version: { type: 'string' }, format: { type: 'string', default: 'jsonl' }, header: { type: 'string', multiple: true } } });
      if (values.model === undefined || (values.format !== 'jsonl' && values.format !== 'csv')) {
        io.err('ponte: log export needs --model, and --format jsonl or csv\n');
        return EXIT.usage;
      }
      const headers = headerOptions(values.header);
      if (headers === undefined) return EXIT.usage;
      const { logExport } = await import('./log-export.js');
      return logExport({ url: values.url!, model: values.model, format: values.format, headers, ...(values.since !== undefined ? { since: values.since } : {}), ...(values.until !== undefined ? { until: values.until } : {}), ...(values.version !== undefined ? { version: values.version } : {}) }, io);
    }
    case 'key': {
      if (rest[0] !== 'create') break;
      const { values } = parseArgs({ args: rest.slice(1), options: { id: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean', default: false } } });
      const { keyCreate } = await import('./key-create.js');
      return keyCreate({ id: values.id, scopes: values.scopes, json: values.json === true }, io);
    }
    case 'profile': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c', default: 'config/ponte.yaml' }, model: { type: 'string', short: 'm' }, data: { type: 'string', multiple: true }, version: { type: 'string' }, label: { type: 'string' }, out: { type: 'string', short: 'o' } } });
      if (values.model === undefined || values.data === undefined || values.data.length === 0) {
        io.err('ponte: profile needs --model and at least one --data file (CSV or JSON lines)\n');
        return EXIT.usage;
      }
      const { profileCommand } = await import('@ponte/monitor');
      await profileCommand({ config: values.config!, model: values.model, data: values.data, progress: process.stderr.isTTY === true, ...(values.version !== undefined ? { version: values.version } : {}), ...(values.label !== undefined ? { label: values.label } : {}), ...(values.out !== undefined ? { out: values.out } : {}) }, io);
      return EXIT.ok;
    }
    case 'explain': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c', default: 'config/ponte.yaml' }, model: { type: 'string', short: 'm' }, data: { type: 'string' }, version: { type: 'string' }, json: { type: 'boolean', default: false } } });
      if (values.model === undefined || values.data === undefined) {
        io.err('ponte: explain needs --model and --data (a CSV or JSON lines file of rows)\n');
        return EXIT.usage;
      }
      const { explainCommand } = await import('@ponte/explain');
      return explainCommand({ config: values.config!, model: values.model, data: values.data, json: values.json === true, progress: process.stderr.isTTY === true, ...(values.version !== undefined ? { version: values.version } : {}) }, io);
    }
    case 'monitor': {
      if (rest[0] !== 'report') break;
      const { values } = parseArgs({ args: rest.slice(1), options: { model: { type: 'string', short: 'm' }, url: { type: 'string', default: 'http://127.0.0.1:8080' }, version: { type: 'string' }, limit: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, header: { type: 'string', multiple: true } } });
      const limit = Number(values.limit);
      if (values.model === undefined || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
        io.err('ponte: monitor report needs --model, and --limit between 1 and 1000\n');
        return EXIT.usage;
      }
      const headers = headerOptions(values.header);
      if (headers === undefined) return EXIT.usage;
      const { monitorReport } = await import('./monitor-report.js');
      return monitorReport({ url: values.url!, model: values.model, limit, json: values.json === true, headers, ...(values.version !== undefined ? { version: values.version } : {}) }, io);
    }
    case 'docker': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c', default: 'config/ponte.yaml' }, out: { type: 'string', short: 'o', default: 'Dockerfile' }, 'models-dir': { type: 'string' }, mount: { type: 'boolean', default: false }, 'node-version': { type: 'string', default: '20' }, 'from-source': { type: 'boolean', default: false } } });
      const { dockerCommand } = await import('./docker.js');
      return dockerCommand({ config: values.config!, out: values.out!, modelsDir: values['models-dir'], mount: values.mount === true, nodeVersion: values['node-version']!, fromSource: values['from-source'] === true }, io);
    }
    case 'k8s': {
      const { values } = parseArgs({ args: rest, options: K8S_OPTIONS });
      const { k8sCommand } = await import('./k8s.js');
      return k8sCommand(values, io);
    }
    case '--help': case '-h': case 'help':
      io.out(USAGE);
      return EXIT.ok;
  }
  io.err(USAGE);
  return EXIT.usage;
}

main(process.argv.slice(2)).then((code) => {
  if (code < 0) return;
  process.exitCode = code;
  // A cluster worker that gives up (bad config) would be kept alive by its IPC channel; stdio to pipes is synchronous on Linux.
  if (cluster.isWorker) process.exit(code);
}, (e: unknown) => {
  io.err(`ponte: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = EXIT.failure;
});
