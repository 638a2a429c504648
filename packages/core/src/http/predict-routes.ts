import type { Context, Hono } from 'hono';
import { PonteError } from '../errors.js';
import { readBody } from './body.js';
import { dataPlane, toResponse } from './data-plane.js';
import { answerPredict } from './data-plane-handlers.js';
import type { HttpEnv } from './http-env.js';
import type { HttpServices } from './services.js';

export const PREDICT_SUFFIX = ':predict';

/**
 * The named-feature JSON API: `POST /v1/models/{m}:predict` with
 * `{"instances": [{"age": 41, ...}]}` → `{"predictions": [...]}`.
 */
export function predictRoutes(app: Hono<HttpEnv>, s: HttpServices): void {
  const predict = (c: Context<HttpEnv>, tail: string, versioned: boolean): Promise<Response> => dataPlane(c, s, 'predict', async (ctx) => {
    if (!tail.endsWith(PREDICT_SUFFIX)) throw new PonteError('PONTE_NOT_FOUND', `no route for POST ${c.req.path} (did you mean ${c.req.path}${PREDICT_SUFFIX}?)`);
    const name = versioned ? c.req.param('name')! : tail.slice(0, -PREDICT_SUFFIX.length);
    const version = versioned ? tail.slice(0, -PREDICT_SUFFIX.length) : undefined;
    const bytes = await readBody(c, s.config.server.bodyLimitBytes);
    return toResponse(c, await answerPredict(s, ctx, name, version, bytes));
  });
  app.post('/v1/models/:tail', (c) => predict(c, c.req.param('tail'), false));
  app.post('/v1/models/:name/versions/:tail', (c) => predict(c, c.req.param('tail'), true));

  app.get('/v1/models', (c) => dataPlane(c, s, 'list_models', async (ctx) => {
    await s.pipeline.authenticate(ctx, 'read');
    const r = s.registry.readiness();
    return c.json({ models: r.models.map((m) => ({ name: m.name, ready: m.ready, required: m.required, ...(m.reason ? { reason: m.reason } : {}), versions: m.versions })) });
  }));
}
