/**
 * The few OpenAPI 3.1 shapes this package builds. Schema objects are JSON
 * Schema 2020-12, kept as plain records: the document is data that is
 * serialised once and cached, and typing every keyword would add nothing a
 * structural validator does not already check.
 *
 * @example
 * ```ts
 * const s: SchemaObject = { type: 'number', minimum: 0 };
 * ```
 */
export type SchemaObject = Record<string, unknown>;

/** An Operation Object (`paths['/x'].get`). */
export type OperationObject = Record<string, unknown>;

/** A Path Item Object: operations by lower-case HTTP method, plus shared `parameters`. */
export type PathItemObject = Record<string, unknown>;

/**
 * The OpenAPI document served at `/openapi.json`.
 *
 * @example
 * ```ts
 * const doc: OpenApiDocument = { openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} };
 * ```
 */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string; description?: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItemObject>;
  components?: {
    schemas?: Record<string, SchemaObject>;
    parameters?: Record<string, Record<string, unknown>>;
    headers?: Record<string, Record<string, unknown>>;
    responses?: Record<string, Record<string, unknown>>;
    securitySchemes?: Record<string, Record<string, unknown>>;
  };
  security?: Array<Record<string, string[]>>;
}

/** `#/components/schemas/<name>` as a `$ref` object. */
export function schemaRef(name: string): SchemaObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** `#/components/<section>/<name>` as a `$ref` object. */
export function componentRef(section: 'parameters' | 'headers' | 'responses', name: string): Record<string, unknown> {
  return { $ref: `#/components/${section}/${name}` };
}
