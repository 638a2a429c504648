/** Options of the `@ponte/dashboard` plugin, as config gives them (defaults filled). */
export interface DashboardOptions {
  /**
   * Serve the page and its scripts and styles without authentication (they
   * hold no data). Default true: a browser sends no `Authorization` header
   * when it loads a page's scripts, so behind a bearer-token gate they could
   * not load otherwise. The data is always read through the gated routes.
   */
  public: boolean;
  /** Title of the page. Default `"<server.name> — monitoring"`. */
  title?: string;
  /** How often the page reloads the report, in seconds; 0 turns auto-refresh off. Default 30. */
  refreshSeconds: number;
  /** How many windows the page asks for at first (the `limit` of the report). Default 50. */
  windows: number;
}

/**
 * The JSON Schema of the plugin's options in config.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/dashboard'
 *     options: { refreshSeconds: 10, windows: 100 }
 * ```
 */
export const dashboardOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    public: { type: 'boolean', default: true, description: 'Serve the page and its assets (no data) without authentication; false makes them `monitor` routes.' },
    title: { type: 'string', minLength: 1, maxLength: 200, description: 'Title of the page (default: "<server.name> — monitoring").' },
    refreshSeconds: { type: 'number', minimum: 0, maximum: 86_400, default: 30, description: 'Seconds between reloads of the report; 0: no auto-refresh.' },
    windows: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Windows shown at first (the report\'s limit).' },
  },
} as const;
