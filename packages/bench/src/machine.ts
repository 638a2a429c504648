import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PEERS_DIR, PYTHON, REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/** The machine and software a run measured on, as label → value. */
export type MachineInfo = Array<[string, string]>;

async function output(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: 30_000 });
    return (stdout || stderr).trim();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return (err.stdout || err.stderr || 'unavailable').trim();
  }
}

function fileField(file: string, re: RegExp): string | undefined {
  try { return re.exec(readFileSync(file, 'utf8'))?.[1]?.trim(); } catch { return undefined; }
}

/** The version of an npm package in the repo root's node_modules (where the peers resolve it from). */
export function npmVersion(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return 'not installed';
  }
}

/**
 * Checks that the repo root's hono, @hono/node-server and onnxruntime-node
 * satisfy peers/package.json (caret or exact ranges); returns the problems.
 */
export function peerDependencyProblems(): string[] {
  const want = (JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  const problems: string[] = [];
  for (const [pkg, range] of Object.entries(want)) {
    const have = npmVersion(pkg);
    if (!satisfies(have, range)) problems.push(`${pkg}: peers need ${range}, the repo has ${have}`);
  }
  return problems;
}

/** `^x.y.z` or exact `x.y.z` ranges only (all the peers use). */
export function satisfies(version: string, range: string): boolean {
  const v = version.split('.').map(Number);
  const caret = range.startsWith('^');
  const r = range.replace(/^[\^=]/, '').split('.').map(Number);
  if (v.length !== 3 || r.length !== 3 || [...v, ...r].some(Number.isNaN)) return false;
  if (!caret) return v.every((x, i) => x === r[i]);
  if (v[0] !== r[0]) return false;
  if (r[0] === 0 && v[1] !== r[1]) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== r[i]) return v[i]! > r[i]!;
  return true;
}

/** CPU, cores, RAM, OS and every version that matters to the figures. */
export async function machineInfo(): Promise<MachineInfo> {
  const cpu = fileField('/proc/cpuinfo', /^model name\s*:\s*(.*)$/m) ?? cpus()[0]?.model ?? 'unknown';
  const os = fileField('/etc/os-release', /^PRETTY_NAME="?([^"\n]*)"?$/m) ?? 'unknown';
  const py = await output(PYTHON, ['-c', [
    'import sys, importlib',
    'mods = ["flask", "gunicorn", "fastapi", "uvicorn", "pydantic", "sklearn", "joblib", "numpy"]',
    'def v(m):',
    '    try:',
    '        x = importlib.import_module(m); return getattr(x, "__version__", None) or getattr(x, "VERSION", "?")',
    '    except Exception: return "missing"',
    'print("Python " + sys.version.split()[0] + ": " + ", ".join(m + " " + str(v(m)) for m in mods))',
  ].join('\n')]);
  return [
    ['CPU', `${cpu} (${cpus().length} logical cores visible)`],
    ['RAM', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${os}, Linux ${release()}`],
    ['Node', process.version],
    ['npm', await output('npm', ['--version'])],
    ['onnxruntime-node', npmVersion('onnxruntime-node')],
    ['hono / @hono/node-server', `${npmVersion('hono')} / ${npmVersion('@hono/node-server')}`],
    ['Python peers', py],
    ['wrk', (await output('wrk', ['-v'])).split('\n')[0] ?? 'unknown'],
  ];
}
