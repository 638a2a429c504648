import type { InferenceRoute, PlainRoute, PonteError, RouteAction } from '@ponte/core';
import type { HttpAnswer } from './http-answer.js';
import type { HttpExchange } from './http-exchange.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a REST route appears in the OpenAPI document when `@ponte/openapi` has no richer description of it. */
export interface RouteDocs {
  /** Unique across routes: the OpenAPI `operationId`. */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag?: string;
}

/**
 * One REST route of the table every request is matched against. `path` is a
 * template whose `{param}` parts match one path segment (or the part of it
 * before a literal suffix, as in `/v1/models/{name}:predict`); `{name}` and
 * `{version}` name the model the request is for, which the admit stage and
 * the authorizer use. Every route declares its `action` for the gate.
 *
 * @example
 * ```ts
 * routes.add({
 *   method: 'GET', path: '/v2/models/{name}/stats', name: 'model_stats', action: 'monitor',
 *   docs: { operationId: 'modelStats', summary: 'Model statistics' },
 *   respond: (x) => jsonAnswer(stats(x.params.name)),
 * });
 * ```
 */
export type HttpRoute = HttpRouteBase & (InferenceRoute<HttpExchange, HttpAnswer> | PlainRoute<HttpExchange, HttpAnswer>);

export interface HttpRouteBase {
  readonly method: HttpMethod;
  readonly path: string;
  /** Route name: the request context's `endpoint`, a metric label. */
  readonly name: string;
  readonly action: RouteAction;
  /**
   * Whether requests are API traffic, counted in flight and seen by observers (metrics, traces);
   * default: unless the action is `public`. Infrastructure routes (a scrape, a document) say false.
   */
  readonly tracked?: boolean;
  readonly docs?: RouteDocs;
  /** Path parameters fixed by the route rather than its path: a config route's model (`{ name: 'purchase' }`). */
  readonly params?: Readonly<Record<string, string>>;
  /** Rewrites the route's errors before they are answered: a body shape of its own names its fields its own way. */
  readonly renameErrors?: (e: PonteError) => PonteError;
}
