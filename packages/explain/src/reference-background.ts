import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PonteError, type ModelView } from '@ponte/core';
import { monitoringConfig, readReferenceFile } from '@ponte/monitor';
import { backgroundFromProfile, summariseBackground, type Background, type FeatureProfileLike } from './background.js';
import type { ModelExplainConfig } from './explain-config.js';

/** Why a model cannot be explained, as a caller reads it. */
function unavailable(message: string): PonteError {
  return new PonteError('PONTE_EXPLAIN_UNAVAILABLE', message);
}

/** A relative path beside the version first, then beside the model. */
function locate(model: ModelView, file: string): string {
  if (isAbsolute(file)) return file;
  const inVersion = join(model.config.source, model.version, file);
  return existsSync(inVersion) ? inVersion : join(model.config.source, file);
}

/** The feature names of a model's one `[rows, features]` input (configured names, else `x0 …`). */
export function featureNamesOf(model: ModelView): string[] {
  const input = model.signature.inputs[0];
  const m = input?.shape[1] ?? 0;
  const configured = model.config.features?.map((f) => f.name);
  if (configured !== undefined && configured.length === m) return configured;
  return Array.from({ length: m }, (_, i) => `x${i}`);
}

/** Whether the engine can take this model's inputs: one FP32 tensor `[rows, features]`. */
export function explainable(model: ModelView): boolean {
  const inputs = model.signature.inputs;
  return inputs.length === 1 && inputs[0]!.datatype === 'FP32' && inputs[0]!.shape.length === 2 && (inputs[0]!.shape[1] ?? -1) > 0;
}

/**
 * The background a model version is explained against, summarised once to K
 * weighted centroids: from the reference sample file `models[].explain.background.file`
 * when set, else from the monitor's reference profile beside the version
 * (`profile.json`, or `models[].monitoring.profile`).
 */
export async function referenceBackground(model: ModelView, config: ModelExplainConfig): Promise<Background> {
  const names = featureNamesOf(model);
  const m = names.length;
  if (config.file !== undefined) {
    const file = locate(model, config.file);
    const rows: number[] = [];
    let count = 0;
    try {
      for await (const record of readReferenceFile(file)) {
        for (let i = 0; i < m; i++) {
          const v = record[names[i]!];
          if (typeof v !== 'number') throw new Error(`row ${count + 1}: ${names[i]} is ${v === undefined ? 'missing' : 'not a number'}`);
          rows.push(v);
        }
        if (++count >= config.fileRows) break;
      }
    } catch (e) {
      throw unavailable(`model ${model.name}: reference sample ${config.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (count === 0) throw unavailable(`model ${model.name}: reference sample ${config.file} has no rows`);
    return summariseBackground(rows, m, { k: config.k, seed: config.seed });
  }
  let profilePath: string;
  try {
    const p = monitoringConfig(model.config.monitoring).profile;
    profilePath = isAbsolute(p) ? p : join(model.config.source, model.version, p);
  } catch {
    profilePath = join(model.config.source, model.version, 'profile.json');
  }
  let profile: { format?: string; features?: Record<string, FeatureProfileLike> };
  try {
    profile = JSON.parse(readFileSync(profilePath, 'utf8')) as typeof profile;
  } catch {
    throw unavailable(`model ${model.name} version ${model.version}: no reference to explain against: make a profile with \`ponte profile --model ${model.name} --data reference.csv\`, or set models[].explain.background.file`);
  }
  if (profile.format !== 'ponte.reference-profile' || profile.features === undefined) throw unavailable(`model ${model.name}: ${profilePath} is not a Ponte reference profile`);
  try {
    return backgroundFromProfile(profile.features, names, { k: config.k, seed: config.seed });
  } catch (e) {
    throw unavailable(`model ${model.name}: reference profile: ${e instanceof Error ? e.message : String(e)}`);
  }
}
