import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { featureLayout } from '../features/feature-layout.js';
import { createLogger } from '../logger.js';
import { isPonteError, type PonteError } from '../errors.js';
import { importPlugins, orderPlugins } from '../plugin-host.js';
import type { Plugin } from '../plugin.js';
import { resolveModelConfigs } from '../registry/model-repository.js';
import { PonteServer } from '../server.js';
import { ConfigError, createConfigAjv, loadConfigFile } from './config-loader.js';
import { coreConfigSchema } from './config-schema.js';
import type { LoadedConfig, PonteConfig } from './config-types.js';
import { interpolate } from './interpolate.js';

/** What `ponte config check` found: every problem, each naming its path, and what the config holds. */
export interface ConfigCheckResult {
  problems: string[];
  plugins: number;
  models: number;
}

/**
 * Checks a config file the way `ponte serve` would use it, reporting every problem in one run
 * rather than layer by layer: the core schema, every plugin's import and options, every model
 * entry and source, and then — when all of that holds — loads each model (nothing listens) to
 * report a model file that does not load or configured features that do not match its input.
 */
export async function checkConfigFile(file: string, options: { defaults?: readonly Plugin[]; env?: NodeJS.ProcessEnv } = {}): Promise<ConfigCheckResult> {
  const problems: string[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = loadConfigFile(file, options.env);
  } catch (e) {
    if (!(e instanceof ConfigError) || e.code === 'PONTE_CONFIG_UNREADABLE') throw e;
    problems.push(...e.messages);
    const partial = bestEffort(file, options.env);
    // Unparseable YAML: nothing more can be checked.
    if (partial === undefined) return { problems, plugins: 0, models: 0 };
    loaded = partial;
  }
  const { config, baseDir } = loaded;
  const failures: PonteError[] = [];
  const imported = await importPlugins(config, baseDir, options.defaults, failures);
  for (const f of failures) problems.push(...f.message.split('\n').map((m) => `${f.code}: ${m}`));
  try {
    orderPlugins(imported);
  } catch (e) {
    if (e instanceof ConfigError) problems.push(...e.messages);
    else if (isPonteError(e)) problems.push(`${e.code}: ${e.message}`);
    else throw e;
  }
  let models = 0;
  try {
    const resolved = resolveModelConfigs(config, baseDir);
    models = resolved.models.length;
    problems.push(...resolved.errors.filter((m) => !problems.includes(m)));
  } catch {
    // A models section too broken to read is already reported by the schema.
  }
  if (problems.length > 0) return { problems, plugins: config.plugins.length, models };

  let server: PonteServer;
  try {
    server = await PonteServer.create(loaded, { logger: createLogger('silent'), ...(options.defaults ? { defaults: options.defaults } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) return { problems: e.messages, plugins: config.plugins.length, models };
    if (isPonteError(e)) return { problems: [`${e.code}: ${e.message}`], plugins: config.plugins.length, models };
    throw e;
  }
  try {
    await server.registry.loadAll(server.modelConfigs);
    for (const m of server.registry.readiness().models) {
      for (const v of m.versions) if (v.state !== 'ready') problems.push(`model "${m.name}" version ${v.version}: does not load: ${v.reason ?? v.state}`);
      if (m.versions.length === 0 && m.reason !== undefined) problems.push(`model "${m.name}": ${m.reason}`);
    }
    for (const r of server.registry.readyVersions()) {
      if (r.config.features === undefined) continue;
      const layout = featureLayout(r.config, r.signature);
      if ('problem' in layout) problems.push(`model "${r.name}" version ${r.version}: ${layout.problem}`);
    }
    (server.config.routes ?? []).forEach((route, i) => {
      const model = server.registry.readyVersions().find((r) => r.name === route.model && (route.version === undefined || r.version === route.version));
      if (model === undefined) return;
      for (const [field, source] of Object.entries(route.response)) {
        if (source.startsWith('output:') && !model.signature.outputs.some((o) => o.name === source.slice(7))) {
          problems.push(`routes[${i}].response.${field}: model "${model.name}" has no output "${source.slice(7)}" (outputs: ${model.signature.outputs.map((o) => o.name).join(', ')})`);
        }
        if (source === 'probability' && model.config.task !== 'binary_classification' && model.config.labels?.length !== 2) {
          problems.push(`routes[${i}].response.${field}: "probability" needs a binary classifier; model "${model.name}" is not one (use probabilities or label)`);
        }
      }
    });
  } finally {
    await server.registry.closeAll();
  }
  return { problems, plugins: server.config.plugins.length, models: server.modelConfigs.length };
}

/**
 * The config as far as it can be read when the core schema refuses it: defaults filled, and the
 * plugin and model lists kept to their well-formed entries, so that the later checks still run.
 */
function bestEffort(file: string, env: NodeJS.ProcessEnv | undefined): LoadedConfig | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(resolve(file), 'utf8'), { uniqueKeys: true });
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const baseDir = dirname(resolve(file));
  const { value, secretPaths } = interpolate(raw, baseDir, env);
  createConfigAjv().validate(coreConfigSchema, value);
  const c = value as Record<string, unknown>;
  const plugins = Array.isArray(c['plugins']) ? c['plugins'] : [];
  const models = Array.isArray(c['models']) ? c['models'] : [];
  const config = {
    ...c,
    // Malformed entries are the schema's to report; later entries' paths may then shift by one.
    plugins: plugins.filter((p) => typeof p === 'string' || (typeof p === 'object' && p !== null && typeof (p as { package?: unknown }).package === 'string')),
    models: models.filter((m): m is { name: string } => typeof m === 'object' && m !== null && typeof (m as { name?: unknown }).name === 'string'),
    ...(typeof c['repository'] === 'string' ? {} : { repository: undefined }),
  } as unknown as PonteConfig;
  if (config.repository === undefined) delete (config as { repository?: string }).repository;
  return { config, baseDir, secretPaths };
}
