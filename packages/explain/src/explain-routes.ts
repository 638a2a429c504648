import { checkSignature, instancesToRequest, PonteError, type InferenceRequest, type InferenceResponse, type PlainRoute, type PredictionStore, type ReadyModel, type RequestContext, type Validator, type VersionRouter } from '@ponte/core';
import { decodeInferRequest, encodeInferResponse, jsonAnswer, toPredictions, type HttpAnswer, type HttpExchange, type HttpRoute } from '@ponte/http';
import { attributionToJson, type Attribution } from './attribution.js';
import type { ExplainJobs } from './explain-jobs.js';
import type { ExplanationService } from './explanation-service.js';

const TAG = 'Explanations';

/** What the routes need from the server, read when a request comes. */
export interface ExplainRouteDeps {
  readonly service: ExplanationService;
  readonly jobs: ExplainJobs;
  readonly router: () => VersionRouter;
  readonly validators: () => readonly Validator[];
  readonly store: () => PredictionStore | undefined;
  /** Rows one request may ask to explain. */
  readonly maxRows: number;
}

type Shape = 'oip' | 'named';

/** Fields of an explain body besides those of `infer` / `predict`. */
interface ExplainFields {
  predictionId?: string;
  budgetMs?: number;
  async: boolean;
}

function bad(message: string): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', message);
}

async function readBody(x: HttpExchange): Promise<Record<string, unknown>> {
  const bytes = await x.body();
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw bad('body: not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body: must be a JSON object');
  return body as Record<string, unknown>;
}

/** Takes the explain fields out of the body, leaving what the infer / predict decoders read. */
function takeExplainFields(body: Record<string, unknown>): ExplainFields {
  const out: ExplainFields = { async: false };
  const id = body['prediction_id'];
  if (id !== undefined) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw bad('prediction_id: must be a non-empty string');
    out.predictionId = id;
  }
  const budget = body['budget_ms'];
  if (budget !== undefined) {
    if (typeof budget !== 'number' || !(budget > 0)) throw bad('budget_ms: must be a positive number of milliseconds');
    out.budgetMs = budget;
  }
  const a = body['async'];
  if (a !== undefined) {
    if (typeof a !== 'boolean') throw bad('async: must be true or false');
    out.async = a;
  }
  delete body['prediction_id'];
  delete body['budget_ms'];
  delete body['async'];
  return out;
}

/** The rows of a logged prediction, as the model saw them. */
async function loggedRequest(deps: ExplainRouteDeps, x: HttpExchange, id: string, ctx: RequestContext): Promise<{ model: ReadyModel; request: InferenceRequest }> {
  const store = deps.store();
  if (store === undefined) throw new PonteError('PONTE_NOT_FOUND', 'prediction_id: the prediction log is not configured (load a store plugin such as @ponte/store-sqlite)');
  const stored = await store.get(x.model!, id);
  if (stored === undefined) throw new PonteError('PONTE_NOT_FOUND', `prediction_id: prediction "${id.slice(0, 64)}" of model "${x.model}" is not in the log`);
  const model = deps.router().route(x.model!, stored.version, ctx);
  const input = stored.inputs?.[0];
  const spec = model.signature.inputs[0];
  if (input !== undefined && stored.inputs!.length === 1 && spec !== undefined && input.datatype === 'FP32' && input.shape.length === 2 && input.data.every((v) => typeof v === 'number')) {
    return { model, request: { model: model.name, version: model.version, inputs: [{ name: spec.name, datatype: 'FP32', shape: [...input.shape], data: Float32Array.from(input.data as number[]) }] } };
  }
  if (stored.features !== undefined && stored.features.length > 0) {
    try {
      return { model, request: instancesToRequest(stored.features, model.config, model.signature, model.name, model.version) };
    } catch (e) {
      throw new PonteError('PONTE_EXPLAIN_UNAVAILABLE', `prediction_id: the logged rows cannot be read back (${e instanceof Error ? e.message : String(e)}); redacted features cannot be explained`);
    }
  }
  throw new PonteError('PONTE_EXPLAIN_UNAVAILABLE', `prediction_id: prediction "${id.slice(0, 64)}" was logged without its inputs`);
}

