import { DATA_TYPES } from '@ponte/core';
import { errorResponses, errorSchema } from './error-responses.js';
import type { OpenApiDocument, SchemaObject } from './openapi-types.js';
import { schemaRef } from './openapi-types.js';

/** Values that request ids may take; others are replaced by a generated one (core's `createHttpApp`). */
const REQUEST_ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';

const parameterValue: SchemaObject = { type: ['string', 'number', 'boolean'] };
const datatypes = Object.keys(DATA_TYPES);

const tensorMetadata: SchemaObject = {
  type: 'object',
  required: ['name', 'datatype', 'shape'],
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string', enum: datatypes },
    shape: { type: 'array', items: { type: 'integer', minimum: -1 }, description: '-1 marks a dynamic dimension' },
  },
};

const versionStatus: SchemaObject = {
  type: 'object',
  required: ['name', 'version', 'state'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    state: { type: 'string', enum: ['loading', 'ready', 'failed', 'unloaded'] },
    reason: { type: 'string', description: 'why the version failed' },
    loadDurationMs: { type: 'number' },
  },
};

const generic = {
  Error: errorSchema(),
  Parameters: { type: 'object', description: 'OIP parameters: name → string, number or boolean.', additionalProperties: parameterValue },
  InputParameters: {
    type: 'object',
    additionalProperties: parameterValue,
    properties: { binary_data_size: { type: 'integer', minimum: 0, description: 'Binary tensor extension: this input\'s bytes follow the JSON header; `data` must then be absent.' } },
  },
  OutputParameters: {
    type: 'object',
    additionalProperties: parameterValue,
    properties: { binary_data: { type: 'boolean', description: 'Binary tensor extension: return this output as raw bytes after the JSON header.' } },
  },
  InferParameters: {
    type: 'object',
    additionalProperties: parameterValue,
    properties: {
      timeout: { type: 'number', exclusiveMinimum: 0, description: 'Deadline in microseconds (Triton semantics); the shorter of this and `X-Request-Timeout-Ms` applies.' },
      binary_data_output: { type: 'boolean', description: 'Binary tensor extension: return every output as raw bytes.' },
    },
  },
  PredictParameters: {
    type: 'object',
    additionalProperties: parameterValue,
    properties: { timeout: { type: 'number', exclusiveMinimum: 0, description: 'Deadline in microseconds.' } },
  },
  TensorMetadata: tensorMetadata,
  RequestInput: {
    type: 'object',
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: { type: 'string', minLength: 1 },
      shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
      datatype: { type: 'string', enum: datatypes },
      parameters: schemaRef('InputParameters'),
      data: { type: 'array', description: 'Row-major, flat or nested. Absent when `parameters.binary_data_size` is given.' },
    },
  },
  RequestOutput: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, parameters: schemaRef('OutputParameters') } },
  ResponseOutput: {
    type: 'object',
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
      datatype: { type: 'string', enum: datatypes },
      parameters: schemaRef('Parameters'),
      data: { type: 'array', description: 'Row-major, flat; non-finite floats are null. Absent for binary outputs, whose `parameters.binary_data_size` gives their length.' },
    },
  },
  InferRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['inputs'],
    properties: {
      id: { type: 'string', description: 'Returned in the response.' },
      parameters: schemaRef('InferParameters'),
      inputs: { type: 'array', minItems: 1, items: schemaRef('RequestInput') },
      outputs: { type: 'array', items: schemaRef('RequestOutput'), description: 'Outputs to return; all when omitted.' },
    },
  },
  InferResponse: {
    type: 'object',
    required: ['model_name', 'model_version', 'outputs'],
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      parameters: schemaRef('Parameters'),
      outputs: { type: 'array', items: schemaRef('ResponseOutput') },
    },
  },
  PredictRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['instances'],
    properties: {
      instances: {
        type: 'array',
        minItems: 1,
        description: 'Rows as objects (feature name → value) or arrays (values in feature order).',
        items: { oneOf: [{ type: 'object', additionalProperties: true }, { type: 'array' }] },
      },
      id: { type: 'string' },
      parameters: schemaRef('PredictParameters'),
    },
  },
  Prediction: {
    oneOf: [
      {
        type: 'object',
        title: 'classification',
        required: ['label', 'probabilities'],
        properties: {
          label: { type: ['string', 'number'] },
          probabilities: { type: 'object', additionalProperties: { type: 'number' } },
          probability: { type: 'number', description: 'binary classifiers: probability of the positive (last) class' },
        },
      },
      { type: 'object', title: 'regression', required: ['prediction'], properties: { prediction: { anyOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' } }] } } },
      { type: 'object', title: 'raw outputs', required: ['outputs'], properties: { outputs: { type: 'object' } } },
    ],
  },
  PredictResponse: {
    type: 'object',
    required: ['model_name', 'model_version', 'predictions'],
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      predictions: { type: 'array', items: schemaRef('Prediction') },
    },
  },
  ServerLive: { type: 'object', required: ['live'], properties: { live: { type: 'boolean' } } },
  ServerReady: {
    type: 'object',
    required: ['ready', 'state', 'models'],
    properties: {
      ready: { type: 'boolean' },
      state: { type: 'string', enum: ['starting', 'serving', 'draining', 'stopped'] },
      models: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'required', 'ready', 'versions'],
          properties: { name: { type: 'string' }, required: { type: 'boolean' }, ready: { type: 'boolean' }, reason: { type: 'string' }, versions: { type: 'array', items: schemaRef('ModelVersionStatus') } },
        },
      },
    },
  },
  ServerMetadata: {
    type: 'object',
    required: ['name', 'version', 'extensions'],
    properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } },
  },
  ModelVersionStatus: versionStatus,
  ModelMetadata: {
    type: 'object',
    required: ['name', 'versions', 'platform', 'inputs', 'outputs', 'ready', 'state', 'version_status'],
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string', description: 'e.g. onnx_onnxv1; empty when no version is ready' },
      inputs: { type: 'array', items: schemaRef('TensorMetadata') },
      outputs: { type: 'array', items: schemaRef('TensorMetadata') },
      ready: { type: 'boolean' },
      state: { type: 'string', enum: ['loading', 'ready', 'failed', 'unloaded'] },
      reason: { type: 'string' },
      version_status: { type: 'array', items: schemaRef('ModelVersionStatus'), description: 'Ponte extension: every version\'s state.' },
      features: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'type'],
          properties: { name: { type: 'string' }, type: { type: 'string' }, min: { type: 'number' }, max: { type: 'number' }, enum: { type: 'array', items: { type: ['string', 'number'] } } },
        },
      },
      labels: { type: 'array', items: { type: ['string', 'number'] } },
    },
  },
  ModelReady: {
    type: 'object',
    required: ['name', 'ready'],
    properties: { name: { type: 'string' }, version: { type: 'string' }, ready: { type: 'boolean' }, reason: { type: 'string' } },
  },
  ModelList: {
    type: 'object',
    required: ['models'],
    properties: {
      models: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'ready', 'required', 'versions'],
          properties: { name: { type: 'string' }, ready: { type: 'boolean' }, required: { type: 'boolean' }, reason: { type: 'string' }, versions: { type: 'array', items: schemaRef('ModelVersionStatus') } },
        },
      },
    },
  },
} satisfies Record<string, SchemaObject>;

