/** Three base64url parts; the signature may be empty so that an `alg: none` token is recognised, and refused. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The JWT in an `Authorization: Bearer …` header, or null when there is none:
 * no header, another scheme, or a bearer value that is not shaped like a JWT
 * (an API key, which another authenticator may accept). Nothing is decoded here.
 */
export function bearerJwt(headers: Readonly<Record<string, string | undefined>>): string | null {
  const value = headers['authorization'];
  if (value === undefined || value.length < 8 || value.slice(0, 7).toLowerCase() !== 'bearer ') return null;
  const token = value.slice(7).trim();
  return JWT_SHAPE.test(token) ? token : null;
}
