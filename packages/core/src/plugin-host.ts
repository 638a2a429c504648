import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { checkAgainstSchema, ConfigError } from './config/config-loader.js';
import type { PluginEntry, PonteConfig } from './config/config-types.js';
import { PonteError } from './errors.js';
import type { HttpEnv } from './http/http-env.js';
import { isPlugin, type Plugin, type PluginContext } from './plugin.js';

/** A plugin as listed in config, imported, with its validated options. */
export interface LoadedPlugin {
  plugin: Plugin;
  specifier: string;
  options: Record<string, unknown>;
  /** Config path of the entry, e.g. `plugins[2]`. */
  path: string;
}

function specifierOf(entry: PluginEntry): string {
  return typeof entry === 'string' ? entry : entry.package;
}

/**
 * Imports the plugins a config lists. A relative path is resolved against the
 * config file's folder; a package name from there first, then from core's own
 * installation. The module's default export (or its `plugin` export) must be
 * a plugin made by `definePlugin`.
 */
export async function importPlugins(config: PonteConfig, baseDir: string, builtins: readonly Plugin[] = []): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = builtins.map((plugin, i) => ({ plugin, specifier: `builtin:${plugin.name}`, options: {}, path: `(builtin ${i})` }));
  const errors: PonteError[] = [];
  for (let i = 0; i < config.plugins.length; i++) {
    const entry = config.plugins[i]!;
    const specifier = specifierOf(entry);
    const path = `plugins[${i}]`;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(resolveSpecifier(specifier, baseDir))) as Record<string, unknown>;
    } catch (e) {
      errors.push(new PonteError('PONTE_PLUGIN_NOT_FOUND', `${path}: cannot import plugin "${specifier}" (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`, { cause: e }));
      continue;
    }
    const candidate = mod['default'] ?? mod['plugin'];
    if (!isPlugin(candidate)) {
      errors.push(new PonteError('PONTE_PLUGIN_INVALID', `${path}: "${specifier}" does not export a plugin made by definePlugin() as its default export`));
      continue;
    }
    const options = structuredClone((typeof entry === 'string' ? undefined : entry.options) ?? {});
    out.push({ plugin: candidate, specifier, options, path });
  }
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new PonteError(errors[0]!.code, errors.map((e) => e.message).join('\n'));
  return out;
}

function resolveSpecifier(specifier: string, baseDir: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) return pathToFileURL(isAbsolute(specifier) ? specifier : resolve(baseDir, specifier)).href;
  try {
    return pathToFileURL(createRequire(join(baseDir, 'noop.js')).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}

/**
 * Checks names are unique, dependencies are present, options match each
 * plugin's schema (defaults filled), and orders plugins so that dependencies
 * come first; otherwise config order is kept.
 */
export function orderPlugins(plugins: LoadedPlugin[]): LoadedPlugin[] {
  const byName = new Map<string, LoadedPlugin>();
  const messages: string[] = [];
  for (const p of plugins) {
    const existing = byName.get(p.plugin.name);
    if (existing !== undefined) throw new PonteError('PONTE_PLUGIN_DUPLICATE', `${p.path}: plugin "${p.plugin.name}" is already loaded by ${existing.path} (${existing.specifier})`);
    byName.set(p.plugin.name, p);
    if (p.plugin.configSchema !== undefined) messages.push(...checkAgainstSchema(p.plugin.configSchema, p.options, `${p.path}.options`));
  }
  if (messages.length > 0) throw new ConfigError(messages);
  for (const p of plugins) {
    for (const dep of p.plugin.dependsOn ?? []) {
      if (!byName.has(dep)) throw new PonteError('PONTE_PLUGIN_DEPENDENCY_MISSING', `${p.path}: plugin "${p.plugin.name}" needs plugin "${dep}", which is not listed in plugins`);
    }
  }
  const ordered: LoadedPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: LoadedPlugin, chain: string[]): void => {
    const s = state.get(p.plugin.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new PonteError('PONTE_PLUGIN_INVALID', `plugin dependency cycle: ${[...chain, p.plugin.name].join(' → ')}`);
    state.set(p.plugin.name, 'visiting');
    for (const dep of p.plugin.dependsOn ?? []) visit(byName.get(dep)!, [...chain, p.plugin.name]);
    state.set(p.plugin.name, 'done');
    ordered.push(p);
  };
  for (const p of plugins) visit(p, []);
  return ordered;
}

/** Wraps a hook failure with the plugin's name, keeping the original as `cause`. */
function wrap(p: LoadedPlugin, hook: string, e: unknown): PonteError {
  const msg = e instanceof Error ? e.message : String(e);
  return new PonteError('PONTE_PLUGIN_FAILED', `plugin "${p.plugin.name}" failed in ${hook}: ${msg}`, { cause: e });
}

/** Runs the register/start/stop hooks of ordered plugins with their contexts. */
export class PluginHost {
  private readonly contexts = new Map<LoadedPlugin, PluginContext>();
  private started: LoadedPlugin[] = [];

  constructor(
    readonly plugins: readonly LoadedPlugin[],
    private readonly deps: { root: DependencyContainer; config: PonteConfig; baseDir: string; logger: Logger; http: Hono<HttpEnv> },
  ) {}

  registerAll(): void {
    for (const p of this.plugins) {
      const root = this.deps.root;
      const ctx: PluginContext = {
        name: p.plugin.name,
        options: p.options,
        config: this.deps.config,
        baseDir: this.deps.baseDir,
        logger: this.deps.logger.child({ plugin: p.plugin.name }),
        container: root.createChildContainer(),
        root,
        http: this.deps.http,
        provide: (token, value) => { root.register(token, { useValue: value }); },
      };
      this.contexts.set(p, ctx);
      try {
        const r = p.plugin.register(ctx) as unknown;
        if (r instanceof Promise) throw new Error('register must be synchronous; do async work in start()');
      } catch (e) {
        throw wrap(p, 'register', e);
      }
    }
  }

  async startAll(): Promise<void> {
    for (const p of this.plugins) {
      if (p.plugin.start !== undefined) {
        try {
          await p.plugin.start(this.contexts.get(p)!);
        } catch (e) {
          throw wrap(p, 'start', e);
        }
      }
      this.started.push(p);
    }
  }

  /** Stops started plugins in reverse order; failures are logged, not thrown, so every plugin gets its turn. */
  async stopAll(): Promise<void> {
    const toStop = this.started.reverse();
    this.started = [];
    for (const p of toStop) {
      if (p.plugin.stop === undefined) continue;
      try {
        await p.plugin.stop(this.contexts.get(p)!);
      } catch (e) {
        this.deps.logger.error({ plugin: p.plugin.name, err: e }, 'plugin failed to stop');
      }
    }
  }
}