/**
 * The components every Ponte document shares: protocol schemas, the error
 * responses, and the request/response headers core reads and writes.
 */
export function sharedComponents(server: { bodyLimitBytes: number; requestTimeoutMs: number }): NonNullable<OpenApiDocument['components']> {
  return {
    schemas: { ...generic },
    parameters: {
      ModelName: { name: 'name', in: 'path', required: true, description: 'Model name as configured.', schema: { type: 'string' } },
      ModelVersion: { name: 'version', in: 'path', required: true, description: 'Model version (a version directory name: 1, 2, …).', schema: { type: 'string' } },
      RequestId: {
        name: 'X-Request-Id',
        in: 'header',
        required: false,
        description: 'Your id for this request; echoed in the response and in logs. Ids not matching the pattern are replaced by a generated UUID.',
        schema: { type: 'string', pattern: REQUEST_ID_PATTERN },
      },
      RequestTimeout: {
        name: 'X-Request-Timeout-Ms',
        in: 'header',
        required: false,
        description: `Deadline for this request in milliseconds; capped at this deployment's server.requestTimeoutMs (${server.requestTimeoutMs}). A request still queued at its deadline gets 504.`,
        schema: { type: 'number', exclusiveMinimum: 0 },
      },
      InferenceHeaderContentLength: {
        name: 'Inference-Header-Content-Length',
        in: 'header',
        required: false,
        description: 'Binary tensor data extension: the body is a JSON header of this many bytes followed by the raw little-endian bytes of each input that has `parameters.binary_data_size`, in input order (BYTES elements are 4-byte length-prefixed).',
        schema: { type: 'integer', minimum: 1 },
      },
    },
    headers: {
      'X-Request-Id': { description: 'The request id: the one you sent when well-formed, else a generated UUID.', schema: { type: 'string' } },
      'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
      'Inference-Header-Content-Length': { description: 'Binary tensor data extension: length of the JSON header that starts the body; the raw bytes of the binary outputs follow it.', schema: { type: 'integer', minimum: 1 } },
    },
    responses: errorResponses(server.bodyLimitBytes),
  };
}
