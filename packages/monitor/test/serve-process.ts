import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@ponte/http/testing';

/** The `ponte` command of this repository (built by `tsc -b`, as the tests are). */
export const PONTE_CLI = join(REPO_ROOT, 'packages/cli/dist/src/main.js');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process printed so far. */
  logs(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `ponte serve --config FILE` as a process of its own and resolves once it says it is ready. */
export function startServe(config: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    // One process, no relaunch for single-threaded GC, so a signal reaches the server itself.
    const child = spawn(process.execPath, [PONTE_CLI, 'serve', '--config', config], { cwd: REPO_ROOT, env: { ...process.env, PONTE_SINGLE_THREADED_GC: '0', ...env } });
    let out = '';
    let url = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`ponte serve did not become ready:\n${out}`)); }, 60_000);
    const onOutput = (d: Buffer): void => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) url = m[1]!;
      if (url !== '' && out.includes('"msg":"server ready"')) {
        clearTimeout(timer);
        resolve({ child, url, logs: () => out, exited });
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', () => { clearTimeout(timer); if (url === '') reject(new Error(`ponte serve exited:\n${out}`)); });
  });
}
