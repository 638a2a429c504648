/** A notifier as written in the plugin's options. */
export type NotifierOptions =
  | { readonly type: 'log' }
  | { readonly type: 'webhook'; readonly url: string; readonly format?: 'json' | 'alertmanager'; readonly timeoutMs?: number; readonly retries?: number; readonly backoffMs?: number; readonly headers?: Readonly<Record<string, string>> };

/** `@ponte/monitor`'s options. */
export interface MonitorPluginOptions {
  /** Seconds between reads of the prediction log (default 5). */
  readonly tickSeconds: number;
  /** How far behind now the log is read, in seconds (default 5): records still in the log's write buffer are not missed. */
  readonly lagSeconds: number;
  /** Seconds between joins of newly arrived labels to recent windows (default 30). */
  readonly performanceEverySeconds: number;
  /** How many of each version's newest windows the label join updates (default 24). */
  readonly labelWindows: number;
  /** Where alerts go; a log notifier is always there. */
  readonly notifiers: readonly NotifierOptions[];
}

export const monitorOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tickSeconds: { type: 'number', minimum: 0.1, maximum: 3600, default: 5 },
    lagSeconds: { type: 'number', minimum: 0, maximum: 3600, default: 5 },
    performanceEverySeconds: { type: 'number', minimum: 0.1, maximum: 86_400, default: 30 },
    labelWindows: { type: 'integer', minimum: 1, maximum: 1000, default: 24 },
    notifiers: {
      type: 'array',
      default: [],
      items: {
        oneOf: [
          { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'log' } } },
          {
            type: 'object', additionalProperties: false, required: ['type', 'url'],
            properties: {
              type: { const: 'webhook' },
              url: { type: 'string', pattern: '^https?://' },
              format: { enum: ['json', 'alertmanager'] },
              timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000 },
              retries: { type: 'integer', minimum: 0, maximum: 10 },
              backoffMs: { type: 'integer', minimum: 10, maximum: 60_000 },
              headers: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        ],
      },
    },
  },
} as const;
