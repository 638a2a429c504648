import type { HttpRoute } from '@ponte/http';
import type { OpenApiDocument } from './openapi-types.js';

/**
 * What an authentication scheme adds to the document: its OpenAPI security
 * schemes and the requirement every data-plane operation carries. This is
 * the seam for the auth plugins: none are described yet, so the document
 * builder is given no contribution and declares no security. Health routes
 * and the documentation itself stay public (`security: []`) once one is given.
 *
 * @example
 * ```ts
 * const apiKey: SecurityContribution = {
 *   schemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
 *   requirements: [{ apiKey: [] }],
 * };
 * ```
 */
export interface SecurityContribution {
  readonly schemes: Readonly<Record<string, Record<string, unknown>>>;
  readonly requirements: ReadonlyArray<Record<string, string[]>>;
}

/** Applies a security contribution to a built document, in place: routes whose action is `public` carry no requirement. */
export function applySecurity(doc: OpenApiDocument, security: SecurityContribution | undefined, routes: readonly HttpRoute[]): void {
  if (security === undefined || Object.keys(security.schemes).length === 0) return;
  doc.components = { ...doc.components, securitySchemes: { ...security.schemes } };
  doc.security = security.requirements.map((r) => ({ ...r }));
  for (const r of routes) {
    if (r.action !== 'public') continue;
    const op = (doc.paths[r.path] as Record<string, Record<string, unknown>> | undefined)?.[r.method.toLowerCase()];
    if (op !== undefined) op['security'] = [];
  }
}
