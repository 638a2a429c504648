import { modelMetadata, type InferenceRequest, type InferenceRoute, type ModelRegistry, type PlainRoute, type ServerInfo } from '@ponte/core';
import { parseInferJson } from './infer-json.js';
import { splitBinaryBody } from './body.js';
import { jsonAnswer, type HttpAnswer } from './http-answer.js';
import type { HttpExchange } from './http-exchange.js';
import { decodeInferRequest, encodeInferResponse, encodeInferResponseJson } from './oip-json-codec.js';
import type { HttpRoute } from './route.js';

const OIP = 'Open Inference Protocol v2';

/** `POST …/infer`: OIP JSON, or the binary tensor data extension, in and out. */
const infer: InferenceRoute<HttpExchange, HttpAnswer> = {
  async decode(x) {
    const bytes = await x.body();
    const headerLength = x.headers['inference-header-content-length'];
    const { jsonDepth, tensorElements } = x.limits;
    if (headerLength === undefined) return decodeInferRequest(parseInferJson(bytes, jsonDepth), x.model!, x.version, undefined, tensorElements);
    const { json, binary } = splitBinaryBody(bytes, headerLength, jsonDepth);
    return decodeInferRequest(json, x.model!, x.version, binary, tensorElements);
  },
  encode(_x, { request, response }) {
    const allBinary = request.parameters?.['binary_data_output'] === true;
    const binaryNames = allBinary || asksBinaryOutput(request) ? new Set(response.outputs.filter((o) => allBinary || request.outputs?.find((r) => r.name === o.name)?.parameters?.['binary_data'] === true).map((o) => o.name)) : undefined;
    const predictionId = response.parameters?.['prediction_id'];
    if (binaryNames === undefined || binaryNames.size === 0) {
      const a: HttpAnswer = { status: 200, contentType: 'application/json', body: encodeInferResponseJson(response) };
      if (typeof predictionId === 'string') a.headers = { 'X-Prediction-Id': predictionId };
      return a;
    }
    const { json, binary } = encodeInferResponse(response, binaryNames);
    const header = new TextEncoder().encode(JSON.stringify(json));
    const body = new Uint8Array(header.byteLength + binary.reduce((n, b) => n + b.byteLength, 0));
    body.set(header, 0);
    let off = header.byteLength;
    for (const b of binary) { body.set(b, off); off += b.byteLength; }
    return { status: 200, contentType: 'application/octet-stream', body, headers: { 'Inference-Header-Content-Length': String(header.byteLength), ...(typeof predictionId === 'string' ? { 'X-Prediction-Id': predictionId } : {}) } };
  },
};

/** Whether some requested output asks for the binary tensor data extension (the JSON answer needs no per-output sorting otherwise). */
function asksBinaryOutput(request: InferenceRequest): boolean {
  const outputs = request.outputs;
  if (outputs === undefined) return false;
  for (let i = 0; i < outputs.length; i++) if (outputs[i]!.parameters?.['binary_data'] === true) return true;
  return false;
}

/**
 * The Open Inference Protocol v2 REST routes: server metadata, model
 * metadata and readiness, infer — unversioned and versioned. The registry is
 * read when a request comes (it is built once every plugin has registered).
 */
export function oipRoutes(registry: () => ModelRegistry, info: ServerInfo): HttpRoute[] {
  const serverMetadata: PlainRoute<HttpExchange, HttpAnswer> = { respond: () => jsonAnswer({ name: info.name, version: info.version, extensions: info.extensions }) };
  const metadata: PlainRoute<HttpExchange, HttpAnswer> = { respond: (x) => jsonAnswer(modelMetadata(registry(), x.model!, x.version)) };
  const ready: PlainRoute<HttpExchange, HttpAnswer> = {
    respond(x) {
      const meta = modelMetadata(registry(), x.model!, x.version);
      return jsonAnswer({ name: x.model, ...(x.version !== undefined ? { version: x.version } : {}), ready: meta.ready, ...(meta.reason !== undefined ? { reason: meta.reason } : {}) }, meta.ready ? 200 : 503);
    },
  };
  return [
    { method: 'POST', path: '/v2/models/{name}/infer', name: 'infer', action: 'infer', docs: { operationId: 'modelInfer', summary: 'Infer', tag: OIP }, ...infer },
    { method: 'POST', path: '/v2/models/{name}/versions/{version}/infer', name: 'infer', action: 'infer', docs: { operationId: 'modelVersionInfer', summary: 'Infer with a model version', tag: OIP }, ...infer },
    { method: 'GET', path: '/v2', name: 'server_metadata', action: 'read', docs: { operationId: 'serverMetadata', summary: 'Server metadata', tag: 'Server' }, ...serverMetadata },
    // The OIP spec writes the server-metadata route as /v2/; KServe and Triton clients call /v2.
    { method: 'GET', path: '/v2/', name: 'server_metadata', action: 'read', docs: { operationId: 'serverMetadataSlash', summary: 'Server metadata (the spec\'s spelling)', tag: 'Server' }, ...serverMetadata },
    { method: 'GET', path: '/v2/models/{name}', name: 'model_metadata', action: 'read', docs: { operationId: 'modelMetadata', summary: 'Model metadata', tag: OIP }, ...metadata },
    { method: 'GET', path: '/v2/models/{name}/versions/{version}', name: 'model_metadata', action: 'read', docs: { operationId: 'modelVersionMetadata', summary: 'Model version metadata', tag: OIP }, ...metadata },
    { method: 'GET', path: '/v2/models/{name}/ready', name: 'model_ready', action: 'read', docs: { operationId: 'modelReady', summary: 'Model ready', tag: OIP }, ...ready },
    { method: 'GET', path: '/v2/models/{name}/versions/{version}/ready', name: 'model_ready', action: 'read', docs: { operationId: 'modelVersionReady', summary: 'Model version ready', tag: OIP }, ...ready },
  ];
}
