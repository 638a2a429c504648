import type { DataType, Parameter, Tensor } from './tensor.js';

/**
 * What a model takes and gives, as the Open Inference Protocol describes it:
 * a dimension of -1 is dynamic (usually the batch dimension).
 *
 * @example
 * ```ts
 * const sig: ModelSignature = {
 *   inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 8] }],
 *   outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
 * };
 * ```
 */
export interface TensorSpec {
  name: string;
  datatype: DataType;
  shape: number[];
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Options a format receives to load one version of a model. */
export interface ModelLoadRequest {
  name: string;
  version: string;
  /** Absolute path of the version directory. */
  dir: string;
  /** Absolute path of the model file inside `dir`. */
  file: string;
  /** The format-specific `options` section of the model config, validated against `ModelFormat.optionsSchema`. */
  options: Record<string, unknown>;
}

/** A run of the model: named input tensors, the outputs wanted (all when omitted). */
export interface RunRequest {
  inputs: Tensor[];
  outputs?: string[];
  parameters?: Record<string, Parameter>;
}

/**
 * One loaded version of a model, as a format plugin hands it to core. `run` must
 * accept any batch size the signature allows; core may concatenate requests.
 *
 * @example
 * ```ts
 * const out = await loaded.run({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], data }] });
 * ```
 */
export interface LoadedModel {
  readonly signature: ModelSignature;
  /** The OIP platform string, e.g. `onnx_onnxv1`. */
  readonly platform: string;
  run(request: RunRequest): Promise<Tensor[]>;
  /** How many runs the model can do at once (worker threads, sessions); default 1. */
  readonly instances?: number;
  /** Frees runtime resources. Idempotent. */
  close(): Promise<void>;
}

/**
 * A model format plugin's contribution: how to recognise and load a model file.
 *
 * @example
 * ```ts
 * ctx.container.register(Tokens.ModelFormat, { useValue: { name: 'onnx', fileNames: ['model.onnx'], load } });
 * ```
 */
export interface ModelFormat {
  /** The name models use in config (`format: onnx`). */
  readonly name: string;
  /** File names this format recognises inside a version directory, in order of preference. */
  readonly fileNames: readonly string[];
  /** JSON Schema of the model config's `options` section for this format. */
  readonly optionsSchema?: Record<string, unknown>;
  load(request: ModelLoadRequest): Promise<LoadedModel>;
}

/** Rules for one named feature of a tabular model. */
export interface FeatureConfig {
  name: string;
  type: 'number' | 'integer' | 'string' | 'boolean';
  description?: string;
  min?: number;
  max?: number;
  enum?: Array<string | number>;
  /** Default true: the feature must be present. */
  required: boolean;
  /** Default false: null is refused. */
  nullable: boolean;
  /** Value used when a non-required feature is missing or null. */
  default?: string | number | boolean;
  /** The model input this feature feeds when the model has one input per feature. */
  input?: string;
}

export type ModelTask = 'binary_classification' | 'multiclass_classification' | 'regression' | 'other';

/** Dynamic batching settings (Triton semantics). */
export interface BatchingConfig {
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayMicros: number;
  preferredBatchSizes: number[];
  maxQueueSize: number;
}

/** Per-model prediction logging: whether, how often, and which features never reach the log. */
export interface PredictionLoggingConfig {
  predictions: boolean;
  /** Share of requests logged, 0 to 1. */
  sampleRate: number;
  /** Feature names dropped from logged records (tensors of models without feature names are logged whole). */
  redact: string[];
}

export type VersionPolicy = { latest: number } | { all: true } | { specific: string[] };

/** The effective config of one model after defaults, repository discovery and model.yaml overrides. */
export interface ModelConfig {
  name: string;
  format?: string;
  /** Absolute path of the model directory holding version sub-directories. */
  source: string;
  versionPolicy: VersionPolicy;
  /** Whether server readiness waits for this model. */
  required: boolean;
  task?: ModelTask;
  description?: string;
  /** Features in input order. */
  features?: FeatureConfig[];
  /** Class labels in output order (classifiers). */
  labels?: Array<string | number>;
  /** The output holding class probabilities (classifiers) or the prediction (regression). */
  mainOutput?: string;
  /** Warm-up runs with generated inputs before the version reports ready. */
  warmup: { runs: number };
  batching?: Partial<BatchingConfig>;
  /** The prediction log of this model (used when a prediction store is loaded). */
  logging: PredictionLoggingConfig;
  /** The model's monitoring section, read and validated by the monitor plugin (`@ponte/monitor`). */
  monitoring?: Record<string, unknown>;
  /** The model's explanation settings, read and validated by the explain plugin (`@ponte/explain`). */
  explain?: Record<string, unknown>;
  /** Format-specific options (e.g. ONNX Runtime session options). */
  options: Record<string, unknown>;
  /**
   * The sha256 (hex) each version's model file must have: one digest for
   * every version, or one per version name. A version whose file does not
   * match, or that a map does not list, is not loaded.
   */
  sha256?: ModelSha256;
}

/** Pinned model file digests: one hex sha256 for every version, or per version (`{ "1": "ab12…" }`). */
export type ModelSha256 = string | Record<string, string>;

export type ModelVersionState = 'loading' | 'ready' | 'failed' | 'unloaded';

/** Status of one version, as metadata and readiness endpoints report it. */
export interface ModelVersionStatus {
  name: string;
  version: string;
  state: ModelVersionState;
  reason?: string;
  loadDurationMs?: number;
}
