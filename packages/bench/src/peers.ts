import { join } from 'node:path';
import { peerApi } from './golden.js';
import type { Contender } from './contender.js';
import { naiveModelDir, type PythonModel } from './models.js';
import { PEERS_DIR, PYTHON } from './paths.js';

/** The naive Node server: Hono + onnxruntime-node, one `session.run` per request, one ORT thread. */
export function naiveHono(model: string): Contender {
  return {
    key: 'naive', label: 'naive Hono + onnxruntime-node', model, api: peerApi, checkGolden: true, ponte: false,
    readyPath: '/health', readyTimeoutMs: 30_000,
    spec: (port, tmp) => ({ command: process.execPath, args: [join(PEERS_DIR, 'hono_ort.mjs'), '--model', naiveModelDir(model, tmp), '--port', String(port), '--threads', '1'] }),
  };
}

/** The HTTP floor: bare Hono that parses the body and answers a constant. */
export function bareHono(model: string): Contender {
  return {
    key: 'hello', label: 'bare Hono --parse (HTTP floor)', model, api: peerApi, checkGolden: false, ponte: false,
    readyPath: '/health', readyTimeoutMs: 30_000,
    spec: (port) => ({ command: process.execPath, args: [join(PEERS_DIR, 'hono_hello.mjs'), '--port', String(port), '--parse'] }),
  };
}

/** Flask + joblib under gunicorn, one sync worker. */
export function flask(model: string, py: PythonModel): Contender {
  return {
    key: 'flask', label: 'Flask + gunicorn, 1 worker', model, api: peerApi, checkGolden: true, ponte: false,
    readyPath: '/health', readyTimeoutMs: 60_000,
    ...('skip' in py ? { skip: py.skip } : {}),
    spec: (port) => ({
      command: PYTHON,
      args: ['-m', 'gunicorn', '--pythonpath', PEERS_DIR, '--bind', `127.0.0.1:${port}`, '-w', '1', 'flask_app:app'],
      env: { MODEL_DIR: 'dir' in py ? py.dir : '' },
    }),
  };
}

/** FastAPI + pydantic under uvicorn, one process. */
export function fastapi(model: string, py: PythonModel): Contender {
  return {
    key: 'fastapi', label: 'FastAPI + uvicorn, 1 worker', model, api: peerApi, checkGolden: true, ponte: false,
    readyPath: '/health', readyTimeoutMs: 60_000,
    ...('skip' in py ? { skip: py.skip } : {}),
    spec: (port) => ({
      command: PYTHON,
      args: ['-m', 'uvicorn', '--app-dir', PEERS_DIR, '--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--no-access-log', 'fastapi_app:app'],
      env: { MODEL_DIR: 'dir' in py ? py.dir : '' },
    }),
  };
}
