import type { Context, Hono } from 'hono';
import type { InferenceRequest } from '../inference.js';
import { readBody, parseJson, splitBinaryBody } from './body.js';
import { dataPlane } from './data-plane.js';
import type { HttpEnv } from './http-env.js';
import { modelMetadata } from './model-metadata.js';
import { decodeInferRequest, encodeInferResponse } from './oip-json-codec.js';
import { applyTimeoutParameter } from './request-context.js';
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
    const name = c.req.param('name')!;
    const bytes = await readBody(c, s.config.server.bodyLimitBytes);
    let t = performance.now();
    const headerLength = ctx.headers['inference-header-content-length'];
    let request: InferenceRequest;
    if (headerLength !== undefined) {
      const { json, binary } = splitBinaryBody(bytes, headerLength);
      request = decodeInferRequest(json, name, version, binary);
    } else {
      request = decodeInferRequest(parseJson(bytes), name, version);
    }
    applyTimeoutParameter(ctx, request.parameters);
    s.pipeline.stage(ctx, 'decode', t);

    const { response } = await s.pipeline.infer(request, ctx);

    t = performance.now();
    const allBinary = request.parameters?.['binary_data_output'] === true;
    const binaryNames = new Set(response.outputs.filter((o) => allBinary || request.outputs?.find((r) => r.name === o.name)?.parameters?.['binary_data'] === true).map((o) => o.name));
    const { json, binary } = encodeInferResponse(response, binaryNames);
    let res: Response;
    if (binary.length === 0) res = c.json(json);
    else {
      const header = new TextEncoder().encode(JSON.stringify(json));
      const body = new Uint8Array(header.byteLength + binary.reduce((n, b) => n + b.byteLength, 0));
      body.set(header, 0);
      let off = header.byteLength;
      for (const b of binary) { body.set(b, off); off += b.byteLength; }
      res = c.body(body, 200, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.byteLength) });
    }
    s.pipeline.stage(ctx, 'encode', t);
    return res;
  });
  app.post('/v2/models/:name/infer', (c) => infer(c));
  app.post('/v2/models/:name/versions/:version/infer', (c) => infer(c, c.req.param('version')));
}
