import type { HttpRoute } from '@ponte/http';
import { errorRefs, type ErrorStatus } from './error-responses.js';
import { componentRef, schemaRef, type OperationObject, type PathItemObject } from './openapi-types.js';

/** Tag names of the protocol-level operations. */
export const TAGS = {
  health: 'Health',
  server: 'Server',
  oip: 'Open Inference Protocol v2',
  predict: 'Named-feature API',
} as const;

/** Statuses a data-plane call can answer with besides its success. */
export const READ_ERRORS: readonly ErrorStatus[] = [401, 403, 404, 503];
export const INFER_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 404, 413, 429, 500, 503, 504];

const requestId = componentRef('parameters', 'RequestId');
const timeout = componentRef('parameters', 'RequestTimeout');
const binaryHeader = componentRef('parameters', 'InferenceHeaderContentLength');
const modelName = componentRef('parameters', 'ModelName');
const modelVersion = componentRef('parameters', 'ModelVersion');
const idHeader = { 'X-Request-Id': componentRef('headers', 'X-Request-Id') };

function json(schema: Record<string, unknown>, description: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { description, headers: idHeader, content: { 'application/json': { schema, ...extra } } };
}

/** The success response of an infer call: JSON, or JSON header plus raw bytes with the binary extension. */
export function inferOk(schema: Record<string, unknown>): Record<string, unknown> {
  return {
    description: 'The outputs. With binary outputs requested, the body is `application/octet-stream`: a JSON header of `Inference-Header-Content-Length` bytes, then the raw bytes of each binary output in order.',
    headers: { ...idHeader, 'Inference-Header-Content-Length': componentRef('headers', 'Inference-Header-Content-Length') },
    content: {
      'application/json': { schema },
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    },
  };
}

/** The request body of an infer call: OIP JSON, or the binary tensor extension. */
export function inferBody(schema: Record<string, unknown>, example?: unknown): Record<string, unknown> {
  return {
    required: true,
    content: {
      'application/json': { schema, ...(example !== undefined ? { example } : {}) },
      'application/octet-stream': {
        schema: {
          type: 'string',
          format: 'binary',
          description: 'Binary tensor data extension: a JSON header (an inference request whose binary inputs carry `parameters.binary_data_size` instead of `data`) followed by their raw bytes; send `Inference-Header-Content-Length`.',
        },
      },
    },
  };
}

/** Operation fields shared by every infer operation. */
export function inferOperation(fields: OperationObject, requestSchema: Record<string, unknown>, responseSchema: Record<string, unknown>, example?: unknown): OperationObject {
  return {
    ...fields,
    parameters: [requestId, timeout, binaryHeader],
    requestBody: inferBody(requestSchema, example),
    responses: { '200': inferOk(responseSchema), ...errorRefs(INFER_ERRORS) },
  };
}

/** Operation fields shared by every named-feature predict operation. */
export function predictOperation(fields: OperationObject, requestSchema: Record<string, unknown>, responseSchema: Record<string, unknown>, example?: unknown): OperationObject {
  return {
    ...fields,
    parameters: [requestId, timeout],
    requestBody: { required: true, content: { 'application/json': { schema: requestSchema, ...(example !== undefined ? { example } : {}) } } },
    responses: { '200': json(responseSchema, 'One prediction per instance, in order.'), ...errorRefs(INFER_ERRORS) },
  };
}

/**
 * Rich descriptions of the REST protocol's own routes (health, server
 * metadata, OIP v2, named-feature API), by path. They describe; the route
 * table decides which paths exist (see `routePaths`).
 */
