// Builds the native addon with node-gyp when its sources are newer than the
// built file. Ponte works without it (JSON.parse does the same work, slower),
// so a machine without a C++ compiler or Node's headers gets a warning, not a
// failed build.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'Release', 'oip_json.node');
const sources = ['binding.gyp', 'native/oip_json.cc'].map((f) => join(root, f));

const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
if (mtime(built) > 0 && sources.every((s) => mtime(s) <= mtime(built))) process.exit(0);

// npm hands its bundled node-gyp to scripts; outside npm, look beside npm itself.
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((c) => typeof c === 'string' && existsSync(c));
if (candidates.length === 0) warn('node-gyp was not found (it ships with npm)');

// Node's headers: the configured nodedir, else the ones installed beside this
// node binary (distribution packages and the official tarballs carry them), so
// that node-gyp never tries to download them.
const args = [candidates[0], 'rebuild', '--silent'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 180_000 });
if (run.status !== 0 || !existsSync(built)) {
  warn(`node-gyp failed (${run.error?.message ?? `exit ${run.status}`}): ${(run.stderr || run.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
}

function warn(why) {
  console.warn(`@ponte/oip-json-native: not built, OIP JSON bodies will be parsed with JSON.parse only: ${why}`);
  process.exit(0);
}
