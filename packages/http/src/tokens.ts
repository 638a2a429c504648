import { token, type Token } from '@ponte/core';
import type { Hono } from 'hono';
import type { HttpRouteTable } from './route-table.js';

/**
 * Tokens `@ponte/http` registers. A plugin that serves REST routes lists
 * `dependsOn: ['@ponte/http']` and adds them to the route table in `register`.
 *
 * @example
 * ```ts
 * ctx.resolve(HttpTokens.Routes).add({ method: 'GET', path: '/hello', name: 'hello', action: 'read', respond: () => jsonAnswer({ hi: 1 }) }, ctx.name);
 * ```
 */
export const HttpTokens = {
  /** The one REST route table. */
  Routes: token<HttpRouteTable>('ponte.http.Routes') as Token<HttpRouteTable>,
  /** The REST protocol behind the fetch API (a Hono app): `app.request(path)` in-process. */
  FetchApp: token<Hono>('ponte.http.FetchApp') as Token<Hono>,
} as const;