function knownPaths(): Record<string, PathItemObject> {
  const serverMetadataOp = (id: string): OperationObject => ({
    tags: [TAGS.server],
    operationId: id,
    summary: 'Server metadata',
    description: `Server name, version and supported OIP extensions (\`binary_tensor_data\`).${id === 'serverMetadataSlash' ? ' The OIP specification spells this route `/v2/`; clients commonly call `/v2`: both answer.' : ''}`,
    parameters: [requestId],
    responses: { '200': json(schemaRef('ServerMetadata'), 'The metadata.'), ...errorRefs([401, 403, 503]) },
  });
  const metadataOp = (id: string, versioned: boolean): OperationObject => ({
    tags: [TAGS.oip],
    operationId: id,
    summary: versioned ? 'Model version metadata' : 'Model metadata',
    description: `Inputs, outputs, platform and versions of ${versioned ? 'one version of a model' : 'a model (its newest ready version)'}, plus Ponte's readiness detail, feature names and labels. A model that failed to load still answers 200, with \`ready: false\` and the reason.`,
    parameters: [requestId],
    responses: { '200': json(schemaRef('ModelMetadata'), 'The metadata.'), ...errorRefs(READ_ERRORS) },
  });
  const readyOp = (id: string, versioned: boolean): OperationObject => ({
    tags: [TAGS.oip],
    operationId: id,
    summary: versioned ? 'Model version ready' : 'Model ready',
    description: `200 when ${versioned ? 'this version' : 'the model'} can serve; 503 with the reason when it is loading or failed.`,
    parameters: [requestId],
    responses: {
      '200': json(schemaRef('ModelReady'), 'Ready.'),
      '503': json({ oneOf: [schemaRef('ModelReady'), schemaRef('Error')] }, 'Not ready (a `ModelReady` body with the reason), or the server is draining (an error).'),
      ...errorRefs([401, 403, 404]),
    },
  });
  const inferFields = (id: string, versioned: boolean): OperationObject => ({
    tags: [TAGS.oip],
    operationId: id,
    summary: versioned ? 'Infer with a model version' : 'Infer',
    description: 'Open Inference Protocol v2 inference with tensors. Every input of the model must be given once with its datatype and a shape the model accepts. See the model-specific paths for each model\'s exact inputs.',
  });
  const predictFields = (id: string, versioned: boolean): OperationObject => ({
    tags: [TAGS.predict],
    operationId: id,
    summary: versioned ? 'Predict with a model version from named features' : 'Predict from named features',
    description: 'Rows of named features in, one readable prediction per row out: `label` and `probabilities` by label for classifiers (plus `probability` of the positive class for binary ones), `prediction` for regressors. See the model-specific paths for each model\'s features and rules.',
  });
  return {
    '/v2/health/live': {
      get: {
        tags: [TAGS.health],
        operationId: 'serverLive',
        summary: 'Server live',
        description: 'Liveness probe: 200 while the process serves requests. Never authenticated; cheap.',
        responses: { '200': json(schemaRef('ServerLive'), 'Live.'), '503': json(schemaRef('ServerLive'), 'Stopped.') },
      },
    },
    '/v2/health/ready': {
      get: {
        tags: [TAGS.health],
        operationId: 'serverReady',
        summary: 'Server ready',
        description: 'Readiness probe: 200 when every required model has all its selected versions ready and the server is serving; 503 otherwise, with each model\'s state. Never authenticated.',
        responses: { '200': json(schemaRef('ServerReady'), 'Ready.'), '503': json(schemaRef('ServerReady'), 'Not ready (still loading, a required model failed, or draining).') },
      },
    },
    '/v2': { get: serverMetadataOp('serverMetadata') },
    '/v2/': { get: serverMetadataOp('serverMetadataSlash') },
    '/v2/models/{name}': { parameters: [modelName], get: metadataOp('modelMetadata', false) },
    '/v2/models/{name}/versions/{version}': { parameters: [modelName, modelVersion], get: metadataOp('modelVersionMetadata', true) },
    '/v2/models/{name}/ready': { parameters: [modelName], get: readyOp('modelReady', false) },
    '/v2/models/{name}/versions/{version}/ready': { parameters: [modelName, modelVersion], get: readyOp('modelVersionReady', true) },
    '/v2/models/{name}/infer': { parameters: [modelName], post: inferOperation(inferFields('modelInfer', false), schemaRef('InferRequest'), schemaRef('InferResponse')) },
    '/v2/models/{name}/versions/{version}/infer': {
      parameters: [modelName, modelVersion],
      post: inferOperation(inferFields('modelVersionInfer', true), schemaRef('InferRequest'), schemaRef('InferResponse')),
    },
    '/v1/models': {
      get: {
        tags: [TAGS.predict],
        operationId: 'listModels',
        summary: 'List models',
        description: 'Every configured model with its readiness and versions.',
        parameters: [requestId],
        responses: { '200': json(schemaRef('ModelList'), 'The models.'), ...errorRefs([401, 403, 503]) },
      },
    },
    '/v1/models/{name}:predict': { parameters: [modelName], post: predictOperation(predictFields('predict', false), schemaRef('PredictRequest'), schemaRef('PredictResponse')) },
    '/v1/models/{name}/versions/{version}:predict': {
      parameters: [modelName, modelVersion],
      post: predictOperation(predictFields('versionPredict', true), schemaRef('PredictRequest'), schemaRef('PredictResponse')),
    },
  };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An operation for a route `knownPaths` does not describe: what its declaration says. */
function routeOperation(route: HttpRoute): OperationObject {
  const docs = route.docs;
  const params = [...route.path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => ({ name: m[1]!, in: 'path', required: true, schema: { type: 'string' } }));
  const errors: ErrorStatus[] = route.action === 'public' ? [] : [401, 403];
  return {
    tags: [docs?.tag ?? 'Plugins'],
    operationId: docs?.operationId ?? `${route.method.toLowerCase()}_${route.name}`,
    summary: docs?.summary ?? route.name,
    ...(docs?.description !== undefined ? { description: docs.description } : {}),
    parameters: [requestId, ...params],
    responses: { '200': { description: 'OK', headers: idHeader }, ...errorRefs(errors) },
  };
}

/**
 * The paths of the route table, for any model: every REST route of every
 * loaded plugin, described richly when it is one of the protocol's own, else
 * from its declaration. A route the table does not have is not documented.
 */
export function routePaths(routes: readonly HttpRoute[]): Record<string, PathItemObject> {
  const known = knownPaths();
  const paths: Record<string, PathItemObject> = {};
  for (const route of routes) {
    const method = route.method.toLowerCase() as Method;
    const knownItem = known[route.path];
    const op = (knownItem as Record<string, OperationObject | undefined> | undefined)?.[method] ?? routeOperation(route);
    const item = (paths[route.path] ??= knownItem?.parameters !== undefined ? { parameters: knownItem.parameters } : {}) as Record<string, unknown>;
    item[method] = op;
  }
  return paths;
}
