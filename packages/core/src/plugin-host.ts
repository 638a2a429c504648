import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import semver from 'semver';
import { checkAgainstSchema, ConfigError } from './config/config-loader.js';
import type { PluginEntry, PonteConfig } from './config/config-types.js';
import { PonteError } from './errors.js';
import { resolvePonteImportsFromCore } from './plugin-imports.js';
import { isPlugin, type Plugin, type PluginContext, type PluginHooks, type PluginKind } from './plugin.js';
import { PONTE_VERSION } from './server-info.js';
import { BUILT_AFTER_REGISTER, MANY_TOKENS, resolveAllTokens, Tokens, type Token } from './tokens.js';

/** A plugin as listed in config, imported, with its validated options. */
export interface LoadedPlugin {
  plugin: Plugin;
  specifier: string;
  options: Record<string, unknown>;
  /** Config path of the entry, e.g. `plugins[2]`. */
  path: string;
}

/** What each kind promises to register: at least one of these tokens. */
export const KIND_TOKENS: Readonly<Record<PluginKind, readonly symbol[]>> = {
  'model-format': [Tokens.ModelFormat],
  store: [Tokens.ModelStore, Tokens.PredictionStore, Tokens.PredictionSink],
  auth: [Tokens.Authenticator, Tokens.Authorizer, Tokens.AdmissionCheck],
  validator: [Tokens.Validator],
  transform: [Tokens.Transform],
  exporter: [Tokens.PipelineObserver, Tokens.PredictionSink, Tokens.MetricSource],
  explainer: [Tokens.Explainer],
  monitor: [Tokens.PredictionSink, Tokens.PipelineObserver, Tokens.MetricSource],
  protocol: [Tokens.ProtocolEndpoint],
  other: [],
};

function specifierOf(entry: PluginEntry): string {
  return typeof entry === 'string' ? entry : entry.package;
}

/**
 * Imports the plugins a config lists, after `defaults` (plugins the server
 * always loads, such as the REST protocol, unless the config lists a plugin of
 * the same name). A relative path is resolved against the config file's
 * folder; a package name from there first, then from core's own installation.
 * The module's default export (or its `plugin` export) must be a plugin made
 * by `definePlugin`, and its `core` range must admit this core. With `collect`, failures are
 * pushed there and the plugins that did import are returned (`ponte config check`).
 */
export async function importPlugins(config: PonteConfig, baseDir: string, defaults: readonly Plugin[] = [], collect?: PonteError[]): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  const errors: PonteError[] = collect ?? [];
  for (let i = 0; i < config.plugins.length; i++) {
    const entry = config.plugins[i]!;
    const specifier = specifierOf(entry);
    const path = `plugins[${i}]`;
    let mod: Record<string, unknown>;
    const resolved = resolveSpecifier(specifier, baseDir);
    // A plugin outside the installation imports @ponte/core too: resolve it to the running core.
    if (resolved.outside) resolvePonteImportsFromCore();
    try {
      mod = (await import(resolved.url)) as Record<string, unknown>;
    } catch (e) {
      errors.push(importError(path, specifier, resolved.url, e));
      continue;
    }
    const candidate = mod['default'] ?? mod['plugin'];
    if (!isPlugin(candidate)) {
      errors.push(new PonteError('PONTE_PLUGIN_INVALID', `${path}: "${specifier}" does not export a plugin made by definePlugin() as its default export`));
      continue;
    }
    const range = candidate.core;
    if (range !== undefined && !semver.satisfies(PONTE_VERSION, range, { includePrerelease: true })) {
      errors.push(new PonteError('PONTE_PLUGIN_INCOMPATIBLE', `${path}: plugin "${candidate.name}" supports @ponte/core ${range}, not ${PONTE_VERSION}`));
      continue;
    }
    const options = structuredClone((typeof entry === 'string' ? undefined : entry.options) ?? {});
    out.push({ plugin: candidate, specifier, options, path });
  }
  if (collect === undefined && errors.length > 0) throw errors.length === 1 ? errors[0]! : new PonteError(errors[0]!.code, errors.map((e) => e.message).join('\n'));
  const listed = new Set(out.map((p) => p.plugin.name));
  const implicit = defaults.filter((p) => !listed.has(p.name)).map((plugin, i) => ({ plugin, specifier: `default:${plugin.name}`, options: {}, path: `(default plugin ${i})` }));
  return [...implicit, ...out];
}