/** Decodes the body as `infer` (OIP tensors) or `predict` (named rows) does, resolves the version and validates. */
async function requestOf(deps: ExplainRouteDeps, shape: Shape, x: HttpExchange, body: Record<string, unknown>, ctx: RequestContext): Promise<{ model: ReadyModel; request: InferenceRequest }> {
  let request: InferenceRequest;
  let model: ReadyModel;
  if (shape === 'oip') {
    request = decodeInferRequest(body, x.model!, x.version, undefined, x.limits.tensorElements);
    model = deps.router().route(x.model!, x.version, ctx);
  } else {
    for (const k of Object.keys(body)) if (k !== 'instances' && k !== 'id') throw bad(`${k}: unknown field (allowed: instances, id, prediction_id, budget_ms, async)`);
    if (body['id'] !== undefined && typeof body['id'] !== 'string') throw bad('id: must be a string');
    model = deps.router().route(x.model!, x.version, ctx);
    request = instancesToRequest(body['instances'], model.config, model.signature, model.name, model.version);
    if (typeof body['id'] === 'string') request.id = body['id'];
  }
  ctx.model = model.name;
  ctx.version = model.version;
  checkSignature(request, model.signature);
  for (const v of deps.validators()) await v.validate(request, model, ctx);
  return { model, request };
}

/** The rows of the request's one `[rows, features]` float input. */
function rowsOf(request: InferenceRequest, maxRows: number): { rows: Float32Array; n: number } {
  const t = request.inputs[0];
  if (request.inputs.length !== 1 || t === undefined || t.datatype !== 'FP32' || t.shape.length !== 2) throw new PonteError('PONTE_EXPLAIN_UNAVAILABLE', 'inputs: explanations need one FP32 input [rows, features]');
  const n = t.shape[0]!;
  if (n > maxRows) throw bad(`inputs[0].shape[0]: at most ${maxRows} rows per explain request, got ${n}`);
  return { rows: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>), n };
}

/** The answer: the prediction in the route's shape and, per row, one attribution per output class. */
function answerBody(shape: Shape, model: ReadyModel, request: InferenceRequest, response: InferenceResponse, explanations: Attribution[][], predictionId: string | undefined): Record<string, unknown> {
  const head = { model_name: model.name, model_version: model.version, ...(request.id !== undefined ? { id: request.id } : {}), ...(predictionId !== undefined ? { prediction_id: predictionId } : {}) };
  const explained = explanations.map((row) => row.map(attributionToJson));
  if (shape === 'named') return { ...head, predictions: toPredictions(response, model.config, model.signature, request.inputs[0]!.shape[0]!), explanations: explained };
  return { ...head, outputs: encodeInferResponse(response).json['outputs'], explanations: explained };
}

function jobUrl(model: string, id: string): string {
  return `/v2/models/${encodeURIComponent(model)}/explain/jobs/${id}`;
}

