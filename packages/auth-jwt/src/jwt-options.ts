import { SCOPE_PATTERN } from '@ponte/core';
import { ALL_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, SECRET_ALGORITHMS, type JwtAlgorithm } from './algorithms.js';

/** Options of `@ponte/auth-jwt`: one key source (`secret`, `jwksFile`, `jwksUri`, or `issuer` alone for OIDC discovery) and the checks. */
export interface JwtAuthOptions {
  /** HMAC secret (HS256/384/512), at least 32 characters; write `${env:JWT_SECRET}` or `${file:…}`. */
  secret?: string;
  /** A JWKS file of public keys, relative to the config folder. */
  jwksFile?: string;
  /** A JWKS URL (an identity provider's `jwks_uri`). */
  jwksUri?: string;
  /** Required `iss`; alone (no other key source), the OIDC issuer whose discovery document gives the `jwks_uri`. */
  issuer?: string | string[];
  /** Required `aud` (one of them); required with `jwksUri` or `issuer`. */
  audience?: string | string[];
  /** Narrows the algorithms the key source allows. */
  algorithms?: JwtAlgorithm[];
  /** Leeway for `exp` and `nbf`, in seconds (0–300). */
  clockToleranceSeconds: number;
  /** Tokens without `exp` are refused unless this is false. */
  requireExpiry: boolean;
  /** The claim holding the caller's scopes: a space-separated string or an array (`scope`, `scp`, `roles`, `realm_access.roles`). */
  scopesClaim: string;
  /** Claim values (role or group names) mapped to Ponte scopes; values not in the map are kept as they are. */
  scopeMap?: Record<string, string[]>;
  /** The claim that names the caller (the principal id). */
  principalClaim: string;
  /** How long fetched keys are used before they are fetched again, in seconds. */
  jwksCacheMaxAgeSeconds: number;
  /** Least time between two JWKS fetches (an unknown `kid` refetches only after it), in seconds. */
  jwksCooldownSeconds: number;
  /** Timeout of a JWKS or discovery fetch, in milliseconds. */
  jwksTimeoutMs: number;
  /** Allow `http://` for `jwksUri`/`issuer` on hosts other than loopback. */
  allowInsecureHttp: boolean;
}

const stringOrList = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] };

/** JSON Schema of the options: types and ranges; the rules across keys are in `optionProblems`. */
export const jwtOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    secret: { type: 'string', minLength: 32 },
    jwksFile: { type: 'string', minLength: 1 },
    jwksUri: { type: 'string', pattern: '^https?://' },
    issuer: stringOrList,
    audience: stringOrList,
    algorithms: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ALL_ALGORITHMS } },
    clockToleranceSeconds: { type: 'integer', minimum: 0, maximum: 300, default: 30 },
    requireExpiry: { type: 'boolean', default: true },
    scopesClaim: { type: 'string', minLength: 1, default: 'scope' },
    scopeMap: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string', pattern: SCOPE_PATTERN } } },
    principalClaim: { type: 'string', minLength: 1, default: 'sub' },
    jwksCacheMaxAgeSeconds: { type: 'integer', minimum: 1, default: 600 },
    jwksCooldownSeconds: { type: 'integer', minimum: 1, default: 30 },
    jwksTimeoutMs: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    allowInsecureHttp: { type: 'boolean', default: false },
  },
} as const;

/** Where the verification keys come from, decided from the options. */
export type KeySourceKind = 'secret' | 'jwksFile' | 'jwksUri' | 'discovery';

/** The key source the options name; call after `optionProblems` found none. */
export function keySourceKind(o: JwtAuthOptions): KeySourceKind {
  if (o.secret !== undefined) return 'secret';
  if (o.jwksFile !== undefined) return 'jwksFile';
  if (o.jwksUri !== undefined) return 'jwksUri';
  return 'discovery';
}

/** The algorithms a key source allows, narrowed by `options.algorithms`. */
export function allowedAlgorithms(o: JwtAuthOptions): JwtAlgorithm[] {
  const family: readonly JwtAlgorithm[] = o.secret !== undefined ? SECRET_ALGORITHMS : PUBLIC_KEY_ALGORITHMS;
  return o.algorithms === undefined ? [...family] : o.algorithms.filter((a) => family.includes(a));
}

/**
 * The rules that span several options, as `options.key: rule` messages (the schema
 * checks each key alone): exactly one key source, algorithms of that source's
 * family, an audience wherever an identity provider signs, https for remote keys.
 */
export function optionProblems(o: JwtAuthOptions): string[] {
  const problems: string[] = [];
  const sources = (['secret', 'jwksFile', 'jwksUri'] as const).filter((k) => o[k] !== undefined);
  if (sources.length > 1) problems.push(`options: ${sources.join(' and ')} are both set; give one key source (secret, jwksFile or jwksUri)`);
  if (sources.length === 0 && o.issuer === undefined) problems.push('options: a key source is required: secret, jwksFile, jwksUri, or issuer alone (its keys found by OIDC discovery)');
  if (sources.length === 0 && Array.isArray(o.issuer) && o.issuer.length > 1) problems.push('options.issuer: OIDC discovery needs a single issuer; give jwksUri to accept several');
  if (sources.length <= 1 && o.algorithms !== undefined) {
    const family: readonly string[] = o.secret !== undefined ? SECRET_ALGORITHMS : PUBLIC_KEY_ALGORITHMS;
    const foreign = o.algorithms.filter((a) => !family.includes(a));
    if (foreign.length > 0) {
      problems.push(o.secret !== undefined
        ? `options.algorithms: ${foreign.join(', ')} cannot be verified with a secret (only ${SECRET_ALGORITHMS.join(', ')})`
        : `options.algorithms: ${foreign.join(', ')} cannot be verified with a JWKS (public-key algorithms only)`);
    }
  }
  const remote = o.jwksUri !== undefined || (sources.length === 0 && o.issuer !== undefined);
  if (remote && o.audience === undefined) problems.push('options.audience: is required with jwksUri or issuer (an identity provider signs tokens for other applications too)');
  if (sources.length === 0 && typeof o.issuer === 'string' && !URL.canParse(o.issuer)) problems.push('options.issuer: must be a URL for OIDC discovery');
  else if (!o.allowInsecureHttp) {
    if (o.jwksUri !== undefined && !secureUrl(o.jwksUri)) problems.push('options.jwksUri: must be https:// (http:// only on a loopback host, or set allowInsecureHttp)');
    if (sources.length === 0 && typeof o.issuer === 'string' && !secureUrl(o.issuer)) problems.push('options.issuer: must be an https:// URL for OIDC discovery (http:// only on a loopback host, or set allowInsecureHttp)');
  }
  return problems;
}

/** https, or http to this machine (tests, a sidecar). */
export function secureUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost');
}
