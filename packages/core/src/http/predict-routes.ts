import type { Context, Hono } from 'hono';
import { PonteError } from '../errors.js';
import { instancesToRequest } from '../features/instances.js';
import { toPredictions } from '../features/predictions.js';
import { readBody, parseJson } from './body.js';
import { dataPlane } from './data-plane.js';
import type { HttpEnv } from './http-env.js';
import { applyTimeoutParameter } from './request-context.js';
import { decodeParameters } from './oip-json-codec.js';
import type { HttpServices } from './services.js';

const SUFFIX = ':predict';

/**
 * The named-feature JSON API: `POST /v1/models/{m}:predict` with
 * `{"instances": [{"age": 41, ...}]}` → `{"predictions": [...]}`.
 */
export function predictRoutes(app: Hono<HttpEnv>, s: HttpServices): void {
  const predict = (c: Context<HttpEnv>, tail: string, versioned: boolean): Promise<Response> => dataPlane(c, s, 'predict', async (ctx) => {
    if (!tail.endsWith(SUFFIX)) throw new PonteError('PONTE_NOT_FOUND', `no route for POST ${c.req.path} (did you mean ${c.req.path}${SUFFIX}?)`);
    const name = versioned ? c.req.param('name')! : tail.slice(0, -SUFFIX.length);
    const version = versioned ? tail.slice(0, -SUFFIX.length) : undefined;
    const bytes = await readBody(c, s.config.server.bodyLimitBytes);
    let t = performance.now();
    const body = parseJson(bytes);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PonteError('PONTE_BAD_REQUEST', 'body: must be a JSON object with an "instances" array');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (k !== 'instances' && k !== 'id' && k !== 'parameters') throw new PonteError('PONTE_BAD_REQUEST', `${k}: unknown field (allowed: instances, id, parameters)`);
    if (b['id'] !== undefined && typeof b['id'] !== 'string') throw new PonteError('PONTE_BAD_REQUEST', 'id: must be a string');
    // Authenticate, then resolve: an unknown model is a 404, not a complaint about its features.
    await s.pipeline.authenticate(ctx, 'infer', name);
    const model = s.registry.resolve(name, version);
    // Known from here on, so a 400 about a feature is reported against its model by observers.
    ctx.model = model.name;
    ctx.version = model.version;
    const request = instancesToRequest(b['instances'], model.config, model.signature, name, version);
    if (typeof b['id'] === 'string') request.id = b['id'];
    const params = decodeParameters(b['parameters'], 'parameters');
    if (params !== undefined) request.parameters = params;
    applyTimeoutParameter(ctx, params);
    s.pipeline.stage(ctx, 'decode', t);

    const { response, model: used } = await s.pipeline.infer(request, ctx);

    t = performance.now();
    const rows = request.inputs[0]!.shape[0]!;
    const out = { model_name: response.model_name, model_version: response.model_version, ...(response.id !== undefined ? { id: response.id } : {}), predictions: toPredictions(response, used.config, used.signature, rows) };
    const res = c.json(out);
    s.pipeline.stage(ctx, 'encode', t);
    return res;
  });
  app.post('/v1/models/:tail', (c) => predict(c, c.req.param('tail'), false));
  app.post('/v1/models/:name/versions/:tail', (c) => predict(c, c.req.param('tail'), true));

  app.get('/v1/models', (c) => dataPlane(c, s, 'list_models', async (ctx) => {
    await s.pipeline.authenticate(ctx, 'read');
    const r = s.registry.readiness();
    return c.json({ models: r.models.map((m) => ({ name: m.name, ready: m.ready, required: m.required, ...(m.reason ? { reason: m.reason } : {}), versions: m.versions })) });
  }));
}
