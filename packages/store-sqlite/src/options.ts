/**
 * Options of `@ponte/store-sqlite`, as written under the plugin's `options`
 * in config (defaults filled from `sqliteOptionsSchema`).
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/store-sqlite'
 *     options: { file: data/ponte.db, retention: { maxAgeDays: 30, maxRows: 5000000 } }
 * ```
 */
export interface SqlitePluginOptions {
  /** The database file, relative to the config file's folder; its folder is created. Default `./data/ponte.db`. */
  file: string;
  /** How long a write waits for another process's write lock before failing; default 5000. */
  busyTimeoutMs: number;
  /** `full` (default): each batch fsynced, survives a power cut; `normal`: survives a killed process, cheaper. */
  synchronous: 'full' | 'normal';
  /** What to keep; nothing is pruned when both are absent (the default). */
  retention: { maxAgeDays?: number; maxRows?: number };
  /** Seconds between prunes (one also runs at start); default 300. */
  pruneIntervalSeconds: number;
}

/** JSON Schema of the plugin's `options`; unknown keys are refused, defaults filled by core. */
export const sqliteOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    file: { type: 'string', minLength: 1, default: './data/ponte.db' },
    busyTimeoutMs: { type: 'integer', minimum: 0, default: 5000 },
    synchronous: { enum: ['full', 'normal'], default: 'full' },
    retention: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxAgeDays: { type: 'number', exclusiveMinimum: 0 },
        maxRows: { type: 'integer', minimum: 1 },
      },
      default: {},
    },
    pruneIntervalSeconds: { type: 'integer', minimum: 1, default: 300 },
  },
} as const;