/** The URL to import a plugin from, and whether it may live outside core's installation. */
function resolveSpecifier(specifier: string, baseDir: string): { url: string; outside: boolean } {
  if (specifier.startsWith('.') || isAbsolute(specifier)) return { url: pathToFileURL(isAbsolute(specifier) ? specifier : resolve(baseDir, specifier)).href, outside: true };
  try {
    return { url: pathToFileURL(createRequire(join(baseDir, 'noop.js')).resolve(specifier)).href, outside: !resolvableFromCore(specifier) };
  } catch {
    return { url: specifier, outside: false };
  }
}

function resolvableFromCore(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/** The package a bare specifier names (`@scope/name` or `name`), without its subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Tells "the plugin is not there" (PONTE_PLUGIN_NOT_FOUND) from "the plugin is there but its import
 * failed" (PONTE_PLUGIN_IMPORT_FAILED: a package it imports is missing, or its code throws), which
 * need different fixes.
 */
function importError(path: string, specifier: string, url: string, e: unknown): PonteError {
  const first = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  const notFound = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  const pluginMissing = notFound && (isPath ? !existsSync(fileURLToPath(url)) : first.includes(`'${packageOf(specifier)}'`) || first.includes(`'${specifier}'`));
  if (pluginMissing) return new PonteError('PONTE_PLUGIN_NOT_FOUND', `${path}: cannot import plugin "${specifier}": not found (${first})`, { cause: e });
  const missing = notFound ? /Cannot find (?:package|module) '([^']+)'/.exec(first)?.[1] : undefined;
  const hint = missing === undefined ? '' : packageOf(missing).startsWith('@ponte/')
    ? ` — the running core resolves only @ponte/* packages it has installed; install ${packageOf(missing)} next to @ponte/core`
    : ` — install ${packageOf(missing)} where the plugin can find it (npm install ${packageOf(missing)} in the plugin's folder)`;
  return new PonteError('PONTE_PLUGIN_IMPORT_FAILED', `${path}: plugin "${specifier}" was found but importing it failed: ${first}${hint}`, { cause: e });
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
  if (e instanceof PonteError && (e.code === 'PONTE_PLUGIN_CONFLICT' || e.code === 'PONTE_PLUGIN_INVALID')) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new PonteError('PONTE_PLUGIN_FAILED', `plugin "${p.plugin.name}" failed in ${hook}: ${msg}`, { cause: e });
}

function describeToken(t: symbol): string {
  return t.description ?? String(t);
}

/**
 * Runs the plugins of one server: `registerAll` calls each `register` with
 * its context, in order, refusing a second plugin that provides a
 * one-implementation token and a plugin that does not register what its kind
 * promises; `startAll` and `stopAll` run the hooks `register` returned.
 */
export class PluginHost {
  private readonly hooks = new Map<LoadedPlugin, PluginHooks>();
  /** Which plugin provided each one-implementation token. */
  private readonly owners = new Map<symbol, string>();
  private registering = false;
  private started: LoadedPlugin[] = [];

  constructor(
    readonly plugins: readonly LoadedPlugin[],
    private readonly root: DependencyContainer,
    private readonly deps: { config: PonteConfig; baseDir: string; logger: Logger },
  ) {}

  registerAll(): void {
    this.registering = true;
    try {
      for (const p of this.plugins) this.register(p);
    } finally {
      this.registering = false;
    }
  }

