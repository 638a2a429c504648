import { PonteError, type InferenceRequest, type InferenceRoute, type ModelRegistry, type PlainRoute } from '@ponte/core';
import { parseJson } from './body.js';
import { jsonAnswer, type HttpAnswer } from './http-answer.js';
import type { HttpExchange } from './http-exchange.js';
import { decodeParameters } from './oip-json-codec.js';
import { toPredictions } from './predictions.js';
import type { HttpRoute } from './route.js';

const NAMED = 'Named-feature API';

/**
 * `POST /v1/models/{m}:predict`: `{"instances": [{"age": 41, …}]}` in, one
 * readable prediction per row out. Decoding leaves the rows named: core maps
 * them to tensors once the model is resolved.
 */
const predict: InferenceRoute<HttpExchange, HttpAnswer> = {
  async decode(x) {
    const body = parseJson(await x.body(), x.limits.jsonDepth);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PonteError('PONTE_BAD_REQUEST', 'body: must be a JSON object with an "instances" array');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (k !== 'instances' && k !== 'id' && k !== 'parameters') throw new PonteError('PONTE_BAD_REQUEST', `${k}: unknown field (allowed: instances, id, parameters)`);
    if (b['id'] !== undefined && typeof b['id'] !== 'string') throw new PonteError('PONTE_BAD_REQUEST', 'id: must be a string');
    const request: InferenceRequest = { model: x.model!, inputs: [], rows: b['instances'] ?? null };
    if (x.version !== undefined) request.version = x.version;
    if (typeof b['id'] === 'string') request.id = b['id'];
    const params = decodeParameters(b['parameters'], 'parameters');
    if (params !== undefined) request.parameters = params;
    return request;
  },
  encode(_x, { request, response, model }) {
    const rows = request.inputs[0]!.shape[0]!;
    const predictionId = response.parameters?.['prediction_id'];
    const logged = typeof predictionId === 'string';
    return jsonAnswer({
      model_name: response.model_name,
      model_version: response.model_version,
      ...(response.id !== undefined ? { id: response.id } : {}),
      ...(logged ? { prediction_id: predictionId } : {}),
      predictions: toPredictions(response, model.config, model.signature, rows),
    }, 200, logged ? { 'X-Prediction-Id': predictionId } : undefined);
  },
};

/** The named-feature JSON API: predict (unversioned and versioned) and the model list. */
export function predictRoutes(registry: () => ModelRegistry): HttpRoute[] {
  const list: PlainRoute<HttpExchange, HttpAnswer> = {
    respond() {
      const r = registry().readiness();
      return jsonAnswer({ models: r.models.map((m) => ({ name: m.name, ready: m.ready, required: m.required, ...(m.reason ? { reason: m.reason } : {}), versions: m.versions })) });
    },
  };
  return [
    { method: 'POST', path: '/v1/models/{name}:predict', name: 'predict', action: 'infer', docs: { operationId: 'predict', summary: 'Predict from named features', tag: NAMED }, ...predict },
    { method: 'POST', path: '/v1/models/{name}/versions/{version}:predict', name: 'predict', action: 'infer', docs: { operationId: 'versionPredict', summary: 'Predict with a model version from named features', tag: NAMED }, ...predict },
    { method: 'GET', path: '/v1/models', name: 'list_models', action: 'read', docs: { operationId: 'listModels', summary: 'List models', tag: NAMED }, ...list },
  ];
}
