import { PonteError } from '@ponte/core';

/** Options of the `@ponte/openapi` plugin, as config gives them (defaults filled). */
export interface OpenApiOptions {
  /** Where the OpenAPI document is served. Default `/openapi.json`. */
  path: string;
  /** Where Swagger UI is served; its assets live under it. Default `/docs`. */
  uiPath: string;
  /** Serve Swagger UI. Default true. */
  ui: boolean;
  /** `info.title` of the document and title of the UI page. Default `"<server.name> — Ponte"`. */
  title?: string;
  /** Server URLs to advertise in the document (absolute, or relative like `/api`). Default none: relative to where the document was fetched. */
  servers: string[];
  /** Serve the document and the UI without authentication. Default false: they are `read` routes behind the gate. */
  public: boolean;
}

// Plain path segments only: '{' would be a parameter in a route template.
const ROUTE_PATH = '^(/[A-Za-z0-9._~-]+)+$';

/**
 * The JSON Schema of the plugin's options in config.
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/openapi'
 *     options: { uiPath: /api-docs, servers: ['https://models.example.com'] }
 * ```
 */
export const openApiOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: { type: 'string', pattern: ROUTE_PATH, default: '/openapi.json', description: 'Path of the OpenAPI document.' },
    uiPath: { type: 'string', pattern: ROUTE_PATH, default: '/docs', description: 'Path of Swagger UI; its assets are served under it.' },
    ui: { type: 'boolean', default: true, description: 'Serve Swagger UI.' },
    public: { type: 'boolean', default: false, description: 'Serve the document and the UI without authentication.' },
    title: { type: 'string', minLength: 1, maxLength: 200, description: 'Title of the document and the UI page (default: "<server.name> — Ponte").' },
    servers: {
      type: 'array',
      default: [],
      description: 'Server URLs to advertise in the document; none means relative to the document.',
      items: { type: 'string', minLength: 1, pattern: '^(https?://[^\\s]+|/[^\\s]*)$' },
    },
  },
} as const;

/**
 * Checks what the schema cannot: the two paths differ and stay clear of the
 * routes already in the table (`taken`: the first path segments they use,
 * such as `/v1` and `/v2`).
 */
export function checkOptions(o: OpenApiOptions, taken: readonly string[]): void {
  const problems: string[] = [];
  for (const key of ['path', 'uiPath'] as const) {
    const p = o[key];
    const inside = taken.find((t) => p === t || p.startsWith(`${t}/`));
    if (inside !== undefined) problems.push(`options.${key}: "${p}" is inside the ${inside} routes of the route table`);
  }
  if (o.ui && (o.path === o.uiPath || o.path.startsWith(`${o.uiPath}/`))) problems.push(`options.path: "${o.path}" must not be "${o.uiPath}" or under it (Swagger UI's assets live there)`);
  if (problems.length > 0) throw new PonteError('PONTE_CONFIG_INVALID', `@ponte/openapi: ${problems.join('; ')}`);
}
