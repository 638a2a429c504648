import type { JWTPayload } from 'jose';

/**
 * A claim's value by name; a dotted name not found as such is read as a path
 * (`realm_access.roles`, Keycloak's). The name is tried whole first because
 * namespaced claims are URLs with dots (`https://example.com/roles`, Auth0's).
 */
export function readClaim(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  if (!name.includes('.')) return undefined;
  let node: unknown = payload;
  for (const part of name.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * The caller's Ponte scopes from a claim: a space-separated string (OAuth's
 * `scope`) or an array of strings (`roles`, `groups`). Each value in `scopeMap`
 * is replaced by the scopes it maps to; other values are kept as they are, so
 * a token may carry Ponte scopes (`infer:purchase`) directly.
 */
export function scopesFromClaim(value: unknown, scopeMap: Readonly<Record<string, readonly string[]>> | undefined): string[] {
  let values: string[];
  if (typeof value === 'string') values = value.split(/\s+/).filter((v) => v !== '');
  else if (Array.isArray(value)) values = value.filter((v): v is string => typeof v === 'string');
  else return [];
  if (scopeMap === undefined) return values;
  const out = new Set<string>();
  for (const v of values) {
    const mapped = Object.hasOwn(scopeMap, v) ? scopeMap[v] : undefined;
    if (mapped === undefined) out.add(v);
    else for (const s of mapped) out.add(s);
  }
  return [...out];
}
