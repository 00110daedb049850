/**
 * The pooling nodes of a model's top-level graph, each with its attributes read into the ONNX
 * dialect's spelling (`runOnnxNode`'s `attrs`), the opset it was written for, and the shapes the
 * model declares for its values. Nodes inside subgraphs (If, Loop, Scan bodies) and in other
 * domains are not pooling nodes of the default domain and are left out.
 */
import { AttributeProto_AttributeType, TensorProto_DataType, type AttributeProto, type GraphProto, type ModelProto, type NodeProto } from 'onnx-buf';
import { PoolingError, type OnnxAttributes, type OnnxOpType } from 'tensor-pooling';
import { list } from './words.js';

/**
 * One attribute's value in the dialect's spelling: an int, a list of ints, or a string.
 * @category ONNX models
 */
export type AttributeValue = NonNullable<OnnxAttributes[string]>;

/**
 * The pooling operators the package inspects and rewrites: those of the ONNX dialect.
 * @category ONNX models
 */
export const POOLING_OP_TYPES: readonly OnnxOpType[] = ['AveragePool', 'MaxPool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'MaxUnpool'];

/**
 * The newest default-domain opset whose pooling operators this package knows: opset 25 (ONNX 1.20).
 * Every pooling operator's newest version is 22 (bfloat16 added), and opsets 23 to 25 left them
 * alone; a model importing a newer opset may mean something this package cannot know.
 * @category ONNX models
 */
export const NEWEST_KNOWN_OPSET = 25;

/**
 * The opset each operator and attribute first appeared in (from ONNX's Changelog.md): an attribute
 * before its opset is not part of the operator the model asked for, and a runtime refuses it.
 */
const OP_SINCE: Record<OnnxOpType, number> = {
  AveragePool: 1,
  MaxPool: 1,
  LpPool: 1,
  GlobalAveragePool: 1,
  GlobalMaxPool: 1,
  GlobalLpPool: 1,
  MaxUnpool: 9,
};
const ATTRIBUTE_SINCE: Record<OnnxOpType, Readonly<Record<string, number>>> = {
  AveragePool: { auto_pad: 1, kernel_shape: 1, pads: 1, strides: 1, count_include_pad: 7, ceil_mode: 10, dilations: 19 },
  MaxPool: { auto_pad: 1, kernel_shape: 1, pads: 1, strides: 1, storage_order: 8, ceil_mode: 10, dilations: 10 },
  LpPool: { auto_pad: 1, kernel_shape: 1, pads: 1, strides: 1, p: 1, ceil_mode: 18, dilations: 18 },
  GlobalAveragePool: {},
  GlobalMaxPool: {},
  GlobalLpPool: { p: 1 },
  MaxUnpool: { kernel_shape: 9, pads: 9, strides: 9 },
};
const NEEDS_KERNEL_SHAPE: ReadonlySet<OnnxOpType> = new Set(['AveragePool', 'MaxPool', 'LpPool', 'MaxUnpool']);

/** One pooling node of the top-level graph, read. */
export interface PoolingNode {
  /** Its index in the graph's node list. */
  readonly index: number;
  /** The node as decoded. */
  readonly node: NodeProto;
  /** The node's name, or `#index` for an unnamed node. */
  readonly label: string;
  /** The node's op_type, one of {@link POOLING_OP_TYPES}. */
  readonly opType: OnnxOpType;
  /** The default-domain opset the model imports. */
  readonly opset: number;
  /** The attributes in `runOnnxNode`'s spelling: ints as numbers, int lists as number lists, strings. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The default-domain opset of a model; IR versions before 3 had no opset imports and mean opset 1. */
export function defaultOpset(model: ModelProto): number | undefined {
  const entry = model.opsetImport.find((o) => isDefaultDomain(o.domain));
  if (entry !== undefined) return Number(entry.version);
  return model.irVersion < 3n ? 1 : undefined;
}

function safeInteger(op: string, where: string, value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new PoolingError('INVALID_PARAMETER', op, `${where} is ${value}, past the integers this can read exactly`);
  return n;
}

/** An attribute's value as the dialect reads it; types the pooling operators never take are refused. */
function attributeValue(op: string, where: string, attribute: AttributeProto): AttributeValue {
  switch (attribute.type) {
    case AttributeProto_AttributeType.INT:
      return safeInteger(op, where, attribute.i);
    case AttributeProto_AttributeType.INTS:
      return attribute.ints.map((v) => safeInteger(op, where, v));
    case AttributeProto_AttributeType.STRING:
      return new TextDecoder('utf-8', { fatal: false }).decode(attribute.s);
    // LpPool-1 and GlobalLpPool-1 had p as a float; the dialect reads it as the integer it must be.
    case AttributeProto_AttributeType.FLOAT:
      if (attribute.name === 'p') return attribute.f;
      break;
  }
  throw new PoolingError(
    'INVALID_PARAMETER',
    op,
    `${where} has attribute type ${AttributeProto_AttributeType[attribute.type] ?? attribute.type}; pooling attributes are INT, INTS or STRING (p: FLOAT too)`,
  );
}

/** "node "pool1" (AveragePool, #3)", for messages. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name === '' ? `#${index}` : node.name;
}

function readPoolingNode(op: string, node: NodeProto, index: number, opset: number | undefined): PoolingNode {
  const opType = node.opType as OnnxOpType;
  const label = nodeLabel(node, index);
  const where = `node ${JSON.stringify(label)} (${opType})`;
  if (opset === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `${where}: the model imports no opset of the default domain, so the operator's version is unknown`);
  }
  if (!(opset >= 1 && opset <= NEWEST_KNOWN_OPSET)) {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      op,
      `${where}: the model imports opset ${opset} of the default domain; the pooling operators are known for opsets 1 to ${NEWEST_KNOWN_OPSET}`,
    );
  }
  if (opset < OP_SINCE[opType]) {
    throw new PoolingError('INVALID_PARAMETER', op, `${where}: ${opType} exists from opset ${OP_SINCE[opType]}; the model imports opset ${opset}`);
  }
  const attributes: Record<string, AttributeValue> = {};
  for (const attribute of node.attribute) {
    const since = ATTRIBUTE_SINCE[opType][attribute.name];
    if (since === undefined || since > opset) {
      const known = Object.entries(ATTRIBUTE_SINCE[opType]).filter(([, v]) => v <= opset).map(([k]) => k);
      throw new PoolingError(
        'INVALID_PARAMETER',
        op,
        `${where}: ${JSON.stringify(attribute.name)} is not an attribute of ${opType} at opset ${opset}` +
          (since === undefined ? '' : ` (it was added in opset ${since})`) +
          `; expected one of ${known.length === 0 ? 'none' : list(known)}`,
      );
    }
    if (attribute.name in attributes) throw new PoolingError('INVALID_PARAMETER', op, `${where}: attribute ${attribute.name} is given twice`);
    attributes[attribute.name] = attributeValue(op, `${where}: attribute ${attribute.name}`, attribute);
  }
  if (NEEDS_KERNEL_SHAPE.has(opType) && attributes.kernel_shape === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `${where}: kernel_shape is required: one positive integer per spatial axis`);
  }
  if (node.input.length === 0 || node.input[0] === '' || node.output.length === 0 || node.output[0] === '') {
    throw new PoolingError('INVALID_PARAMETER', op, `${where}: the node needs an input X and an output Y; got inputs ${list(node.input)} and outputs ${list(node.output)}`);
  }
  return { index, node, label, opType, opset, attributes };
}

/**
 * Every pooling node of the default domain in the model's top-level graph, read and checked: its
 * opset known, its attributes those of its operator at that opset, kernel_shape present where the
 * operator requires it.
 */
export function poolingNodes(op: string, model: ModelProto): PoolingNode[] {
  const graph = model.graph!;
  const opset = defaultOpset(model);
  const found: PoolingNode[] = [];
  graph.node.forEach((node, index) => {
    if (isDefaultDomain(node.domain) && (POOLING_OP_TYPES as readonly string[]).includes(node.opType)) {
      found.push(readPoolingNode(op, node, index, opset));
    }
  });
  return found;
}

/**
 * A declared shape: sizes, with a symbolic dimension (dim_param) as its name and an absent one as '?'.
 * @category ONNX models
 */
export type DeclaredShape = readonly (number | string)[];

/** The shapes the graph declares for its values (inputs, value_info, outputs), by value name. */
export function declaredShapes(graph: GraphProto): Map<string, DeclaredShape> {
  const shapes = new Map<string, DeclaredShape>();
  for (const info of [...graph.input, ...graph.valueInfo, ...graph.output]) {
    const type = info.type?.value;
    if (type?.case !== 'tensorType' || type.value.shape === undefined) continue;
    shapes.set(
      info.name,
      type.value.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : '?')),
    );
  }
  // Initializers are constants of known shape (MaxUnpool's output_shape, say).
  for (const initializer of graph.initializer) shapes.set(initializer.name, initializer.dims.map(Number));
  return shapes;
}

