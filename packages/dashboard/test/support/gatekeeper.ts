import { definePlugin, PonteError, Tokens } from '@ponte/core';

export const TOKEN = 'let-me-in';

/** Accepts `Authorization: Bearer let-me-in`; a request without credentials is not recognised (401), a wrong token is refused. */
export const gatekeeper = definePlugin({
  name: 'gatekeeper',
  kind: 'auth',
  register(ctx) {
    ctx.provide(Tokens.Authenticator, {
      scheme: 'bearer',
      async authenticate(req) {
        const header = req.headers['authorization'];
        if (header === undefined) return null;
        if (header !== `Bearer ${TOKEN}`) throw new PonteError('PONTE_UNAUTHENTICATED', 'invalid credentials');
        return { id: 'operator', scheme: 'bearer', scopes: ['*:*'] };
      },
    });
  },
});
