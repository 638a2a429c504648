/** HMAC algorithms: the only ones a shared `secret` verifies. */
export const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/**
 * Public-key algorithms: the only ones a JWKS verifies. Keeping the two lists
 * apart is what refuses the HS/RS confusion attack (a token "signed" HS256
 * with the server's RSA public key as the HMAC secret).
 */
export const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

export type JwtAlgorithm = (typeof SECRET_ALGORITHMS)[number] | (typeof PUBLIC_KEY_ALGORITHMS)[number];

/** Every algorithm an option may name; `none` is not among them, so it can never be allowed. */
export const ALL_ALGORITHMS: readonly JwtAlgorithm[] = [...SECRET_ALGORITHMS, ...PUBLIC_KEY_ALGORITHMS];
