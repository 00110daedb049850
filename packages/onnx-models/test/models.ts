/**
 * Models for the tests, written by onnx-buf: one pooling node, or small CNNs with pooling between
 * convolutions, with float initializers (raw_data) for the weights.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProtoSchema,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';

/** An attribute as a test writes it: integers become INT(S), strings STRING, { float } FLOAT. */
export type TestAttribute = number | string | readonly number[] | { readonly float: number };

const FLOAT = 1;
const INT64 = 7;

export function attribute(name: string, value: TestAttribute): AttributeProto {
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) });
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: (value as number[]).map(BigInt) });
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: (value as { float: number }).float });
}

export function valueInfo(name: string, shape: readonly (number | string)[], elemType = FLOAT): ValueInfoProto {
  const dim = shape.map((d) =>
    create(TensorShapeProto_DimensionSchema, { value: typeof d === 'string' ? { case: 'dimParam', value: d } : { case: 'dimValue', value: BigInt(d) } }),
  );
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) }) } }),
  });
}

export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, TestAttribute>>;
  readonly name?: string;
}

export function node(spec: NodeSpec): NodeProto {
  return create(NodeProtoSchema, {
    opType: spec.opType,
    name: spec.name ?? '',
    input: [...spec.inputs],
    output: [...spec.outputs],
    attribute: Object.entries(spec.attributes ?? {}).map(([k, v]) => attribute(k, v)),
  });
}

/** A float initializer stored as raw_data (little-endian), as exporters write weights. */
export function floatInitializer(name: string, dims: readonly number[], values: Float32Array): TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: FLOAT, rawData: raw });
}

export function int64Initializer(name: string, values: readonly number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: [BigInt(values.length)], dataType: INT64, int64Data: values.map(BigInt) });
}

export interface ModelSpec {
  readonly nodes: readonly NodeProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly initializers?: readonly TensorProto[];
  readonly valueInfo?: readonly ValueInfoProto[];
  readonly opset?: number;
}

/** IR version per opset (onnx/helper.py's VERSION_TABLE). */
function irVersionFor(opset: number): bigint {
  if (opset >= 23) return 11n;
  if (opset >= 21) return 10n;
  if (opset >= 19) return 9n;
  if (opset >= 15) return 8n;
  return 7n;
}

export function modelMessage(spec: ModelSpec): ModelProto {
  const opset = spec.opset ?? 22;
  const graph: GraphProto = create(GraphProtoSchema, {
    name: 'test',
    node: [...spec.nodes],
    input: [...spec.inputs],
    output: [...spec.outputs],
    initializer: [...(spec.initializers ?? [])],
    valueInfo: [...(spec.valueInfo ?? [])],
  });
  return create(ModelProtoSchema, {
    irVersion: irVersionFor(opset),
    producerName: 'tensor-pooling-onnx tests',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
    graph,
  });
}

export function model(spec: ModelSpec): Uint8Array {
  return toBinary(ModelProtoSchema, modelMessage(spec));
}

/** A model of one pooling node X -> Y, X of `shape` (sizes or symbolic names), Y of unknown sizes. */
export function poolModel(opType: string, attributes: Readonly<Record<string, TestAttribute>>, shape: readonly (number | string)[], opset = 22): Uint8Array {
  return model({
    nodes: [node({ opType, inputs: ['X'], outputs: ['Y'], attributes, name: 'pool' })],
    inputs: [valueInfo('X', shape)],
    outputs: [valueInfo('Y', shape.map((_, i) => `y${i}`))],
    opset,
  });
}

/** Seeded uniform floats in [-1, 1): the same inputs on every run. */
export function randomFloats(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}
