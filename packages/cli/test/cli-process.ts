import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '@ponte/http/testing';

export const CLI = fileURLToPath(new URL('../src/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ponte ARGS` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `ponte serve` and resolves once a log line says the server is ready, with its URL. */
export function startServe(args: string[], readyMessage = 'server ready', env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; logs: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let out = '';
    let url = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not become ready:\n${out}`)); }, 30_000);
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) url = m[1]!;
      // Several processes log independently (each buffers its lines): wait for the address too.
      if (url !== '' && (out.includes(`"msg":"${readyMessage}"`) || out.includes('some required models are not ready'))) {
        clearTimeout(timer);
        resolve({ child, url, logs: () => out, exited });
      }
    });
    child.on('exit', () => { clearTimeout(timer); if (url === '') reject(new Error(`server exited:\n${out}`)); });
  });
}
