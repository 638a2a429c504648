/**
 * The OIP gRPC messages as `@grpc/proto-loader` hands them over with
 * `PROTO_LOADER_OPTIONS`: proto field names, 64-bit integers as decimal
 * strings, bytes as Buffers. On input every field may be missing (hostile or
 * old clients); on output numbers are accepted where the proto has int64.
 *
 * @example
 * ```ts
 * const req: ModelInferRequest = { model_name: 'purchase', inputs: [{ name: 'input', datatype: 'FP32', shape: ['1', '8'], contents: { fp32_contents: row } }] };
 * ```
 */

/** `inference.InferParameter`: exactly one of the three values is set. */
export interface InferParameterMessage {
  bool_param?: boolean;
  int64_param?: string | number;
  string_param?: string;
  /** Which member of the oneof is set (proto-loader `oneofs: true`). */
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param';
}

/** `inference.InferTensorContents`: one repeated field per datatype family. */
export interface InferTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Array<string | number>;
  uint_contents?: number[];
  uint64_contents?: Array<string | number>;
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

/** The names of the `InferTensorContents` fields. */
export type ContentsField = keyof InferTensorContents;

/** A `map<string, InferParameter>` field (request, tensor or response parameters). */
export type ParameterMap = Record<string, InferParameterMessage>;

/** `ModelInferRequest.InferInputTensor`: data in `contents`, or in the request's `raw_input_contents`. */
export interface InferInputTensor {
  name?: string;
  datatype?: string;
  shape?: Array<string | number>;
  parameters?: ParameterMap;
  contents?: InferTensorContents | null;
}

/** `ModelInferRequest.InferRequestedOutputTensor`: an output the caller wants. */
export interface InferRequestedOutputTensor {
  name?: string;
  parameters?: ParameterMap;
}

/** `inference.ModelInferRequest`. */
export interface ModelInferRequest {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: ParameterMap;
  inputs?: InferInputTensor[];
  outputs?: InferRequestedOutputTensor[];
  raw_input_contents?: Uint8Array[];
}

/** `ModelInferResponse.InferOutputTensor`: data in `contents`, or in the response's `raw_output_contents`. */
export interface InferOutputTensor {
  name: string;
  datatype: string;
  shape: Array<string | number>;
  parameters?: ParameterMap;
  contents?: InferTensorContents;
}

/** `inference.ModelInferResponse`. */
export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  parameters?: ParameterMap;
  outputs: InferOutputTensor[];
  raw_output_contents?: Uint8Array[];
}

/** `ModelReadyRequest` and `ModelMetadataRequest`: a model name and an optional version (empty = newest ready). */
export interface ModelRef {
  name?: string;
  version?: string;
}

/** `ModelMetadataResponse.TensorMetadata`: a dimension of -1 is dynamic. */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: Array<string | number>;
}

/** `inference.ModelMetadataResponse`. */
export interface ModelMetadataResponse {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/** `inference.ServerMetadataResponse`. */
export interface ServerMetadataResponse {
  name: string;
  version: string;
  extensions: string[];
}
