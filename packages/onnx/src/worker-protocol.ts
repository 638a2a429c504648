import type { DataType, TensorSpec } from '@ponte/core';

/** Messages between the main thread and an ONNX worker thread. */
export interface WorkerInit {
  file: string;
  sessionOptions: Record<string, unknown>;
}

export interface WireTensor {
  name: string;
  datatype: DataType;
  shape: number[];
  data: ArrayBufferView | string[];
}

export type ToWorker = { id: number; inputs: WireTensor[]; outputs: string[] };

export type FromWorker =
  | { kind: 'ready'; signature: { inputs: TensorSpec[]; outputs: TensorSpec[] } }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; outputs: WireTensor[] }
  | { kind: 'error'; id: number; message: string };
