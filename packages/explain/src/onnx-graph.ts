import { readFile } from 'node:fs/promises';
import { ProtobufReader, WireType } from './protobuf-reader.js';

/** A tensor constant of an ONNX graph, its numeric values widened to float64. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** ONNX `TensorProto.DataType` (1 float, 6 int32, 7 int64, 11 double …). */
  readonly dataType: number;
  readonly values: readonly number[];
}

/** A node attribute; only the fields its type uses are filled. */
export interface OnnxAttribute {
  readonly name: string;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly t?: OnnxTensor;
  readonly floats: readonly number[];
  readonly ints: readonly number[];
  readonly strings: readonly string[];
}

export interface OnnxNode {
  readonly opType: string;
  /** `''` for the default `ai.onnx` domain. */
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** The parts of an ONNX model an explainer needs: its nodes in order, constants and graph I/O names. */
export interface OnnxGraph {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

// Field numbers from onnx.proto (stable since IR version 3).
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, strings: 9 } as const;
const TENSOR = { dims: 1, dataType: 2, floatData: 4, int32Data: 5, int64Data: 7, name: 8, rawData: 9, doubleData: 10 } as const;
const VALUE_INFO_NAME = 1;

/** Reads an ONNX model file's graph. */
export async function readOnnxGraphFile(file: string): Promise<OnnxGraph> {
  return readOnnxGraph(new Uint8Array(await readFile(file)));
}

/** Decodes the graph of a serialized ONNX `ModelProto`. */
export function readOnnxGraph(bytes: Uint8Array): OnnxGraph {
  const r = new ProtobufReader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === MODEL_GRAPH && wire === WireType.LengthDelimited) return readGraph(r.sub());
    r.skip(wire);
  }
  throw new Error('onnx: the model has no graph');
}

function readGraph(r: ProtobufReader): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: string[] = [];
  const outputs: string[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === GRAPH.node) nodes.push(readNode(r.sub()));
    else if (field === GRAPH.initializer) {
      const t = readTensor(r.sub());
      initializers.set(t.name, t);
    } else if (field === GRAPH.input) inputs.push(readValueInfoName(r.sub()));
    else if (field === GRAPH.output) outputs.push(readValueInfoName(r.sub()));
    else r.skip(wire);
  }
  return { nodes, initializers, inputs: inputs.filter((n) => !initializers.has(n)), outputs };
}

function readValueInfoName(r: ProtobufReader): string {
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === VALUE_INFO_NAME) return r.string();
    r.skip(wire);
  }
  return '';
}

function readNode(r: ProtobufReader): OnnxNode {
  let opType = '';
  let domain = '';
  let name = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, OnnxAttribute>();
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case NODE.input: inputs.push(r.string()); break;
      case NODE.output: outputs.push(r.string()); break;
      case NODE.name: name = r.string(); break;
      case NODE.opType: opType = r.string(); break;
      case NODE.domain: domain = r.string(); break;
      case NODE.attribute: {
        const a = readAttribute(r.sub());
        attributes.set(a.name, a);
        break;
      }
      default: r.skip(wire);
    }
  }
  return { opType, domain, name, inputs, outputs, attributes };
}

function readAttribute(r: ProtobufReader): OnnxAttribute {
  let name = '';
  let f: number | undefined;
  let i: number | undefined;
  let s: string | undefined;
  let t: OnnxTensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case ATTR.name: name = r.string(); break;
      case ATTR.f: f = r.float32(); break;
      case ATTR.i: i = r.varint(); break;
      case ATTR.s: s = r.string(); break;
      case ATTR.t: t = readTensor(r.sub()); break;
      case ATTR.floats: r.repeated(wire, 'float32', floats); break;
      case ATTR.ints: r.repeated(wire, 'varint', ints); break;
      case ATTR.strings: strings.push(r.string()); break;
      default: r.skip(wire);
    }
  }
  return { name, f, i, s, t, floats, ints, strings };
}

const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;

function readTensor(r: ProtobufReader): OnnxTensor {
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  const values: number[] = [];
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case TENSOR.dims: r.repeated(wire, 'varint', dims); break;
      case TENSOR.dataType: dataType = r.varint(); break;
      case TENSOR.name: name = r.string(); break;
      case TENSOR.floatData: r.repeated(wire, 'float32', values); break;
      case TENSOR.int32Data: case TENSOR.int64Data: r.repeated(wire, 'varint', values); break;
      case TENSOR.doubleData: r.repeated(wire, 'float64', values); break;
      case TENSOR.rawData: raw = r.raw(); break;
      default: r.skip(wire);
    }
  }
  if (raw) values.push(...decodeRaw(raw, dataType));
  return { name, dims, dataType, values };
}

function decodeRaw(raw: Uint8Array, dataType: number): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  switch (dataType) {
    case DataType.FLOAT: for (let o = 0; o + 4 <= raw.byteLength; o += 4) out.push(view.getFloat32(o, true)); break;
    case DataType.DOUBLE: for (let o = 0; o + 8 <= raw.byteLength; o += 8) out.push(view.getFloat64(o, true)); break;
    case DataType.INT32: for (let o = 0; o + 4 <= raw.byteLength; o += 4) out.push(view.getInt32(o, true)); break;
    case DataType.INT64: for (let o = 0; o + 8 <= raw.byteLength; o += 8) out.push(Number(view.getBigInt64(o, true))); break;
    default: throw new Error(`onnx: tensor data type ${dataType} is not supported here`);
  }
  return out;
}

/** The values of a float attribute, or of its `<name>_as_tensor` double form (ai.onnx.ml opset 3). */
export function floatsOf(node: OnnxNode, name: string): readonly number[] | undefined {
  const a = node.attributes.get(name);
  if (a && a.floats.length > 0) return a.floats;
  const t = node.attributes.get(`${name}_as_tensor`)?.t;
  if (t) return t.values;
  return a ? a.floats : undefined;
}

export function intsOf(node: OnnxNode, name: string): readonly number[] | undefined {
  return node.attributes.get(name)?.ints;
}

export function stringsOf(node: OnnxNode, name: string): readonly string[] | undefined {
  return node.attributes.get(name)?.strings;
}

export function stringOf(node: OnnxNode, name: string, fallback: string): string {
  return node.attributes.get(name)?.s ?? fallback;
}
