import type { DataType, Tensor, TensorData, TensorSpec } from '@ponte/core';
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';

const ORT_TO_OIP: Record<string, DataType> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  float16: 'FP16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};
const OIP_TO_ORT = Object.fromEntries(Object.entries(ORT_TO_OIP).map(([k, v]) => [v, k])) as Record<DataType, OrtTensor.Type>;

export function oipType(ortType: string): DataType | undefined {
  return ORT_TO_OIP[ortType];
}

/**
 * The signature from the session's own metadata: symbolic or unknown
 * dimensions become -1. Non-tensor outputs (a ZipMap's sequence of maps) are
 * left out: they cannot travel over the protocol, and are never fetched.
 */
export function signatureOf(session: InferenceSession): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const spec = (m: InferenceSession.ValueMetadata, kind: string): TensorSpec | undefined => {
    if (!m.isTensor) return undefined;
    const datatype = oipType(m.type);
    if (datatype === undefined) throw new Error(`${kind} "${m.name}" has ONNX type ${m.type}, which Ponte cannot carry`);
    return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
  };
  const inputs = session.inputMetadata.map((m) => spec(m, 'input'));
  const missing = session.inputMetadata.filter((_, i) => inputs[i] === undefined);
  if (missing.length > 0) throw new Error(`input "${missing[0]!.name}" is not a tensor; Ponte serves tensor inputs only`);
  return { inputs: inputs as TensorSpec[], outputs: session.outputMetadata.flatMap((m) => spec(m, 'output') ?? []) };
}

export function toOrt(t: Tensor): OrtTensor {
  return new OrtTensor(OIP_TO_ORT[t.datatype], t.data as never, t.shape);
}

export function fromOrt(name: string, t: OrtTensor): Tensor {
  const datatype = oipType(t.type);
  if (datatype === undefined) throw new Error(`output "${name}" has unsupported type ${t.type}`);
  return { name, datatype, shape: t.dims.map(Number), data: t.data as TensorData };
}
