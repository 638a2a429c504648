import type { Context, Hono } from 'hono';
import { readBody } from './body.js';
import { dataPlane, toResponse } from './data-plane.js';
import { answerInfer } from './data-plane-handlers.js';
import type { HttpEnv } from './http-env.js';
import { modelMetadata } from './model-metadata.js';
import type { HttpServices } from './services.js';

/** The Open Inference Protocol v2 REST routes, unversioned and versioned. */
export function oipRoutes(app: Hono<HttpEnv>, s: HttpServices): void {
  app.get('/v2', (c) => dataPlane(c, s, 'server_metadata', async (ctx) => {
    await s.pipeline.authenticate(ctx, 'read');
    return c.json({ name: s.config.server.name, version: s.serverVersion, extensions: s.extensions });
  }));

  const metadata = (c: Context<HttpEnv>, version?: string): Promise<Response> => dataPlane(c, s, 'model_metadata', async (ctx) => {
    const name = c.req.param('name')!;
    await s.pipeline.authenticate(ctx, 'read', name);
    return c.json(modelMetadata(s.registry, name, version));
  });
  app.get('/v2/models/:name', (c) => metadata(c));
  app.get('/v2/models/:name/versions/:version', (c) => metadata(c, c.req.param('version')));

  const ready = (c: Context<HttpEnv>, version?: string): Promise<Response> => dataPlane(c, s, 'model_ready', async (ctx) => {
    const name = c.req.param('name')!;
    await s.pipeline.authenticate(ctx, 'read', name);
    const meta = modelMetadata(s.registry, name, version);
    return c.json({ name, ...(version !== undefined ? { version } : {}), ready: meta.ready, ...(meta.reason !== undefined ? { reason: meta.reason } : {}) }, meta.ready ? 200 : 503);
  });
  app.get('/v2/models/:name/ready', (c) => ready(c));
  app.get('/v2/models/:name/versions/:version/ready', (c) => ready(c, c.req.param('version')));

  const infer = (c: Context<HttpEnv>, version?: string): Promise<Response> => dataPlane(c, s, 'infer', async (ctx) => {
    const bytes = await readBody(c, s.config.server.bodyLimitBytes);
    return toResponse(c, await answerInfer(s, ctx, c.req.param('name')!, version, bytes));
  });
  app.post('/v2/models/:name/infer', (c) => infer(c));
  app.post('/v2/models/:name/versions/:version/infer', (c) => infer(c, c.req.param('version')));
}
