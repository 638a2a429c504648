#!/usr/bin/env node
import 'reflect-metadata';
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { Io } from './commands.js';
import { EXIT } from './exit-codes.js';
import { usableCpus } from '@ponte/core/usable-cpus';
import { relaunchWithSingleThreadedGc, wantsSingleThreadedGc } from './gc-relaunch.js';

// commands.js and inspect.js (and with them core, the plugins, ONNX Runtime) are imported when a
// command needs them, so that a parent relaunching `serve` (gc-relaunch.ts) stays small; the CPU
// count comes from core's one-file subpath for the same reason.

const USAGE = `usage:
  ponte serve [--config FILE] [--port N] [--host H]   serve models from a config (default config/ponte.yaml)
  ponte config check FILE                             validate a config, its plugins and models; start nothing
  ponte config print FILE                             print the effective config, secrets redacted
  ponte inspect MODEL_FILE                            print a model file's signature (inputs, outputs)
  ponte log export --model M [--url U] [--since T] [--until T] [--version V] [--format jsonl|csv] [--header 'K: V']
                                                      a model's prediction log from a running server, to stdout
`;

const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c', default: 'config/ponte.yaml' }, port: { type: 'string', short: 'p' }, host: { type: 'string' } } });
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        io.err('ponte: --port must be an integer between 0 and 65535\n');
        return EXIT.usage;
      }
      if (cluster.isPrimary && wantsSingleThreadedGc(process.env, process.execArgv, usableCpus())) return relaunchWithSingleThreadedGc();
      const { serve } = await import('./commands.js');
      return serve(values.config!, io, { ...(port !== undefined ? { port } : {}), ...(values.host !== undefined ? { host: values.host } : {}) });
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
      const headers: Record<string, string> = {};
      for (const h of values.header ?? []) {
        const i = h.indexOf(':');
        if (i <= 0) {
          io.err('ponte: --header must be "Name: value" (the value is not shown: it may be a credential)\n');
          return EXIT.usage;
        }
        headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
      }
      const { logExport } = await import('./log-export.js');
      return logExport({ url: values.url!, model: values.model, format: values.format, headers, ...(values.since !== undefined ? { since: values.since } : {}), ...(values.until !== undefined ? { until: values.until } : {}), ...(values.version !== undefined ? { version: values.version } : {}) }, io);
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
