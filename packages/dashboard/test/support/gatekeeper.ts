import { bearerTestAuth } from '@ponte/http/testing';

export const TOKEN = 'let-me-in';

/** Accepts `Authorization: Bearer let-me-in` (an operator who may do anything); no header is the gate's 401, another token is refused. */
export const gatekeeper = bearerTestAuth((token) => (token === TOKEN ? { id: 'operator', scopes: ['*:*'] } : undefined), 'gatekeeper');
