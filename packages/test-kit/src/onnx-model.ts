/**
 * A minimal ONNX protobuf writer: just enough of ModelProto, GraphProto, NodeProto, AttributeProto,
 * ValueInfoProto and TensorProto to hand onnxruntime a model of one node. Field numbers are those of
 * onnx/onnx.proto (proto2); repeated scalars are written unpacked, which every proto2 parser reads.
 */

/** TensorProto.DataType values used by the pooling ops. */
export const ELEM_TYPE = { float32: 1, uint8: 2, int8: 3, int64: 7, float64: 11 } as const;
export type ElemTypeName = keyof typeof ELEM_TYPE;

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

/** An attribute value as written in a test: numbers that are integers become INT(S) unless tagged float. */
export type AttributeValue = number | string | readonly number[] | { readonly float: number };

/** Protobuf wire types. */
const VARINT = 0;
const FIXED32 = 5;
const LENGTH_DELIMITED = 2;

class ProtoWriter {
  private readonly bytes: number[] = [];

  private tag(field: number, wireType: number): void {
    this.varint(BigInt(field * 8 + wireType));
  }

  /** Two's complement for negatives, as protobuf writes int64. */
  private varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, VARINT);
    this.varint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const buffer = new DataView(new ArrayBuffer(4));
    buffer.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes.push(buffer.getUint8(i));
    return this;
  }

  bytesField(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(BigInt(value.length));
    for (const b of value) this.bytes.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'string') {
    w.string(4, value).int(20, ATTRIBUTE_TYPE.string);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; tag floats as { float }`);
    w.int(3, value).int(20, ATTRIBUTE_TYPE.int);
  } else if (Array.isArray(value)) {
    for (const v of value as readonly number[]) w.int(8, v);
    w.int(20, ATTRIBUTE_TYPE.ints);
  } else {
    w.float(2, (value as { float: number }).float).int(20, ATTRIBUTE_TYPE.float);
  }
}

/** One graph input or output. A dimension given as a string is symbolic (dim_param). */
export interface ValueInfo {
  readonly name: string;
  readonly elemType: ElemTypeName;
  readonly shape: readonly (number | string)[];
}

function writeValueInfo(w: ProtoWriter, info: ValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, ELEM_TYPE[info.elemType]);
      tensorType.message(2, (shape) => {
        for (const d of info.shape) {
          shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
        }
      });
    }),
  );
}

/** A constant graph input (initializer); int64 data only, which is what MaxUnpool's output_shape needs. */
export interface Int64Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly int64Data: readonly number[];
}

function writeInitializer(w: ProtoWriter, init: Int64Initializer): void {
  for (const d of init.dims) w.int(1, d);
  w.int(2, ELEM_TYPE.int64);
  for (const v of init.int64Data) w.int(7, v);
  w.string(8, init.name);
}

export interface OneNodeModel {
  readonly opType: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers?: readonly Int64Initializer[];
  /** Default opset 22 (the current definition of every pooling op). */
  readonly opset?: number;
}

/**
 * IR version per opset, from onnx/helper.py's VERSION_TABLE: opset 21-22 need IR 10, 19-20 IR 9,
 * 15-18 IR 8; older opsets are read by every IR from 7 on.
 */
function irVersionFor(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  return 7;
}

/** Serialises a ModelProto holding one node of the default domain. */
export function encodeOneNodeModel(model: OneNodeModel): Uint8Array {
  const opset = model.opset ?? 22;
  const w = new ProtoWriter();
  w.int(1, irVersionFor(opset));
  w.string(2, 'tensor-pooling-differential-tests');
  w.message(7, (graph) => {
    graph.message(1, (node) => {
      for (const input of model.inputs) node.string(1, input.name);
      for (const init of model.initializers ?? []) node.string(1, init.name);
      for (const output of model.outputs) node.string(2, output.name);
      node.string(3, 'node');
      node.string(4, model.opType);
      for (const [name, value] of Object.entries(model.attributes)) {
        node.message(5, (attribute) => writeAttribute(attribute, name, value));
      }
    });
    graph.string(2, 'one-node');
    for (const init of model.initializers ?? []) graph.message(5, (t) => writeInitializer(t, init));
    for (const input of model.inputs) graph.message(11, (v) => writeValueInfo(v, input));
    for (const output of model.outputs) graph.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (opsetId) => opsetId.string(1, '').int(2, opset));
  return w.finish();
}
