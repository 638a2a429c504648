import { PonteError } from '@ponte/core';
import type { HttpMethod, HttpRoute } from './route.js';

/** A route matched against a request path, with its decoded parameters. */
export interface RouteMatch {
  readonly route: HttpRoute;
  readonly params: Readonly<Record<string, string>>;
}

interface Compiled {
  readonly route: HttpRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Who added it, for conflict messages. */
  readonly owner: string;
}

const PARAM = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `/v2/models/{name}/infer` → `^/v2/models/([^/]+)/infer$`. */
function compile(path: string): { pattern: RegExp; names: string[] } {
  if (!path.startsWith('/')) throw new TypeError(`route path "${path}" must start with /`);
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const m of path.matchAll(PARAM)) {
    source += escape(path.slice(last, m.index)) + '([^/]+?)';
    names.push(m[1]!);
    last = m.index + m[0].length;
  }
  source += escape(path.slice(last));
  return { pattern: new RegExp(`^${source}$`), names };
}

function escape(s: string): string {
  return s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

function decodeParam(raw: string, name: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new PonteError('PONTE_BAD_REQUEST', `path parameter ${name}: invalid percent-encoding`);
  }
}

/**
 * The one REST route table: core's protocol routes and every plugin's. The
 * listener, the fetch adapter, the 405 `Allow` answers, the OpenAPI paths and
 * the gate test all read it; nothing else lists routes.
 *
 * @example
 * ```ts
 * const routes = ctx.resolve(HttpTokens.Routes);
 * routes.add({ method: 'GET', path: '/hello', name: 'hello', action: 'read', respond: () => jsonAnswer({ hello: 'world' }) }, ctx.name);
 * ```
 */
export class HttpRouteTable {
  private readonly compiled: Compiled[] = [];
  private byMethod = new Map<string, Compiled[]>();

  /** Adds a route; the same method and path twice is an error naming both owners. */
  add(route: HttpRoute, owner = 'unknown'): void {
    const taken = this.compiled.find((c) => c.route.method === route.method && c.route.path === route.path);
    if (taken !== undefined) throw new PonteError('PONTE_PLUGIN_CONFLICT', `${route.method} ${route.path} is already served by ${taken.owner}; ${owner} cannot add it again`);
    const id = route.docs?.operationId;
    if (id !== undefined && this.compiled.some((c) => c.route.docs?.operationId === id)) throw new PonteError('PONTE_PLUGIN_CONFLICT', `${owner}: operationId "${id}" is already used by another route`);
    const { pattern, names } = compile(route.path);
    const c: Compiled = { route, pattern, names, owner };
    this.compiled.push(c);
    const list = this.byMethod.get(route.method) ?? [];
    list.push(c);
    this.byMethod.set(route.method, list);
  }

  /** Every route, in the order added. */
  list(): readonly HttpRoute[] {
    return this.compiled.map((c) => c.route);
  }

  /**
   * The route for a method and path (HEAD matches GET routes), or the methods
   * the path answers (for a 405), or undefined (404).
   */
  match(method: string, path: string): RouteMatch | { allow: HttpMethod[] } | undefined {
    const list = this.byMethod.get(method === 'HEAD' ? 'GET' : method);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const c = list[i]!;
        const m = c.pattern.exec(path);
        if (m === null) continue;
        const params: Record<string, string> = c.route.params === undefined ? {} : { ...c.route.params };
        for (let k = 0; k < c.names.length; k++) params[c.names[k]!] = decodeParam(m[k + 1]!, c.names[k]!);
        return { route: c.route, params };
      }
    }
    const allow = this.methodsFor(path);
    return allow.length > 0 ? { allow } : undefined;
  }

  /** The methods some route answers on this path (empty: no route has it). */
  methodsFor(path: string): HttpMethod[] {
    return [...new Set(this.compiled.filter((c) => c.pattern.test(path)).map((c) => c.route.method))];
  }
}
