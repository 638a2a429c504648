import { secureUrl } from './jwt-options.js';

/**
 * The `jwks_uri` of an OIDC issuer, from `<issuer>/.well-known/openid-configuration`
 * (OpenID Connect Discovery 1.0 §4). The document must name the same issuer
 * (§4.3), or a misconfigured proxy could hand us another provider's keys.
 * Errors name the URL and the rule, never a token.
 */
export async function discoverJwksUri(issuer: string, timeoutMs: number, allowInsecureHttp: boolean): Promise<URL> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`${url} answered ${res.status}, expected 200`);
  }
  const doc: unknown = await res.json().catch(() => undefined);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${url}: not a JSON object`);
  const { issuer: named, jwks_uri: jwksUri } = doc as Record<string, unknown>;
  if (named !== issuer) throw new Error(`${url}: names issuer ${JSON.stringify(named)}, not the configured ${JSON.stringify(issuer)}`);
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new Error(`${url}: jwks_uri is missing or not a URL`);
  if (!allowInsecureHttp && !secureUrl(jwksUri)) throw new Error(`${url}: jwks_uri ${jwksUri} is not https (set allowInsecureHttp to accept it)`);
  return new URL(jwksUri);
}
