import { DATA_TYPES, decodeBinaryTensor, elementCount, encodeBinaryTensor, isDataType, PonteError, type InferenceRequest, type InferenceResponse, type RequestedOutput, type Tensor, type TensorData } from '@ponte/core';
import type { InferOutputTensor, ModelInferRequest, ModelInferResponse } from './messages.js';
import { decodeParameters, encodeParameters } from './parameters.js';
import { decodeContents, encodeContents, filledContentsFields } from './tensor-contents.js';

/** Largest tensor a request may declare, in elements: the same limit as OIP REST, so a tiny message cannot ask for a huge allocation. */
export const MAX_ELEMENTS = 1 << 27;

function bad(message: string): PonteError {
  return new PonteError('PONTE_BAD_REQUEST', message);
}

function decodeShape(raw: unknown, path: string): number[] {
  if (!Array.isArray(raw)) throw bad(`${path}: must be an array of non-negative integers`);
  const shape = raw.map((d, i) => {
    const v = typeof d === 'string' || typeof d === 'number' ? Number(d) : NaN;
    if (!Number.isSafeInteger(v) || v < 0) throw bad(`${path}[${i}]: must be a non-negative integer`);
    return v;
  });
  const n = elementCount(shape);
  if (n > MAX_ELEMENTS) throw bad(`${path}: tensor of ${n} elements exceeds the limit of ${MAX_ELEMENTS}`);
  return shape;
}

/** A decoded gRPC request and whether its inputs came as raw bytes. */
export interface DecodedInferRequest {
  request: InferenceRequest;
  rawInput: boolean;
}

/**
 * Decodes an OIP `ModelInferRequest` into Ponte's protocol-neutral request.
 * Inputs come either all as typed `contents` or all as `raw_input_contents`
 * (one entry per input, in order), never mixed. Every message names its field.
 *
 * @example
 * ```ts
 * const { request, rawInput } = decodeModelInferRequest(call.request);
 * ```
 */
export function decodeModelInferRequest(msg: ModelInferRequest): DecodedInferRequest {
  if (typeof msg.model_name !== 'string' || msg.model_name === '') throw bad('model_name: is required');
  const inputs = msg.inputs ?? [];
  if (inputs.length === 0) throw bad('inputs: must be a non-empty array');
  const raw = msg.raw_input_contents ?? [];
  const rawInput = raw.length > 0;
  if (rawInput && raw.length !== inputs.length) throw bad(`raw_input_contents: has ${raw.length} entries for ${inputs.length} inputs; give one per input, in order`);

  const tensors: Tensor[] = inputs.map((t, i): Tensor => {
    const path = `inputs[${i}]`;
    if (typeof t?.name !== 'string' || t.name === '') throw bad(`${path}.name: must be a non-empty string`);
    if (!isDataType(t.datatype)) throw bad(`${path}.datatype: must be one of ${Object.keys(DATA_TYPES).join(', ')}, got ${JSON.stringify(t.datatype ?? '')}`);
    const shape = decodeShape(t.shape ?? [], `${path}.shape`);
    let data: TensorData;
    if (rawInput) {
      if (filledContentsFields(t.contents).length > 0) throw bad(`${path}.contents: must be empty when raw_input_contents is used`);
      data = decodeBinaryTensor(raw[i]!, t.datatype, shape, `raw_input_contents[${i}]`);
    } else {
      data = decodeContents(t.contents, t.datatype, shape, `${path}.contents`);
    }
    const tensor: Tensor = { name: t.name, datatype: t.datatype, shape, data };
    const params = decodeParameters(t.parameters, `${path}.parameters`);
    if (params !== undefined) tensor.parameters = params;
    return tensor;
  });

  const request: InferenceRequest = { model: msg.model_name, inputs: tensors };
  if (typeof msg.model_version === 'string' && msg.model_version !== '') request.version = msg.model_version;
  if (typeof msg.id === 'string' && msg.id !== '') request.id = msg.id;
  const params = decodeParameters(msg.parameters, 'parameters');
  if (params !== undefined) request.parameters = params;
  if (msg.outputs !== undefined && msg.outputs.length > 0) {
    request.outputs = msg.outputs.map((o, i): RequestedOutput => {
      if (typeof o?.name !== 'string' || o.name === '') throw bad(`outputs[${i}].name: must be a non-empty string`);
      const out: RequestedOutput = { name: o.name };
      const p = decodeParameters(o.parameters, `outputs[${i}].parameters`);
      if (p !== undefined) out.parameters = p;
      return out;
    });
  }
  return { request, rawInput };
}

/**
 * Whether the response carries `raw_output_contents` (all outputs) rather than
 * typed `contents`: when the request parameter `binary_data_output` says so,
 * else when a requested output asks for `binary_data`, else when the inputs
 * were raw. FP16 outputs force raw, since FP16 has no typed field.
 */
export function wantsRawOutput(request: InferenceRequest, rawInput: boolean, outputs: readonly Tensor[]): boolean {
  if (outputs.some((o) => o.datatype === 'FP16')) return true;
  const all = request.parameters?.['binary_data_output'];
  if (typeof all === 'boolean') return all;
  if (request.outputs?.some((o) => o.parameters?.['binary_data'] === true)) return true;
  return rawInput;
}

/**
 * Encodes Ponte's response as an OIP `ModelInferResponse`, with typed
 * `contents` or, when `raw`, one `raw_output_contents` entry per output in order.
 */
export function encodeModelInferResponse(response: InferenceResponse, raw: boolean): ModelInferResponse {
  const rawOut: Uint8Array[] = [];
  const outputs = response.outputs.map((t): InferOutputTensor => {
    const o: InferOutputTensor = { name: t.name, datatype: t.datatype, shape: t.shape };
    const p = encodeParameters(t.parameters);
    if (p !== undefined) o.parameters = p;
    if (raw) {
      const bytes = encodeBinaryTensor(t);
      rawOut.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } else {
      o.contents = encodeContents(t);
    }
    return o;
  });
  const msg: ModelInferResponse = { model_name: response.model_name, model_version: response.model_version, outputs };
  if (response.id !== undefined) msg.id = response.id;
  const p = encodeParameters(response.parameters);
  if (p !== undefined) msg.parameters = p;
  if (raw) msg.raw_output_contents = rawOut;
  return msg;
}
