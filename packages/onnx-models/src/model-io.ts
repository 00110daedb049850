/**
 * Reading and writing ONNX models with onnx-buf (ONNX's own schema compiled by @bufbuild/protobuf).
 *
 * A model is decoded whole for reading; a rewrite never re-encodes it whole. The bytes of a changed
 * node are spliced in place of the old node's bytes, and only the length prefix of the graph that
 * holds them is written again, so every other byte of the file (initializers, external-data
 * references, fields this schema does not know, the order the producer wrote fields in) stays as it
 * was. Re-encoding the whole message would keep the content but not the bytes: protobuf-es writes
 * known fields in field-number order and unknown fields last, whatever order the producer used.
 */
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ModelProtoSchema, NodeProtoSchema, TensorProtoSchema, Version, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { PoolingError } from 'tensor-pooling';
import { describeValue } from './words.js';

/** A protobuf message may not exceed 2 GB; larger models keep their weights in external data files. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** The newest IR version onnx-buf's schema knows (onnx.proto's `Version.IR_VERSION`). */
const NEWEST_IR_VERSION = BigInt(Version.IR_VERSION);

/** ModelProto.graph and GraphProto.node / GraphProto.initializer, as numbered in onnx.proto. */
const MODEL_GRAPH_FIELD = 7;
const GRAPH_NODE_FIELD = 1;
const GRAPH_INITIALIZER_FIELD = 5;

/** A model as read: the decoded message and the bytes it came from. */
export interface ReadModel {
  /** The decoded ModelProto, unknown fields kept. */
  readonly model: ModelProto;
  /** The caller's bytes it was decoded from (never written to). */
  readonly bytes: Uint8Array;
}

/**
 * Decodes `bytes` as an ONNX ModelProto and checks that it is one: a graph, and an IR version from
 * 1 to the newest. Random bytes often decode as some protobuf message; these two fields are what
 * tells a model from one.
 */
export function readModel(op: string, bytes: unknown): ReadModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new PoolingError('INVALID_PARAMETER', op, `bytes must be a Uint8Array holding an .onnx file's contents; got ${describeValue(bytes)}`);
  }
  if (bytes.length > PROTOBUF_LIMIT) {
    throw new PoolingError(
      'SIZE_TOO_LARGE',
      op,
      `bytes holds ${bytes.length} bytes, over protobuf's 2 GB limit (${PROTOBUF_LIMIT}); a model over 2 GB keeps its weights in external data files: pass the .onnx file alone`,
    );
  }
  if (bytes.length === 0) throw new PoolingError('INVALID_PARAMETER', op, 'bytes is empty: expected an ONNX model');
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: true });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new PoolingError('INVALID_PARAMETER', op, `bytes is not an ONNX model (${bytes.length} bytes): the protobuf cannot be read (${why}); is the file truncated?`);
  }
  if (model.graph === undefined || model.irVersion < 1n || model.irVersion > NEWEST_IR_VERSION) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `bytes is not an ONNX model (${bytes.length} bytes): expected a ModelProto with a graph and an ir_version from 1 to ${NEWEST_IR_VERSION}; ` +
        `got ${model.graph === undefined ? 'no graph' : 'a graph'} and ir_version ${model.irVersion}`,
    );
  }
  return { model, bytes };
}

/** Where one length-delimited field lies in a buffer: from its tag to its end, and its content. */
interface FieldRange {
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** The length-delimited fields numbered `field` directly inside `bytes[from, to)`, in order. */
function fieldRanges(bytes: Uint8Array, from: number, to: number, field: number): FieldRange[] {
  const reader = new BinaryReader(bytes.subarray(0, to));
  reader.pos = from;
  const found: FieldRange[] = [];
  while (reader.pos < to) {
    const start = reader.pos;
    const [number, wireType] = reader.tag();
    if (number === field && wireType === WireType.LengthDelimited) {
      const length = reader.uint32();
      const contentStart = reader.pos;
      reader.pos += length;
      found.push({ start, contentStart, end: reader.pos });
    } else {
      reader.skip(wireType, number);
    }
  }
  return found;
}

/** What a rewrite changes in the top-level graph. */
export interface GraphEdit {
  /** By the node's index in graph.node: the nodes that take its place (one or more, in order). */
  readonly replaceNodes: ReadonlyMap<number, readonly NodeProto[]>;
  /** Initializers added at the graph's end. */
  readonly addInitializers: readonly TensorProto[];
}

function lengthDelimited(field: number, content: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(field, WireType.LengthDelimited).bytes(content).finish();
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The model's bytes with `edit` applied: each replaced node's bytes give way to its replacements'
 * encodings, added initializers are appended to the graph, and the graph's length prefix is written
 * again; every other byte is copied. Returns a new array; `source` is never written to.
 */
export function applyGraphEdit(op: string, source: ReadModel, edit: GraphEdit): Uint8Array {
  const bytes = source.bytes;
  const graphs = fieldRanges(bytes, 0, bytes.length, MODEL_GRAPH_FIELD);
  if (graphs.length !== 1) {
    // Protobuf merges repeated occurrences of a message field; no producer writes that, and
    // splicing into one part of a merged graph would be guesswork.
    throw new PoolingError('UNSUPPORTED_OPTION', op, `the model's graph is written in ${graphs.length} parts; expected one`);
  }
  const graph = graphs[0]!;
  const nodes = fieldRanges(bytes, graph.contentStart, graph.end, GRAPH_NODE_FIELD);
  if (nodes.length !== source.model.graph!.node.length) {
    throw new PoolingError('UNSUPPORTED_OPTION', op, `the graph's nodes could not be located in the file (${nodes.length} found, ${source.model.graph!.node.length} decoded)`);
  }
  const parts: Uint8Array[] = [];
  let copiedTo = graph.contentStart;
  nodes.forEach((range, index) => {
    const replacement = edit.replaceNodes.get(index);
    if (replacement === undefined) return;
    parts.push(bytes.subarray(copiedTo, range.start));
    for (const node of replacement) parts.push(lengthDelimited(GRAPH_NODE_FIELD, toBinary(NodeProtoSchema, node)));
    copiedTo = range.end;
  });
  parts.push(bytes.subarray(copiedTo, graph.end));
  for (const initializer of edit.addInitializers) parts.push(lengthDelimited(GRAPH_INITIALIZER_FIELD, toBinary(TensorProtoSchema, initializer)));
  return concat([bytes.subarray(0, graph.start), lengthDelimited(MODEL_GRAPH_FIELD, concat(parts)), bytes.subarray(graph.end)]);
}
