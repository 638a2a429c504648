import type { Logger } from 'pino';
import type { PonteConfig } from './config/config-types.js';
import type { Token } from './tokens.js';

/** What a plugin contributes; a plugin may have several kinds. The host checks each kind is kept (see `KIND_TOKENS`). */
export type PluginKind =
  | 'model-format'
  | 'store'
  | 'auth'
  | 'validator'
  | 'transform'
  | 'exporter'
  | 'explainer'
  | 'monitor'
  | 'protocol'
  | 'other';

/**
 * What `register` receives: the plugin's options (validated, defaults
 * filled), the server's config, and the container. `provide` registers an
 * implementation of a token; `resolve` reads one — core services built from
 * what plugins contribute (registry, pipeline, observers, sinks) exist once
 * every plugin has registered, so resolve those in `start()` or in a handler.
 */
export interface PluginContext<Options = Record<string, unknown>> {
  readonly name: string;
  /** The plugin's `options` from config, validated against its `configSchema`, defaults filled. */
  readonly options: Options;
  readonly config: Readonly<PonteConfig>;
  /** Folder of the config file: resolve relative paths in options against it. */
  readonly baseDir: string;
  /** A logger whose lines carry the plugin's name. */
  readonly logger: Logger;
  /** Registers an implementation for a token (a second plugin providing a one-implementation token is a config error). */
  provide<T>(token: Token<T>, value: T): void;
  /** The implementation registered for a token (the last one, for tokens that take many). */
  resolve<T>(token: Token<T>): T;
  /** Every implementation registered for a token, in registration order (empty when none). */
  resolveAll<T>(token: Token<T>): T[];
  /**
   * A getter that resolves the token on first call and keeps it: how a route
   * or an observer made in `register` reaches services built after it.
   */
  later<T>(token: Token<T>): () => T;
}

/** What `register` may return: the plugin's per-server lifecycle, whose closure is its state. */
export interface PluginHooks {
  /** Async set-up (listen, connect, read files); plugins start in dependency order. */
  start?(): Promise<void> | void;
  /** Must be idempotent; plugins stop in reverse order. */
  stop?(): Promise<void> | void;
}

/** What the cluster primary (`server.processes` > 1) gives a plugin's `primary` hook. */
export interface PrimaryContext<Options = Record<string, unknown>> {
  readonly name: string;
  readonly options: Options;
  readonly config: Readonly<PonteConfig>;
  readonly logger: Logger;
}

/**
 * A plugin: a plain object with a name, kind(s), an optional options schema
 * and a `register` function that runs once per server. `register` is
 * synchronous (container registrations and routes only); it returns the
 * plugin's `start`/`stop` hooks, so whatever state a server's instance of the
 * plugin needs lives in that closure — one plugin object serves any number of
 * servers in a process.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   name: 'my-validator',
 *   kind: 'validator',
 *   core: '^0.1.0',
 *   configSchema: { type: 'object', properties: { maxRows: { type: 'integer', default: 100 } } },
 *   register(ctx) {
 *     ctx.provide(Tokens.Validator, new MaxRowsValidator(ctx.options.maxRows));
 *     return { stop: () => console.log('bye') };
 *   },
 * });
 * ```
 */
export interface PluginDefinition<Options = Record<string, unknown>> {
  readonly name: string;
  readonly kind: PluginKind | readonly PluginKind[];
  readonly version?: string;
  readonly description?: string;
  /** The `@ponte/core` versions this plugin works with, as a semver range (`^0.1.0`); checked at load. */
  readonly core?: string;
  /** JSON Schema of the plugin's `options` in config; unknown keys should be refused (`additionalProperties: false`). */
  readonly configSchema?: Record<string, unknown>;
  /** Names of plugins that must be registered and started before this one. */
  readonly dependsOn?: readonly string[];
  register(ctx: PluginContext<Options>): PluginHooks | void;
  /**
   * Runs in the cluster primary when `server.processes` > 1 (the primary
   * serves no requests): set up what the server processes share, such as
   * aggregating their metrics. Returns a function that undoes it.
   */
  primary?(ctx: PrimaryContext<Options>): (() => void) | Promise<() => void>;
}

/** Brand that marks objects made by `definePlugin`. */
export const PLUGIN_BRAND = Symbol.for('ponte.plugin');

export type Plugin<Options = Record<string, unknown>> = PluginDefinition<Options> & { readonly [PLUGIN_BRAND]: true };

/**
 * Makes a plugin. The returned object is frozen: a plugin is data plus hooks;
 * per-server state lives in what `register` returns.
 *
 * @example
 * ```ts
 * export default definePlugin({ name: 'hello', kind: 'other', register: (ctx) => ({ start: () => ctx.logger.info('hello') }) });
 * ```
 */
export function definePlugin<Options = Record<string, unknown>>(definition: PluginDefinition<Options>): Plugin<Options> {
  if (typeof definition?.name !== 'string' || definition.name === '') throw new TypeError('definePlugin: name must be a non-empty string');
  if (typeof definition.register !== 'function') throw new TypeError(`definePlugin(${definition.name}): register must be a function`);
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
