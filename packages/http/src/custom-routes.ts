import { PonteError, tensorDataToJson, type CustomRouteEntry, type InferenceRequest, type InferenceResponse, type InferenceRoute, type ModelConfig, type ModelSignature, type Tensor } from '@ponte/core';
import { parseJson } from './body.js';
import { jsonAnswer, type HttpAnswer } from './http-answer.js';
import type { HttpExchange } from './http-exchange.js';
import { parseInferJson } from './infer-json.js';
import { decodeInferRequest } from './oip-json-codec.js';
import { toPredictions } from './predictions.js';
import type { HttpRoute } from './route.js';
import type { HttpRouteTable } from './route-table.js';

/** A route declared under `routes:` in the config: a path of its own, one model, the body and answer shapes its clients already use. */
export type CustomRouteConfig = CustomRouteEntry;

export const CUSTOM_ROUTE_TAG = 'Custom routes';

/** The value of one answer field for one row, or a 500-free error naming the config that asks for it. */
function fieldValue(source: string, row: number, rows: number, response: InferenceResponse, config: ModelConfig, sig: ModelSignature, prediction: Record<string, unknown>, field: string): unknown {
  if (source.startsWith('output:')) {
    const name = source.slice('output:'.length);
    const out = response.outputs.find((o) => o.name === name);
    if (out === undefined) throw new PonteError('PONTE_INTERNAL', `response.${field}: model "${config.name}" has no output "${name}" (outputs: ${sig.outputs.map((o) => o.name).join(', ')})`);
    return rowOf(out, row, rows);
  }
  const v = prediction[source];
  if (v === undefined) throw new PonteError('PONTE_INTERNAL', `response.${field}: model "${config.name}" gives no "${source}" (it gives ${Object.keys(prediction).join(', ')})`);
  return v;
}

/** One row of an output tensor: a scalar for `[n]` or `[n, 1]`, else the row's values. */
function rowOf(t: Tensor, row: number, rows: number): unknown {
  const all = tensorDataToJson(t) as unknown[];
  const width = rows === 0 ? 0 : all.length / rows;
  const values = all.slice(row * width, (row + 1) * width);
  return values.length === 1 ? values[0] : values;
}

/** Rewrites the named API's `instances[0].` prefix away: a features body has its features at the top. */
export function featuresErrorPath(e: PonteError): PonteError {
  if (!e.message.startsWith('instances[0].') && !e.message.startsWith('instances: ')) return e;
  const message = e.message.startsWith('instances[0].') ? e.message.slice('instances[0].'.length) : `body${e.message.slice('instances'.length)}`;
  return new PonteError(e.code, message, { ...(e.headers ? { headers: e.headers } : {}) });
}

/** The handler of one custom route: decode its body shape, answer with its fields. */
function handler(r: CustomRouteConfig): InferenceRoute<HttpExchange, HttpAnswer> {
  return {
    async decode(x) {
      const bytes = await x.body();
      if (r.request === 'oip') return decodeInferRequest(parseInferJson(bytes, x.limits.jsonDepth), r.model, r.version, undefined, x.limits.tensorElements);
      const body = parseJson(bytes, x.limits.jsonDepth);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new PonteError('PONTE_BAD_REQUEST', r.request === 'features' ? 'body: must be a JSON object of named features' : 'body: must be a JSON object with an "instances" array');
      }
      let rows: unknown;
      if (r.request === 'features') rows = [body];
      else {
        for (const k of Object.keys(body)) if (k !== 'instances') throw new PonteError('PONTE_BAD_REQUEST', `${k}: unknown field (allowed: instances)`);
        rows = (body as Record<string, unknown>)['instances'] ?? null;
      }
      const request: InferenceRequest = { model: r.model, inputs: [], rows };
      if (r.version !== undefined) request.version = r.version;
      return request;
    },
    encode(_x, { request, response, model }) {
      const rows = request.inputs[0]?.shape[0] ?? 0;
      const predictions = toPredictions(response, model.config, model.signature, rows) as Array<Record<string, unknown>>;
      const answers = predictions.map((p, row) => Object.fromEntries(Object.entries(r.response).map(([field, source]: [string, string]) => [field, fieldValue(source, row, rows, response, model.config, model.signature, p, field)])));
      const predictionId = response.parameters?.['prediction_id'];
      const headers = typeof predictionId === 'string' ? { 'X-Prediction-Id': predictionId } : undefined;
      return jsonAnswer(r.request === 'features' ? answers[0] : { predictions: answers }, 200, headers);
    },
  };
}

const BODY = { features: 'one JSON object of the model\'s named features ({"age": 41, …})', instances: '{"instances": [{…named features…}, …]}', oip: 'an Open Inference Protocol infer request ({"inputs": […]})' } as const;

/** A route path: literal segments only (no `{param}`), as a Flask or FastAPI endpoint would have. */
const PATH = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/;

/**
 * The config's `routes`, checked and added to the table after the protocol's own: a path that is
 * malformed, taken (or shadowed by a template such as `/v2/models/{name}/infer`), or whose model
 * is not configured is a config error naming `routes[i]`.
 */
export function addCustomRoutes(table: HttpRouteTable, routes: readonly CustomRouteConfig[], modelExists: (name: string) => boolean, owner: string): string[] {
  const problems: string[] = [];
  const built: HttpRoute[] = [];
  routes.forEach((r, i) => {
    const at = `routes[${i}]`;
    if (!PATH.test(r.path)) problems.push(`${at}.path: "${r.path}" must be a literal path such as /prever_compra (segments of letters, digits and -._~; no {parameters})`);
    else {
      const taken = table.match('POST', r.path);
      if (taken !== undefined && 'route' in taken) problems.push(`${at}.path: POST ${r.path} is already served by the route "${taken.route.name}" (${taken.route.path})`);
      else if (routes.findIndex((o) => o.path === r.path) !== i) problems.push(`${at}.path: ${r.path} is declared twice in routes`);
    }
    if (!modelExists(r.model)) problems.push(`${at}.model: no model "${r.model}" is configured`);
    if (r.request === 'oip' && Object.keys(r.response).length === 0) problems.push(`${at}.response: must name at least one field`);
    built.push({
      method: 'POST', path: r.path, name: 'custom_route', action: 'infer', params: { name: r.model, ...(r.version !== undefined ? { version: r.version } : {}) },
      ...(r.request === 'features' ? { renameErrors: featuresErrorPath } : {}),
      docs: { operationId: `custom_${i}`, summary: r.summary ?? `Predict with ${r.model}`, description: `Declared in the config (routes[${i}]). Body: ${BODY[r.request]}. Answer: ${r.request === 'features' ? '' : '{"predictions": [one per row of] '}{${Object.entries(r.response).map(([f, s]) => `"${f}": ${s}`).join(', ')}}${r.request === 'features' ? '' : ']}'}.`, tag: CUSTOM_ROUTE_TAG },
      ...handler(r),
    });
  });
  if (problems.length === 0) for (const route of built) table.add(route, owner);
  return problems;
}