/** Every value name in the graph: what `inputShapes` may name, and what new names must avoid. */
export function valueNames(graph: GraphProto): Set<string> {
  const names = new Set<string>();
  for (const info of [...graph.input, ...graph.valueInfo, ...graph.output]) names.add(info.name);
  for (const initializer of graph.initializer) names.add(initializer.name);
  for (const node of graph.node) {
    for (const name of [...node.input, ...node.output]) if (name !== '') names.add(name);
  }
  return names;
}

/**
 * The int64 initializers of the graph with their values (MaxUnpool's output_shape is one), from
 * int64_data or raw_data (little-endian, as onnx.proto specifies); external data is not read.
 */
export function int64Constants(graph: GraphProto): Map<string, readonly number[]> {
  const constants = new Map<string, readonly number[]>();
  for (const t of graph.initializer) {
    if (t.dataType !== TensorProto_DataType.INT64 || t.externalData.length > 0) continue;
    const count = t.dims.reduce((p, d) => p * Number(d), 1);
    if (count > 64) continue;
    if (t.int64Data.length === count) {
      constants.set(t.name, t.int64Data.map(Number));
    } else if (t.rawData.length === 8 * count) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      constants.set(t.name, Array.from({ length: count }, (_, i) => Number(view.getBigInt64(8 * i, true))));
    }
  }
  return constants;
}

/**
 * Pooling nodes of the default domain this package does not inspect: inside subgraphs (the bodies
 * of If, Loop, Scan, at any depth) and inside the model's local functions.
 */
export function nestedPoolingNodes(model: ModelProto): number {
  const isPooling = (node: NodeProto) => isDefaultDomain(node.domain) && (POOLING_OP_TYPES as readonly string[]).includes(node.opType);
  const inGraph = (graph: GraphProto): number => graph.node.reduce((n, node) => n + (isPooling(node) ? 1 : 0) + inSubgraphs(node), 0);
  const inSubgraphs = (node: NodeProto): number =>
    node.attribute.reduce((n, a) => n + (a.g === undefined ? 0 : inGraph(a.g)) + a.graphs.reduce((m, g) => m + inGraph(g), 0), 0);
  const topLevel = model.graph!.node.reduce((n, node) => n + inSubgraphs(node), 0);
  const inFunctions = model.functions.reduce((n, f) => n + f.node.reduce((m, node) => m + (isPooling(node) ? 1 : 0) + inSubgraphs(node), 0), 0);
  return topLevel + inFunctions;
}
