#!/usr/bin/env node
/**
 * `npm run bench`: Ponte against its peers; writes docs/benchmarks.md.
 * See packages/bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { LOAD_CPU } from './contender.js';
import { machineInfo } from './machine.js';
import { parseBenchArgs, USAGE, type BenchOptions } from './options.js';
import { PONTE_CLI, REPO_ROOT } from './paths.js';
import { installCleanupHandlers, stopAll } from './processes.js';
import { renderReport, writeReport } from './report.js';
import { estimateSeconds, runSuite } from './suite.js';

const log = (line: string): void => { process.stdout.write(`${line}\n`); };

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(USAGE); return 0; }
  let o: BenchOptions;
  try {
    o = parseBenchArgs(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!existsSync(PONTE_CLI)) {
    process.stderr.write(`bench: ${PONTE_CLI} is missing; run \`npm run build\` first (npm run bench does)\n`);
    return 1;
  }
  installCleanupHandlers();
  // The bench shares CPU 1 with wrk, so that CPU 0 is the server's alone.
  try { execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' }); } catch { /* one core: run anyway */ }
  const est = estimateSeconds(o);
  log(`bench: ${o.quick ? 'quick' : 'full'} run of ${o.models.join(', ')}${o.soak ? `, with a ${o.soakMinutes}-minute soak` : ''}; about ${Math.ceil(est / 60)} min`);
  const tmp = mkdtempSync(join(tmpdir(), 'ponte-bench-'));
  try {
    const results = await runSuite(o, tmp, log);
    const out = isAbsolute(o.out) ? o.out : join(REPO_ROOT, o.out);
    writeReport(out, renderReport(results, await machineInfo()), o.soak);
    log(`bench: wrote ${out} (${((results.finishedAt.getTime() - results.startedAt.getTime()) / 60000).toFixed(1)} min)`);
    return 0;
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, async (e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  await stopAll();
  process.exitCode = 1;
});
