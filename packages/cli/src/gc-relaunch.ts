import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** The V8 flag `ponte serve` adds on one CPU, and the variable that overrides the choice. */
export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';
export const SINGLE_THREADED_GC_ENV = 'PONTE_SINGLE_THREADED_GC';

/**
 * Whether to run the server with V8's single-threaded GC. On one CPU V8's
 * helper threads for concurrent marking and parallel scavenges compete with
 * the event loop for the same core, and the main thread waits for them at
 * the end of each collection: measured on wide_mlp under load, pauses of
 * 7–15 ms and a p99 of 10.5–14.6 ms, against pauses under 10 ms and a p99 of
 * 7.3 ms with the flag (docs/benchmarks.md). With more CPUs the helpers run
 * beside the loop and are worth keeping. `PONTE_SINGLE_THREADED_GC=1|0`
 * forces the choice.
 */
export function wantsSingleThreadedGc(env: NodeJS.ProcessEnv, execArgv: readonly string[], cpus: number): boolean {
  if (execArgv.includes(SINGLE_THREADED_GC_FLAG)) return false; // already on
  const forced = env[SINGLE_THREADED_GC_ENV];
  if (forced === '1') return true;
  if (forced === '0') return false;
  return cpus <= 1;
}

/**
 * Runs this same command again in a child Node process with the flag (V8
 * reads GC flags only at start-up; setting them later crashes the process),
 * and resolves with the child's exit code. The parent stays a small
 * supervisor: SIGTERM, SIGINT and SIGHUP sent to it alone (as a container
 * runtime does to PID 1) are passed on; the server ignores a repeated signal
 * (commands.ts), so one sent to the whole group and passed on too still
 * drains once.
 */
export function relaunchWithSingleThreadedGc(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, SINGLE_THREADED_GC_FLAG, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [SINGLE_THREADED_GC_ENV]: '0' },
  });
  const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, forward);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`ponte: could not start the server process: ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal !== null ? constants.signals[signal] : 0)));
  });
}
