import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file compiles to packages/bench/dist/src/paths.js.
const HERE = dirname(fileURLToPath(import.meta.url));

/** The bench package folder (packages/bench). */
export const BENCH_DIR = resolve(HERE, '..', '..');
/** The monorepo root. */
export const REPO_ROOT = resolve(BENCH_DIR, '..', '..');
/** Copies of the peer servers and the wrk script (from shared/peers). */
export const PEERS_DIR = join(BENCH_DIR, 'peers');
/** The wrk script that POSTs $WRK_BODY_FILE and prints a WRK_JSON summary. */
export const POST_LUA = join(PEERS_DIR, 'post.lua');
/** The overload section's wrk script: post.lua plus a `WRK_STATUS` line counting answers by status. */
export const POST_STATUS_LUA = join(BENCH_DIR, 'wrk', 'post-status.lua');
/** Ponte's example model repository (<m>/1/model.onnx, golden.json, schema.json). */
export const EXAMPLE_MODELS = join(REPO_ROOT, 'examples', 'models');
/**
 * The shared models folder: the only place with the scikit-learn `model.joblib`
 * files the Python peers load. `PONTE_BENCH_SHARED_MODELS` overrides it.
 */
export const SHARED_MODELS = process.env['PONTE_BENCH_SHARED_MODELS'] ?? '/work/shared/models';
/** The Python with flask, gunicorn, fastapi, uvicorn, scikit-learn (Debian's). */
export const PYTHON = process.env['PONTE_BENCH_PYTHON'] ?? '/usr/bin/python3';
/** Ponte's CLI entry, built by `npm run build`. */
export const PONTE_CLI = join(REPO_ROOT, 'packages', 'cli', 'dist', 'src', 'main.js');
/** The four example models Ponte serves in every run. */
export const EXAMPLE_MODEL_NAMES = ['purchase', 'house', 'digits', 'wide_mlp'] as const;
