import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';

/** Private-key members of a JWK (RFC 7518 §6): a JWKS for verifying must have none of them. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/**
 * Reads a JWKS file of public keys. Refuses, naming the file and the key
 * index, what would be a mistake to serve with: not a JWKS, a key with private
 * parts (the file would be a secret), a symmetric (`oct`) key.
 */
export async function readJwksFile(file: string): Promise<ReturnType<typeof createLocalJWKSet>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`jwksFile ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`jwksFile ${file}: must be a JWKS, {"keys": [ … ]} with at least one key`);
  keys.forEach((k: unknown, i) => {
    if (k === null || typeof k !== 'object' || typeof (k as { kty?: unknown }).kty !== 'string') throw new Error(`jwksFile ${file}: keys[${i}] is not a JWK (no kty)`);
    const jwk = k as Record<string, unknown>;
    if (jwk['kty'] === 'oct') throw new Error(`jwksFile ${file}: keys[${i}] is a symmetric (oct) key; use the secret option for HMAC`);
    const secret = PRIVATE_MEMBERS.find((m) => m in jwk);
    if (secret !== undefined) throw new Error(`jwksFile ${file}: keys[${i}] holds private key material ("${secret}"); give the public keys only`);
  });
  return createLocalJWKSet(parsed as JSONWebKeySet);
}
