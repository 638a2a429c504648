import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A server to start pinned to one CPU, its output going to a log file. */
export interface ServerSpec {
  /** Short name for messages, e.g. `ponte (purchase, batching on)`. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** stdout and stderr go here (request logs can be large: keep it in a temp dir). */
  logFile: string;
  /** CPU to pin to with `taskset -c`. */
  cpu: number;
}

/**
 * A server process started in its own process group, so that stopping it
 * also stops whatever it forked (gunicorn's worker, Ponte's worker threads
 * live in-process anyway).
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** The command line as a user would type it. */
  readonly commandLine: string;
  /** Resolves with the exit code (or signal name) when the process exits. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when it is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();

/** Quotes an argument for a shell-looking command line in the report. */
export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** What a load generator printed, and how it exited. */
export interface CapturedRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Runs `taskset -c <cpu> <argv…>` to completion and resolves with what it
 * printed; a run that outlives `limitS` is killed. Rejects only when the
 * command cannot be started (`name` says which tool in the message).
 */
export function runPinnedCapture(name: string, cpu: number, argv: readonly string[], limitS: number, env: NodeJS.ProcessEnv = process.env): Promise<CapturedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', String(cpu), ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const killer = setTimeout(() => child.kill('SIGKILL'), limitS * 1000);
    child.once('error', (e) => { clearTimeout(killer); reject(new Error(`could not run ${name}: ${e.message}`)); });
    child.once('close', (code) => { clearTimeout(killer); resolve({ stdout, stderr, code }); });
  });
}

/**
 * Starts `taskset -c <cpu> <command> <args>` detached in a new process group.
 * The process is tracked until it exits, and `killAllSync` / the handlers of
 * `installCleanupHandlers` stop it if the bench dies first.
 */
export function startPinned(spec: ServerSpec): ManagedProcess {
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('taskset', ['-c', String(spec.cpu), spec.command, ...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`could not start ${spec.name}: ${spec.command}`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => { done = true; live.delete(proc); resolve(code ?? signal ?? 'unknown'); });
    child.once('error', (e) => { done = true; live.delete(proc); resolve(`spawn error: ${e.message}`); });
  });
  const envPrefix = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  const proc: ManagedProcess = {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    commandLine: `${envPrefix}taskset -c ${spec.cpu} ${[spec.command, ...spec.args].map(shellQuote).join(' ')}`,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5000) {
      if (done) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it forked outlives it.
      signalGroup(pid, 'SIGKILL');
    },
  };
  live.add(proc);
  return proc;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal); } catch { /* group already gone */ }
}

/** Stops every server this process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(2000)));
}

/** Last resort (process exit): SIGKILL every group still alive, synchronously. */
export function killAllSync(): void {
  for (const p of live) signalGroup(p.pid, 'SIGKILL');
  live.clear();
}

/**
 * Makes Ctrl-C, SIGTERM, an uncaught error or a normal exit stop every
 * server the bench started. Call once from the entry point.
 */
export function installCleanupHandlers(): void {
  process.once('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping servers\n`);
      stopAll().finally(() => process.exit(130));
    });
  }
}

/** The last `lines` lines of a (possibly large) log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trim();
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `url` until it answers 200, the process exits, or `timeoutMs` passes.
 * Resolves with the milliseconds from `since` (a `performance.now()` value)
 * to the first 200.
 */
export async function waitForHttpOk(url: string, proc: ManagedProcess, timeoutMs: number, since = performance.now(), pollMs = 10): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (proc.hasExited()) throw new Error(`${proc.name} exited (${await proc.exited}) before it was ready:\n${logTail(proc.logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${proc.name} was not ready within ${timeoutMs} ms (${url}):\n${logTail(proc.logFile)}`);
}