/** `POST …/explain` of one shape. */
function explainRoute(deps: ExplainRouteDeps, shape: Shape): PlainRoute<HttpExchange, HttpAnswer> {
  return {
    async respond(x, ctx) {
      const body = await readBody(x);
      const fields = takeExplainFields(body);
      let resolved;
      if (fields.predictionId !== undefined) {
        const extra = Object.keys(body).filter((k) => k !== 'id');
        if (extra.length > 0) throw bad(`${extra[0]}: not allowed with prediction_id (the logged inputs are explained)`);
        resolved = await loggedRequest(deps, x, fields.predictionId, ctx);
      } else resolved = await requestOf(deps, shape, x, body, ctx);
      const { model, request } = resolved;
      const { rows, n } = rowsOf(request, deps.maxRows);
      const prepared = await deps.service.prepare(model);

      // The prediction itself, through the same runner as any prediction.
      const run = { inputs: request.inputs, ...(request.outputs ? { outputs: request.outputs.map((o) => o.name) } : {}) };
      let result;
      try {
        result = await model.runner.run(run, { deadline: ctx.deadline });
      } catch (e) {
        throw e instanceof PonteError ? e : new PonteError('PONTE_MODEL_RUN_FAILED', e instanceof Error ? e.message : String(e), { cause: e });
      }
      const response: InferenceResponse = { model_name: model.name, model_version: model.version, outputs: result.outputs };

      const budget = Math.min(fields.budgetMs ?? prepared.config.budgetMs, Math.max(0, ctx.deadline - performance.now()));
      const estimate = await deps.service.estimateMs(model, prepared, n);
      if (fields.async || estimate > budget) {
        const job = deps.jobs.start(model.name, async () => JSON.stringify({ status: 'done', ...answerBody(shape, model, request, response, await deps.service.explain(model, rows, n, { bounded: false }), fields.predictionId) }));
        const url = jobUrl(model.name, job.id);
        return jsonAnswer({ job_id: job.id, status: job.status, url, estimated_ms: Math.round(estimate) }, 202, { Location: url });
      }
      const explanations = await deps.service.explain(model, rows, n, { bounded: true, deadline: ctx.deadline });
      return jsonAnswer(answerBody(shape, model, request, response, explanations, fields.predictionId));
    },
  };
}

/** `GET /v2/models/{m}/explain/jobs/{id}`: pending, the answer, or why it failed. */
function jobRoute(deps: ExplainRouteDeps): PlainRoute<HttpExchange, HttpAnswer> {
  return {
    respond(x) {
      const id = x.params['id'] ?? '';
      const job = deps.jobs.get(x.model!, id);
      if (job === undefined) throw new PonteError('PONTE_NOT_FOUND', `explanation job "${id.slice(0, 64)}" of model "${x.model}" is unknown or expired`);
      if (job.status === 'done') return { status: 200, contentType: 'application/json', body: job.body! };
      if (job.status === 'failed') return jsonAnswer({ job_id: job.id, status: 'failed', error: job.error?.message, code: job.error?.code });
      return jsonAnswer({ job_id: job.id, status: 'pending', url: jobUrl(job.model, job.id) }, 200, { 'Retry-After': '1' });
    },
  };
}

/** The explain routes, each with action `explain`: they pass the gate and admission like every route. */
export function explainRoutes(deps: ExplainRouteDeps): HttpRoute[] {
  const oip = explainRoute(deps, 'oip');
  const named = explainRoute(deps, 'named');
  const job = jobRoute(deps);
  return [
    { method: 'POST', path: '/v2/models/{name}/explain', name: 'explain', action: 'explain', docs: { operationId: 'modelExplain', summary: 'Explain predictions (OIP tensors)', tag: TAG }, ...oip },
    { method: 'POST', path: '/v2/models/{name}/versions/{version}/explain', name: 'explain', action: 'explain', docs: { operationId: 'modelVersionExplain', summary: 'Explain predictions of a model version (OIP tensors)', tag: TAG }, ...oip },
    { method: 'POST', path: '/v1/models/{name}:explain', name: 'explain', action: 'explain', docs: { operationId: 'explain', summary: 'Explain predictions from named features', tag: TAG }, ...named },
    { method: 'POST', path: '/v1/models/{name}/versions/{version}:explain', name: 'explain', action: 'explain', docs: { operationId: 'versionExplain', summary: 'Explain predictions of a model version from named features', tag: TAG }, ...named },
    { method: 'GET', path: '/v2/models/{name}/explain/jobs/{id}', name: 'explain_job', action: 'explain', docs: { operationId: 'explainJob', summary: 'An explanation job: pending, or its answer', tag: TAG }, ...job },
  ];
}
