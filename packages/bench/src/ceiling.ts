import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SERVER_CPU } from './contender.js';
import { onnxFileOf } from './models.js';
import { EXAMPLE_MODELS } from './paths.js';
import type { CeilingResult } from './results.js';

const run = promisify(execFile);
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'ort-ceiling.js');

/** The command line of the ceiling child, as the report prints it. */
export function ceilingArgs(model: string, batches: number[], seconds: number): string[] {
  return ['-c', String(SERVER_CPU), process.execPath, CHILD, '--model', onnxFileOf(model), '--golden', join(EXAMPLE_MODELS, model, 'golden.json'), '--batches', batches.join(','), '--seconds', String(seconds)];
}

/**
 * The in-process ONNX Runtime ceiling: rows/s of `session.run` with one
 * intra-op thread, pinned like the servers, no HTTP — what no server can beat.
 * Runs in a child process so the bench's own heap and threads do not count.
 */
export async function measureCeiling(model: string, batches: number[], seconds: number): Promise<CeilingResult> {
  const res: CeilingResult = { model, status: 'failed', rowsPerSec: {}, microsPerCall: {} };
  try {
    const { stdout } = await run('taskset', ceilingArgs(model, batches, seconds), { timeout: (batches.length * seconds + 60) * 1000 });
    const m = /^CEILING_JSON (\{.*\})$/m.exec(stdout);
    if (!m) return { ...res, note: `no CEILING_JSON line: ${stdout.slice(-300)}` };
    const j = JSON.parse(m[1]!) as Record<string, { rowsPerSec: number; microsPerCall: number }>;
    for (const [b, v] of Object.entries(j)) {
      res.rowsPerSec[b] = v.rowsPerSec;
      res.microsPerCall[b] = v.microsPerCall;
    }
    return { ...res, status: 'ok' };
  } catch (e) {
    return { ...res, note: (e as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}