  private register(p: LoadedPlugin): void {
    const root = this.root;
    const provided = new Set<symbol>();
    const ctx: PluginContext = {
      name: p.plugin.name,
      options: p.options,
      config: this.deps.config,
      baseDir: this.deps.baseDir,
      logger: this.deps.logger.child({ plugin: p.plugin.name }),
      provide: <T>(token: Token<T>, value: T): void => {
        if (!MANY_TOKENS.has(token)) {
          const owner = this.owners.get(token);
          if (owner !== undefined && owner !== p.plugin.name) {
            throw new PonteError('PONTE_PLUGIN_CONFLICT', `plugins "${owner}" and "${p.plugin.name}" both provide ${describeToken(token)}, which takes one implementation: remove one of them from plugins`);
          }
          this.owners.set(token, p.plugin.name);
        }
        provided.add(token);
        root.register(token, { useValue: value });
      },
      resolve: <T>(token: Token<T>): T => {
        this.checkResolvable(token, p);
        return root.resolve<T>(token);
      },
      resolveAll: <T>(token: Token<T>): T[] => {
        this.checkResolvable(token, p);
        return resolveAllTokens(root, token);
      },
      later: <T>(token: Token<T>): (() => T) => {
        let value: { v: T } | undefined;
        return () => (value ??= { v: ctx.resolve(token) }).v;
      },
    };
    let hooks: PluginHooks | void;
    try {
      hooks = p.plugin.register(ctx);
      if ((hooks as unknown) instanceof Promise) throw new Error('register must be synchronous; do async work in the start() it returns');
    } catch (e) {
      throw wrap(p, 'register', e);
    }
    this.hooks.set(p, hooks ?? {});
    const kinds = (Array.isArray(p.plugin.kind) ? p.plugin.kind : [p.plugin.kind]) as PluginKind[];
    for (const kind of kinds) {
      const promised = KIND_TOKENS[kind];
      if (promised === undefined) throw new PonteError('PONTE_PLUGIN_INVALID', `plugin "${p.plugin.name}": unknown kind "${kind}" (expected ${Object.keys(KIND_TOKENS).join(', ')})`);
      if (promised.length > 0 && !promised.some((t) => provided.has(t))) {
        throw new PonteError('PONTE_PLUGIN_INVALID', `plugin "${p.plugin.name}" declares kind "${kind}" but registered none of ${promised.map(describeToken).join(', ')}`);
      }
    }
  }

  private checkResolvable(token: symbol, p: LoadedPlugin): void {
    if (this.registering && BUILT_AFTER_REGISTER.has(token)) {
      throw new PonteError('PONTE_PLUGIN_INVALID', `plugin "${p.plugin.name}" resolved ${describeToken(token)} in register(): it is built once every plugin has registered — resolve it in start() or in a handler`);
    }
  }

  async startAll(): Promise<void> {
    for (const p of this.plugins) {
      const start = this.hooks.get(p)?.start;
      if (start !== undefined) {
        try {
          await start();
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
      const stop = this.hooks.get(p)?.stop;
      if (stop === undefined) continue;
      try {
        await stop();
      } catch (e) {
        this.deps.logger.error({ plugin: p.plugin.name, err: e }, 'plugin failed to stop');
      }
    }
  }
}

/**
 * Runs the `primary` hooks of a config's plugins in the cluster primary
 * (`server.processes` > 1), which serves no requests itself; returns a
 * function that undoes them in reverse order.
 */
export async function startPrimaryHooks(config: PonteConfig, baseDir: string, logger: Logger, defaults: readonly Plugin[] = []): Promise<() => void> {
  const plugins = orderPlugins(await importPlugins(config, baseDir, defaults));
  const undo: Array<() => void> = [];
  for (const p of plugins) {
    if (p.plugin.primary === undefined) continue;
    try {
      undo.push(await p.plugin.primary({ name: p.plugin.name, options: p.options, config, logger: logger.child({ plugin: p.plugin.name }) }));
    } catch (e) {
      for (const u of undo.reverse()) u();
      throw wrap(p, 'primary', e);
    }
  }
  return () => { for (const u of undo.reverse()) u(); };
}
