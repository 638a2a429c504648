import { PonteError } from '../errors.js';
import { instancesToRequest } from '../features/instances.js';
import { toPredictions } from '../features/predictions.js';
import type { InferenceRequest, RequestContext } from '../inference.js';
import { parseJson, splitBinaryBody } from './body.js';
import { jsonAnswer, type HttpAnswer } from './http-answer.js';
import { parseInferJson } from './infer-json.js';
import { decodeInferRequest, decodeParameters, encodeInferResponse, encodeInferResponseJson } from './oip-json-codec.js';
import { applyTimeoutParameter } from './request-context.js';
import type { HttpServices } from './services.js';

/**
 * `POST /v2/models/{m}[/versions/{v}]/infer`, JSON or binary tensor data
 * extension, from body bytes to answer.
 */
export async function answerInfer(s: HttpServices, ctx: RequestContext, name: string, version: string | undefined, bytes: Uint8Array): Promise<HttpAnswer> {
  await s.pipeline.authenticate(ctx, 'infer', name);
  s.registry.admit(name, version);
  let t = performance.now();
  const headerLength = ctx.headers['inference-header-content-length'];
  let request: InferenceRequest;
  if (headerLength !== undefined) {
    const { json, binary } = splitBinaryBody(bytes, headerLength);
    request = decodeInferRequest(json, name, version, binary);
  } else {
    request = decodeInferRequest(parseInferJson(bytes), name, version);
  }
  applyTimeoutParameter(ctx, request.parameters);
  s.pipeline.stage(ctx, 'decode', t);

  const { response } = await s.pipeline.infer(request, ctx);

  t = performance.now();
  const allBinary = request.parameters?.['binary_data_output'] === true;
  const binaryNames = allBinary || asksBinaryOutput(request) ? new Set(response.outputs.filter((o) => allBinary || request.outputs?.find((r) => r.name === o.name)?.parameters?.['binary_data'] === true).map((o) => o.name)) : undefined;
  let answer: HttpAnswer;
  if (binaryNames === undefined || binaryNames.size === 0) answer = { status: 200, contentType: 'application/json', body: encodeInferResponseJson(response) };
  else {
    const { json, binary } = encodeInferResponse(response, binaryNames);
    const header = new TextEncoder().encode(JSON.stringify(json));
    const body = new Uint8Array(header.byteLength + binary.reduce((n, b) => n + b.byteLength, 0));
    body.set(header, 0);
    let off = header.byteLength;
    for (const b of binary) { body.set(b, off); off += b.byteLength; }
    answer = { status: 200, contentType: 'application/octet-stream', body, headers: { 'Inference-Header-Content-Length': String(header.byteLength) } };
  }
  s.pipeline.stage(ctx, 'encode', t);
  return answer;
}

/** `POST /v1/models/{m}[/versions/{v}]:predict`: named rows in, readable predictions out. */
export async function answerPredict(s: HttpServices, ctx: RequestContext, name: string, version: string | undefined, bytes: Uint8Array): Promise<HttpAnswer> {
  await s.pipeline.authenticate(ctx, 'infer', name);
  s.registry.admit(name, version);
  let t = performance.now();
  const body = parseJson(bytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PonteError('PONTE_BAD_REQUEST', 'body: must be a JSON object with an "instances" array');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'instances' && k !== 'id' && k !== 'parameters') throw new PonteError('PONTE_BAD_REQUEST', `${k}: unknown field (allowed: instances, id, parameters)`);
  if (b['id'] !== undefined && typeof b['id'] !== 'string') throw new PonteError('PONTE_BAD_REQUEST', 'id: must be a string');
  // Resolve before mapping rows: an unknown model is a 404, not a complaint about its features.
  const model = s.registry.resolve(name, version);
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
  const answer = jsonAnswer({ model_name: response.model_name, model_version: response.model_version, ...(response.id !== undefined ? { id: response.id } : {}), predictions: toPredictions(response, used.config, used.signature, rows) });
  s.pipeline.stage(ctx, 'encode', t);
  return answer;
}

/** Whether some requested output asks for the binary tensor data extension (the JSON answer needs no per-output sorting otherwise). */
function asksBinaryOutput(request: InferenceRequest): boolean {
  const outputs = request.outputs;
  if (outputs === undefined) return false;
  for (let i = 0; i < outputs.length; i++) if (outputs[i]!.parameters?.['binary_data'] === true) return true;
  return false;
}
