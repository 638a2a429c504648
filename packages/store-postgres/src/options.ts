/**
 * Options of the `@ponte/store-postgres` plugin, as config gives them
 * (defaults filled from `postgresStoreOptionsSchema`).
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/store-postgres'
 *     options:
 *       connectionString: '${env:DATABASE_URL}'   # the password stays out of the file, and is redacted when config is printed
 *       retention: { maxAgeDays: 30, maxRows: 10000000 }
 * ```
 */
export interface PostgresStoreOptions {
  /**
   * A libpq-style URL (`postgres://user:password@host:5432/db?sslmode=require`). Write it as
   * `${env:DATABASE_URL}` or `${file:/run/secrets/db-url}`: interpolated values are redacted
   * whenever config is printed, a literal one is not.
   */
  connectionString: string;
  /** Schema holding the tables; created (with its tables) at start when missing. Default `ponte`. */
  schema: string;
  /** Size of the connection pool. Default 4: appends come in batches, four are plenty. */
  maxConnections: number;
  /** What to keep; nothing is pruned when neither limit is set. */
  retention: { maxAgeDays?: number; maxRows?: number };
  /** Delay between two prune runs, seconds. Default 300. */
  pruneIntervalSeconds: number;
}

/**
 * JSON Schema of the plugin's `options`; unknown keys are refused, defaults are filled.
 *
 * @example
 * ```ts
 * postgresStoreOptionsSchema.properties.schema.default; // 'ponte'
 * ```
 */
export const postgresStoreOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connectionString'],
  properties: {
    connectionString: { type: 'string', minLength: 1 },
    // 63 bytes is PostgreSQL's identifier limit: longer names are silently truncated, so refuse them here.
    schema: { type: 'string', minLength: 1, maxLength: 63, default: 'ponte' },
    maxConnections: { type: 'integer', minimum: 1, maximum: 100, default: 4 },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxAgeDays: { type: 'number', exclusiveMinimum: 0 },
        maxRows: { type: 'integer', minimum: 1 },
      },
    },
    pruneIntervalSeconds: { type: 'number', minimum: 1, default: 300 },
  },
} as const;
