import type { ModelRegistry } from './model-registry.js';
import type { ModelVersionStatus, TensorSpec } from '../model.js';

/** OIP model metadata, plus Ponte's readiness detail for each version. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  ready: boolean;
  state: ModelVersionStatus['state'] | 'failed';
  reason?: string;
  /** Ponte extension: every version's state and, when it failed, why. */
  version_status: ModelVersionStatus[];
  features?: Array<{ name: string; type: string; min?: number; max?: number; enum?: Array<string | number> }>;
  labels?: Array<string | number>;
}

/**
 * Metadata of a model (newest ready version) or of one version. A model that
 * failed to load still answers, with `ready: false` and the reason, so an
 * operator can see why without reading logs.
 */
export function modelMetadata(registry: ModelRegistry, name: string, version?: string): ModelMetadata {
  const config = registry.config(name);
  const statuses = registry.versions(name);
  let state: ModelMetadata['state'] = 'failed';
  let reason: string | undefined;
  let inputs: TensorSpec[] = [];
  let outputs: TensorSpec[] = [];
  let platform = '';
  let versions = statuses.map((s) => s.version);
  try {
    const ready = registry.resolve(name, version);
    ({ inputs, outputs } = ready.signature);
    platform = ready.platform;
    state = 'ready';
  } catch (e) {
    if (version !== undefined) {
      const st = registry.versionStatus(name, version);
      state = st.state;
      reason = st.reason;
    } else {
      reason = registry.problem(name);
      state = reason === 'loading' ? 'loading' : 'failed';
    }
    if (!(e instanceof Error)) throw e;
  }
  if (version !== undefined) versions = [version];
  const meta: ModelMetadata = { name, versions, platform, inputs, outputs, ready: state === 'ready', state, version_status: version === undefined ? statuses : statuses.filter((s) => s.version === version) };
  if (reason !== undefined) meta.reason = reason;
  if (config.features !== undefined) {
    meta.features = config.features.map((f) => ({ name: f.name, type: f.type, ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}), ...(f.enum ? { enum: f.enum } : {}) }));
  }
  if (config.labels !== undefined) meta.labels = config.labels;
  return meta;
}
