import { allocate, elementCount, usableCpus, type LoadedModel, type ModelFormat, type ModelLoadRequest, type Tensor } from '@ponte/core';
import type { Logger } from '@ponte/core';
import { needsPairing, PairedSingleRows } from './batch-invariance.js';
import { InlineSession } from './inline-session.js';
import { onnxOptionsSchema, toSessionOptions, type OnnxOptions } from './session-options.js';
import { WorkerPoolSession } from './worker-pool-session.js';

/**
 * Above this many microseconds per one-row run, `executor: auto` moves the
 * model to worker threads: below it, the hop to a worker costs more than the
 * model itself (measured in docs/benchmarks.md).
 */
export const AUTO_WORKER_THRESHOLD_MICROS = 80;

/**
 * The ONNX model format: `model.onnx` files run by ONNX Runtime, with session
 * options from the plugin defaults overridden per model.
 */
export function onnxFormat(defaults: OnnxOptions, logger: Logger): ModelFormat {
  const open = async (req: ModelLoadRequest): Promise<LoadedModel> => {
    const o: OnnxOptions = { ...defaults, ...(req.options as OnnxOptions) };
    // One intra-op thread per session unless told otherwise: ONNX Runtime's
    // default (a thread per core) fights the HTTP thread and other sessions.
    const sessionOptions = toSessionOptions({ intraOpNumThreads: 1, interOpNumThreads: 1, ...o });
    const executor = o.executor ?? 'auto';
    if (executor === 'worker') return WorkerPoolSession.create(req.file, sessionOptions, o.instances ?? 1);
    const inline = await InlineSession.create(req.file, sessionOptions);
    if (executor === 'inline') return inline;
    // A worker thread only pays off when it has a core of its own: with one
    // core (a 1-CPU container, or a process pinned with taskset) it competes
    // with the HTTP thread and adds a hop per batch. A container's CPU quota counts, not the node's cores.
    const cores = usableCpus();
    const micros = await timeOneRow(inline);
    const useWorkers = cores > 1 && micros > AUTO_WORKER_THRESHOLD_MICROS;
    logger.info({ model: req.name, version: req.version, oneRowMicros: Math.round(micros), cores, executor: useWorkers ? 'worker' : 'inline' }, 'onnx executor chosen');
    if (!useWorkers) return inline;
    await inline.close();
    return WorkerPoolSession.create(req.file, sessionOptions, o.instances ?? 1);
  };
  return {
    name: 'onnx',
    fileNames: ['model.onnx'],
    optionsSchema: onnxOptionsSchema,
    async load(req: ModelLoadRequest): Promise<LoadedModel> {
      const model = await open(req);
      // A model the probe cannot run (unusual inputs) is served as it is; warm-up reports real failures.
      if (!(await needsPairing(model).catch(() => false))) return model;
      logger.info({ model: req.name, version: req.version }, 'single rows run as pairs: this model answers one row differently from a batch');
      return new PairedSingleRows(model);
    },
  };
}

// Models load concurrently; timing them one at a time keeps one model's runs
// out of another's measurement.
let timing: Promise<unknown> = Promise.resolve();

function timeOneRow(model: LoadedModel): Promise<number> {
  const next = timing.then(() => measure(model));
  timing = next.catch(() => undefined);
  return next;
}

async function measure(model: LoadedModel): Promise<number> {
  const inputs: Tensor[] = model.signature.inputs.map((s) => {
    const shape = s.shape.map((d) => (d < 0 ? 1 : d));
    return { name: s.name, datatype: s.datatype, shape, data: allocate(s.datatype, elementCount(shape)) };
  });
  await model.run({ inputs });
  // The minimum of several runs: the least disturbed one says what the model costs.
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await model.run({ inputs });
    best = Math.min(best, (performance.now() - t0) * 1000);
  }
  return best;
}
