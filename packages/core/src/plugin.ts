import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { PonteConfig } from './config/config-types.js';
import type { HttpEnv } from './http/http-env.js';

/** What a plugin contributes; a plugin may have several kinds. */
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
 * What `register`, `start` and `stop` receive. `container` is the plugin's own
 * child container; `provide` registers into the root container, where core and
 * other plugins look for implementations of core tokens.
 */
export interface PluginContext<Options = Record<string, unknown>> {
  readonly name: string;
  /** The plugin's `options` from config, validated against its `configSchema`, defaults filled. */
  readonly options: Options;
  readonly config: Readonly<PonteConfig>;
  /** Folder of the config file: resolve relative paths in options against it. */
  readonly baseDir: string;
  readonly logger: Logger;
  /** The plugin's child container (private registrations). */
  readonly container: DependencyContainer;
  /** The root container (resolve core services in `start`). */
  readonly root: DependencyContainer;
  /** The HTTP app of the data plane: add routes in `register`. */
  readonly http: Hono<HttpEnv>;
  /** Registers a value for a core token in the root container. */
  provide<T>(token: InjectionToken<T>, value: T): void;
}

/**
 * A plugin: a plain object with a name, kind(s), an optional options schema and
 * hooks. `register` is synchronous (container registrations and routes only);
 * I/O belongs in `start`. `stop` must be idempotent; plugins stop in reverse order.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   name: 'my-validator',
 *   kind: 'validator',
 *   configSchema: { type: 'object', properties: { maxRows: { type: 'integer', default: 100 } } },
 *   register(ctx) { ctx.provide(Tokens.Validator, new MaxRowsValidator(ctx.options.maxRows)); },
 * });
 * ```
 */
export interface PluginDefinition<Options = Record<string, unknown>> {
  readonly name: string;
  readonly kind: PluginKind | readonly PluginKind[];
  readonly version?: string;
  readonly description?: string;
  /** JSON Schema of the plugin's `options` in config; unknown keys should be refused (`additionalProperties: false`). */
  readonly configSchema?: Record<string, unknown>;
  /** Names of plugins that must be registered and started before this one. */
  readonly dependsOn?: readonly string[];
  register(ctx: PluginContext<Options>): void;
  start?(ctx: PluginContext<Options>): Promise<void> | void;
  stop?(ctx: PluginContext<Options>): Promise<void> | void;
}

/** Brand that marks objects made by `definePlugin`. */
export const PLUGIN_BRAND = Symbol.for('ponte.plugin');

export type Plugin<Options = Record<string, unknown>> = PluginDefinition<Options> & { readonly [PLUGIN_BRAND]: true };

/**
 * Makes a plugin. The returned object is frozen: a plugin is data plus hooks.
 *
 * @example
 * ```ts
 * export default definePlugin({ name: 'hello', kind: 'other', register(ctx) { ctx.http.get('/hello', (c) => c.text('hi')); } });
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
