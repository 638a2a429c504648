import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadGolden, type Golden } from './golden.js';
import { EXAMPLE_MODELS, PEERS_DIR, PYTHON, SHARED_MODELS } from './paths.js';

const run = promisify(execFile);

/** The golden rows of an example model. */
export function goldenOf(model: string): Golden {
  return loadGolden(join(EXAMPLE_MODELS, model, 'golden.json'));
}

/** The ONNX file of an example model (version 1). */
export function onnxFileOf(model: string): string {
  return join(EXAMPLE_MODELS, model, '1', 'model.onnx');
}

/**
 * A folder laid out as the naive Hono server expects (model.onnx, schema.json,
 * golden.json side by side), made of symlinks into examples/models so the
 * Node peers need nothing from shared/.
 */
export function naiveModelDir(model: string, tmp: string): string {
  const dir = join(tmp, `naive-${model}`);
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  symlinkSync(onnxFileOf(model), join(dir, 'model.onnx'));
  for (const f of ['schema.json', 'golden.json']) symlinkSync(join(EXAMPLE_MODELS, model, f), join(dir, f));
  return dir;
}

/** Where a Python peer reads `model.joblib` from, or why it cannot run. */
export type PythonModel = { dir: string } | { skip: string };

/**
 * The scikit-learn model folder for the Python peers: shared/models/<m> when
 * it has model.joblib; for wide_mlp one built into `tmp` by
 * peers/wide_mlp_sklearn.py from the ONNX weights (once per run).
 */
export async function pythonModelDir(model: string, tmp: string): Promise<PythonModel> {
  const src = join(SHARED_MODELS, model);
  if (!existsSync(src)) return { skip: `${SHARED_MODELS} is not here (only it has the scikit-learn model.joblib files)` };
  if (existsSync(join(src, 'model.joblib'))) return { dir: src };
  if (model !== 'wide_mlp') return { skip: `${src}/model.joblib is missing` };
  const out = join(tmp, 'wide_mlp-sklearn');
  if (existsSync(join(out, 'model.joblib'))) return { dir: out };
  try {
    await run(PYTHON, [join(PEERS_DIR, 'wide_mlp_sklearn.py'), '--src', src, '--out', out], { timeout: 120_000 });
    return { dir: out };
  } catch (e) {
    return { skip: `could not build the scikit-learn wide_mlp: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}` };
  }
}

/** Whether Debian's Python has what the Python peers import; the reason when not. */
export async function pythonPeersUsable(): Promise<true | string> {
  try {
    await run(PYTHON, ['-c', 'import flask, gunicorn, fastapi, uvicorn, sklearn, joblib'], { timeout: 30_000 });
    return true;
  } catch (e) {
    return `${PYTHON} lacks the peers' packages (${(e as Error).message.split('\n').slice(-2).join(' ').trim()})`;
  }
}
