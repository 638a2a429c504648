import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkAgainstSchema } from '../config/config-loader.js';
import { modelFileSchema } from '../config/config-schema.js';
import type { ModelEntry, PonteConfig } from '../config/config-types.js';
import type { FeatureConfig, ModelConfig, ModelFormat, VersionPolicy } from '../model.js';
import { schemeOf, type ModelStore } from '../model-store.js';

/** A version directory chosen by the version policy, or the reason it could not be used. */
export interface VersionCandidate {
  version: string;
  dir: string;
  file?: string;
  format?: ModelFormat;
  problem?: string;
}

const VERSION_DIR = /^[0-9]+$/;

/**
 * Builds the effective model configs: models found under `repository`, the
 * `models` entries of the config, and each model's `model.yaml`. Precedence,
 * lowest first: defaults, `model.yaml`, the server config entry (the platform
 * engineer has the last word). Returns `path: rule` problems instead of throwing.
 */
export function resolveModelConfigs(config: PonteConfig, baseDir: string): { models: ModelConfig[]; paths: string[]; errors: string[] } {
  const errors: string[] = [];
  const entries = new Map<string, { entry: ModelEntry; path: string }>();
  const repoDir = config.repository === undefined ? undefined : abs(baseDir, config.repository);
  if (repoDir !== undefined) {
    if (!isDir(repoDir)) errors.push(`repository: directory not found (${config.repository})`);
    else for (const name of readdirSync(repoDir).sort()) {
      if (!name.startsWith('.') && isDir(join(repoDir, name))) entries.set(name, { entry: { name }, path: `repository` });
    }
  }
  config.models.forEach((entry, i) => {
    if (entries.has(entry.name) && entries.get(entry.name)!.path.startsWith('models[')) {
      errors.push(`models[${i}].name: duplicate model name "${entry.name}"`);
      return;
    }
    entries.set(entry.name, { entry, path: `models[${i}]` });
  });

  const models: ModelConfig[] = [];
  const paths: string[] = [];
  for (const { entry, path } of entries.values()) {
    // A source with a scheme (s3://…) belongs to a model store plugin; plain paths are local folders.
    const remote = entry.source !== undefined && schemeOf(entry.source) !== 'file';
    const source = entry.source !== undefined ? (remote ? entry.source : abs(baseDir, entry.source)) : repoDir !== undefined ? join(repoDir, entry.name) : undefined;
    if (source === undefined) {
      errors.push(`${path}.source: is required when no repository is configured`);
      continue;
    }
    if (remote) {
      models.push(withDefaults({ ...stripUndefined(entry), name: entry.name } as ModelEntry, source));
      paths.push(path);
      continue;
    }
    if (!isDir(source)) {
      errors.push(`${path}.source: directory not found (${entry.source ?? source})`);
      continue;
    }
    const fileEntry = readModelFile(source, path, errors);
    if (fileEntry === null) continue;
    const merged = { ...fileEntry, ...stripUndefined(entry), name: entry.name } as ModelEntry;
    models.push(withDefaults(merged, source));
    paths.push(path === 'repository' ? `repository/${entry.name}` : path);
  }
  return { models, paths, errors };
}

function readModelFile(source: string, path: string, errors: string[]): Omit<ModelEntry, 'name'> | null {
  for (const fileName of ['model.yaml', 'model.yml']) {
    const file = join(source, fileName);
    if (!existsSync(file)) continue;
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      errors.push(`${path} (${file}): YAML syntax error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return null;
    }
    const problems = checkAgainstSchema(modelFileSchema, raw ?? {}, '');
    if (problems.length > 0) {
      errors.push(...problems.map((p) => `${path} (${file}): ${p}`));
      return null;
    }
    const { name: _ignored, ...rest } = (raw ?? {}) as ModelEntry;
    return rest;
  }
  return {};
}

function withDefaults(e: ModelEntry, source: string): ModelConfig {
  const features: FeatureConfig[] | undefined = e.features?.map((f) => ({ ...f, type: f.type ?? 'number', required: f.required ?? true, nullable: f.nullable ?? false }));
  const out: ModelConfig = {
    name: e.name,
    source,
    versionPolicy: e.versionPolicy ?? { latest: 1 },
    required: e.required ?? true,
    warmup: { runs: e.warmup?.runs ?? 1 },
    logging: { predictions: e.logging?.predictions ?? true, sampleRate: e.logging?.sampleRate ?? 1, redact: e.logging?.redact ?? [] },
    options: e.options ?? {},
  };
  if (e.format !== undefined) out.format = e.format;
  if (e.task !== undefined) out.task = e.task;
  if (e.description !== undefined) out.description = e.description;
  if (features !== undefined) out.features = features;
  if (e.labels !== undefined) out.labels = e.labels;
  if (e.mainOutput !== undefined) out.mainOutput = e.mainOutput;
  if (e.batching !== undefined) out.batching = e.batching;
  if (e.sha256 !== undefined) out.sha256 = e.sha256;
  if (e.monitoring !== undefined) out.monitoring = e.monitoring;
  if (e.explain !== undefined) out.explain = e.explain;
  return out;
}

/**
 * Lists the version folders of a model that its policy selects, newest
 * first, through the model's store, each with the model file and format
 * found in it (or the problem).
 */
export async function selectVersions(model: ModelConfig, formats: readonly ModelFormat[], store: ModelStore): Promise<VersionCandidate[]> {
  const all = (await store.list(model.source)).filter((d) => VERSION_DIR.test(d));
  all.sort((a, b) => Number(b) - Number(a));
  const chosen = pickByPolicy(all, model.versionPolicy);
  return Promise.all(chosen.map(async (version) => {
    if (!all.includes(version)) return { version, dir: join(model.source, version), problem: `version ${version} named by versionPolicy.specific does not exist in ${model.source}` };
    const dir = await store.fetch(model.source, version);
    const cand: VersionCandidate = { version, dir };
    const candidates = model.format !== undefined ? formats.filter((f) => f.name === model.format) : formats;
    if (model.format !== undefined && candidates.length === 0) {
      cand.problem = `format "${model.format}" is not provided by any loaded plugin (loaded: ${formats.map((f) => f.name).join(', ') || 'none'})`;
      return cand;
    }
    for (const f of candidates) {
      for (const fileName of f.fileNames) {
        const file = join(dir, fileName);
        if (existsSync(file)) {
          cand.file = file;
          cand.format = f;
          return cand;
        }
      }
    }
    const expected = candidates.flatMap((f) => f.fileNames).join(' or ');
    cand.problem = `no model file in ${dir} (expected ${expected || 'a format plugin to be loaded'})`;
    return cand;
  }));
}

function pickByPolicy(all: string[], policy: VersionPolicy): string[] {
  if ('latest' in policy) return all.slice(0, policy.latest);
  if ('all' in policy) return all;
  return policy.specific.map(String).sort((a, b) => Number(b) - Number(a));
}

function abs(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
