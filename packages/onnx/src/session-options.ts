import type { InferenceSession } from 'onnxruntime-node';

/** ONNX Runtime settings a model (or the plugin, as defaults) may set. */
export interface OnnxOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** In order of preference; the CPU provider is always the last resort. */
  executionProviders?: string[];
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /**
   * Where `session.run` happens: `worker` threads keep the event loop free; `inline` runs on it;
   * `auto` (the default) times a one-row run at load and picks (onnx-format.ts).
   */
  executor?: 'auto' | 'worker' | 'inline';
  /** Sessions (one per worker thread) per model version when `executor: worker`. */
  instances?: number;
}

export const onnxOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    intraOpNumThreads: { type: 'integer', minimum: 0, maximum: 256 },
    interOpNumThreads: { type: 'integer', minimum: 0, maximum: 256 },
    executionMode: { enum: ['sequential', 'parallel'] },
    graphOptimizationLevel: { enum: ['disabled', 'basic', 'extended', 'all'] },
    executionProviders: { type: 'array', minItems: 1, items: { enum: ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] } },
    enableCpuMemArena: { type: 'boolean' },
    enableMemPattern: { type: 'boolean' },
    logSeverityLevel: { enum: [0, 1, 2, 3, 4] },
    executor: { enum: ['auto', 'worker', 'inline'] },
    instances: { type: 'integer', minimum: 1, maximum: 64 },
  },
} as const;

/** Maps Ponte's options to ONNX Runtime's `SessionOptions`. */
export function toSessionOptions(o: OnnxOptions): InferenceSession.SessionOptions {
  const s: InferenceSession.SessionOptions = {};
  if (o.intraOpNumThreads !== undefined) s.intraOpNumThreads = o.intraOpNumThreads;
  if (o.interOpNumThreads !== undefined) s.interOpNumThreads = o.interOpNumThreads;
  if (o.executionMode !== undefined) s.executionMode = o.executionMode;
  if (o.graphOptimizationLevel !== undefined) s.graphOptimizationLevel = o.graphOptimizationLevel;
  if (o.enableCpuMemArena !== undefined) s.enableCpuMemArena = o.enableCpuMemArena;
  if (o.enableMemPattern !== undefined) s.enableMemPattern = o.enableMemPattern;
  if (o.logSeverityLevel !== undefined) s.logSeverityLevel = o.logSeverityLevel;
  const eps = o.executionProviders ?? ['cpu'];
  s.executionProviders = eps.includes('cpu') ? eps : [...eps, 'cpu'];
  return s;
}
