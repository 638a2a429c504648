import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { accessLogger } from '../access-log.js';
import { readIncoming } from './body.js';
import { requestIdFrom } from './app.js';
import { runDataPlane } from './data-plane.js';
import { answerInfer, answerPredict } from './data-plane-handlers.js';
import { errorAnswer, type HttpAnswer } from './http-answer.js';
import { restRequestContext } from './request-context.js';
import type { HttpServices } from './services.js';

const INFER = /^\/v2\/models\/([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\/versions\/([A-Za-z0-9_.-]+))?\/infer$/;
const PREDICT = /^\/v1\/models\/([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\/versions\/([A-Za-z0-9_.-]+))?:predict$/;

/**
 * The two inference routes, served straight from Node's request and response.
 * Going through a WHATWG Request/Response and the router costs about as much
 * as the HTTP parsing itself (measured: bare Hono answers 26k req/s where bare
 * node:http answers 37k on one core), which for small models is more than the
 * model. Everything else — and these routes under `app.request()` — goes to
 * the Hono app; both paths share the same handlers, error mapping, request id
 * and access log, so callers cannot tell them apart. Hono middleware added by
 * plugins does not see these two routes: plugins extend them through the
 * pipeline (authenticators, validators, transforms, observers).
 */
export function fastLane(s: HttpServices, logger: Logger, logRequests: boolean, fallback: RequestListener): RequestListener {
  const limit = s.config.server.bodyLimitBytes;
  const timeout = s.config.server.requestTimeoutMs;
  const access = accessLogger(logger);
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return fallback(req, res);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let m = INFER.exec(path);
    const endpoint = m !== null ? 'infer' : (m = PREDICT.exec(path)) !== null ? 'predict' : undefined;
    if (endpoint === undefined || m === null) return fallback(req, res);
    const name = m[1]!;
    const version = m[2];
    const t0 = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    let ctxModel: { model?: string; version?: string } = {};
    const handle = async (): Promise<HttpAnswer> => {
      try {
        return await runDataPlane(s, () => {
          const ctx = restRequestContext(requestId, req.headers as Record<string, string | undefined>, endpoint, timeout);
          ctxModel = ctx;
          return ctx;
        }, async (ctx) => {
          const bytes = await readIncoming(req, limit);
          return endpoint === 'infer' ? answerInfer(s, ctx, name, version, bytes) : answerPredict(s, ctx, name, version, bytes);
        });
      } catch (e) {
        return errorAnswer(e, requestId, logger);
      }
    };
    void handle().then((a) => {
      const headers: Record<string, string | number> = { 'content-type': a.contentType, 'content-length': typeof a.body === 'string' ? Buffer.byteLength(a.body) : a.body.byteLength, 'x-request-id': requestId, ...a.headers };
      res.writeHead(a.status, headers);
      res.end(a.body);
      if (logRequests) access({ requestId, method: 'POST', path, status: a.status, ms: Math.round((performance.now() - t0) * 1000) / 1000, model: ctxModel.model, version: ctxModel.version });
    });
  };
}
