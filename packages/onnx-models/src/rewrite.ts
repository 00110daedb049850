/**
 * rewriteOnnxModel: each pooling node written in a form onnxruntime-web refuses or gets wrong
 * (ceil_mode=1, auto_pad) is replaced by an exactly equivalent one with explicit pads, and every
 * other byte of the model is left alone (model-io.ts splices the new nodes in).
 *
 * Why each rewrite is exact, per spatial axis with the dialect's plan (input L, output O, stride s,
 * effective kernel k_eff, resolved pads b and e):
 * - Window o reads positions o*s - b + j*d whatever the rounding; only the count O depends on it.
 *   With end padding e' = max(e, (O-1)*s + k_eff - L - b) and ceil_mode=0, floor((L + b + e' - k_eff)/s) + 1
 *   is O again: the same windows. The start-inside rule keeps the last start at most L - 1, so e' < k_eff.
 * - MaxPool and LpPool ignore padding, and AveragePool with count_include_pad=0 does not count it,
 *   so taps moved from "past the padding" to "padding" change nothing.
 * - AveragePool with count_include_pad=1 counts explicit padding but not the ceil-mode overhang. When
 *   the node has no explicit padding the divisor is the count of input taps either way, so the node
 *   becomes count_include_pad=0. Otherwise a Pad node in front writes the explicit padding as zeros,
 *   which then count as input (and add 0 to the sum), and the pool keeps only the overhang as
 *   uncounted padding.
 * - auto_pad SAME_* and VALID become the pads the plan resolved them to.
 */
import { clone, create } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType, NodeProtoSchema, TensorProtoSchema, TensorProto_DataType, type AttributeProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { PoolingError, type PoolPlan, type SlidingAxis } from 'tensor-pooling';
import { inspectNodeWithPlan, readInputShapes, type InspectOptions, type PoolingNodeReport } from './inspect.js';
import { applyGraphEdit, readModel } from './model-io.js';
import { declaredShapes, int64Constants, poolingNodes, valueNames, type PoolingNode } from './pooling-nodes.js';
import { describeValue, list } from './words.js';

/**
 * The runtimes {@link rewriteOnnxModel} rewrites for: `'ort-web'` is onnxruntime-web, wasm and
 * WebGPU backends both.
 * @category ONNX models
 */
export type RewriteTarget = 'ort-web';

/**
 * What {@link rewriteOnnxModel} takes besides the model.
 * @category ONNX models
 */
export interface RewriteOptions extends InspectOptions {
  /** The runtime to rewrite for: `'ort-web'`. Required. */
  readonly for: RewriteTarget;
}

/**
 * One node {@link rewriteOnnxModel} replaced.
 * @category ONNX models
 */
export interface NodeRewrite {
  /** The node's index in the original graph's node list. */
  readonly index: number;
  /** The node's name (`#index` when it has none). */
  readonly name: string;
  /** Its op_type. */
  readonly opType: string;
  /** What changed, in words. */
  readonly change: string;
}

/**
 * One node {@link rewriteOnnxModel} left as it was, though the target runtime refuses it or may
 * compute something else.
 * @category ONNX models
 */
export interface NodeLeftAlone {
  /** The node's index in the graph's node list. */
  readonly index: number;
  /** The node's name (`#index` when it has none). */
  readonly name: string;
  /** Its op_type. */
  readonly opType: string;
  /** Why there is no exact rewrite. */
  readonly reason: string;
}

/**
 * What {@link rewriteOnnxModel} returns.
 * @category ONNX models
 */
export interface RewriteResult {
  /** The rewritten model: a new array (a copy of the input when nothing changed). */
  readonly bytes: Uint8Array;
  /** The nodes replaced, in graph order. */
  readonly rewritten: readonly NodeRewrite[];
  /** The nodes the target refuses or may get wrong that have no exact rewrite, in graph order. */
  readonly leftAlone: readonly NodeLeftAlone[];
}

const OP = 'rewriteOnnxModel';
const ORT_WEB = ['onnxruntime-web-wasm', 'onnxruntime-web-webgpu'];

function intsAttribute(name: string, values: readonly number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: values.map(BigInt) });
}

function intAttribute(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) });
}

/** A name not yet used in the graph, built from `base`. */
function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

interface Replacement {
  readonly nodes: NodeProto[];
  readonly initializers: TensorProto[];
  readonly change: string;
}

/** A copy of the pool's node without the attributes named in `replaced`, and with `added` appended. */
function withWindowAttributes(node: NodeProto, replaced: readonly string[], added: readonly AttributeProto[]): NodeProto {
  const copy = clone(NodeProtoSchema, node);
  copy.attribute = [...copy.attribute.filter((a) => !replaced.includes(a.name)), ...added];
  return copy;
}

/** The exact ceil_mode=0, explicit-pads form of a window node, or the reason there is none. */
function rewriteWindowNode(pool: PoolingNode, plan: PoolPlan, names: Set<string>): Replacement | string {
  const axes = plan.axes as readonly SlidingAxis[];
  const kernel = axes.map((axis) => axis.kernel);
  const padBegin = axes.map((axis) => axis.padBegin);
  const padEnd = axes.map((axis) => axis.padEnd);
  const newEnd = axes.map((axis, i) => Math.max(padEnd[i]!, (axis.out - 1) * axis.stride + (axis.kernel - 1) * axis.dilation + 1 - axis.size - padBegin[i]!));
  const overhang = newEnd.map((end, i) => end - padEnd[i]!);
  const counted = pool.opType === 'AveragePool' && pool.attributes.count_include_pad === 1;
  const explicit = [...padBegin, ...padEnd].some((p) => p > 0);
  const padFirst = counted && explicit && overhang.some((o) => o > 0);
  const poolPads = padFirst ? [...kernel.map(() => 0), ...overhang] : [...padBegin, ...newEnd];
  const tooLarge = poolPads.findIndex((pad, i) => pad >= kernel[i % kernel.length]!);
  if (tooLarge >= 0) {
    return `the exact form needs pads ${list(poolPads)}, and onnxruntime refuses pads of at least kernel_shape ${list(kernel)} ("Pad should be smaller than kernel")`;
  }
  const from = describeWindow(pool);
  const windowAttributes = ['auto_pad', 'ceil_mode', 'pads'];
  const pads = intsAttribute('pads', poolPads);
  if (!padFirst) {
    // Without explicit padding, count_include_pad=1 counted no padding at all: as 0 it leaves the new end padding uncounted too.
    const uncount = counted && !explicit && overhang.some((o) => o > 0);
    const node = uncount
      ? withWindowAttributes(pool.node, [...windowAttributes, 'count_include_pad'], [pads, intAttribute('count_include_pad', 0)])
      : withWindowAttributes(pool.node, windowAttributes, [pads]);
    return { nodes: [node], initializers: [], change: `${from} became pads ${list(poolPads)}${uncount ? ', count_include_pad 0' : ''}` };
  }
  if (pool.opset < 2) return `a Pad node would be needed, and Pad before opset 2 takes its pads in another form (the model imports opset ${pool.opset})`;
  const rank = kernel.length;
  const fullPads = [0, 0, ...padBegin, 0, 0, ...padEnd];
  const input = pool.node.input[0]!;
  const padded = freshName(`${input}_padded_for_${pool.label}`, names);
  const padNode = create(NodeProtoSchema, {
    name: freshName(`${pool.label}_explicit_padding`, names),
    opType: 'Pad',
    input: [input],
    output: [padded],
  });
  const initializers: TensorProto[] = [];
  if (pool.opset >= 11) {
    const padsName = freshName(`${pool.label}_explicit_padding_pads`, names);
    padNode.input.push(padsName);
    initializers.push(create(TensorProtoSchema, { name: padsName, dims: [BigInt(2 * rank + 4)], dataType: TensorProto_DataType.INT64, int64Data: fullPads.map(BigInt) }));
  } else {
    padNode.attribute.push(intsAttribute('pads', fullPads));
  }
  const node = withWindowAttributes(pool.node, [...windowAttributes, 'count_include_pad'], [pads, intAttribute('count_include_pad', 0)]);
  node.input[0] = padded;
  return {
    nodes: [padNode, node],
    initializers,
    change: `${from} became a Pad node writing the explicit padding ${list(fullPads)} as zeros, then pads ${list(poolPads)} with count_include_pad 0 (the divisor still counts the explicit padding and not the ceil-mode overhang)`,
  };
}

function describeWindow(pool: PoolingNode): string {
  const a = pool.attributes;
  const parts = [
    ...(typeof a.auto_pad === 'string' && a.auto_pad !== 'NOTSET' ? [`auto_pad ${a.auto_pad}`] : []),
    ...(Array.isArray(a.pads) ? [`pads ${list(a.pads as number[])}`] : []),
    ...(a.ceil_mode === 1 ? ['ceil_mode 1'] : []),
  ];
  return parts.join(', ');
}

function needsRewrite(pool: PoolingNode): boolean {
  const a = pool.attributes;
  return (pool.opType === 'AveragePool' || pool.opType === 'MaxPool' || pool.opType === 'LpPool') && (a.ceil_mode === 1 || (typeof a.auto_pad === 'string' && a.auto_pad !== 'NOTSET'));
}

function problems(report: PoolingNodeReport): string[] {
  return report.runtimes.filter((r) => ORT_WEB.includes(r.runtime) && r.verdict !== 'spec').flatMap((r) => r.reasons.map((reason) => `${r.runtime} ${reason}`));
}

/**
 * Rewrites the pooling nodes of a model that onnxruntime-web refuses or may get wrong into exactly
 * equivalent nodes it accepts, leaving every other byte of the file as it was:
 * - `ceil_mode=1` becomes explicit end padding with `ceil_mode=0` (MaxPool, LpPool, AveragePool
 *   without counted padding; AveragePool with `count_include_pad=1` and explicit pads gets a Pad node
 *   in front, so the divisor still counts the explicit padding and not the ceil-mode overhang);
 * - `auto_pad` SAME_UPPER, SAME_LOWER and VALID become the explicit pads the spec gives.
 * A node is rewritten only when its input shape is known (from the model or `inputShapes`) and the
 * exact form is one onnxruntime accepts; otherwise it is left alone and `leftAlone` says why, as it
 * does for nodes the target refuses or may get wrong that no rewrite fixes (dilations on WebGPU).
 *
 * @param bytes - The .onnx file's contents. Never modified.
 * @param options - `for: 'ort-web'` (required), and `inputShapes` as for {@link inspectOnnxModel}.
 * @returns The new model's bytes and a report of what changed and what could not be.
 * @throws {@link PoolingError} as {@link inspectOnnxModel} does, and `INVALID_PARAMETER` when
 * `options.for` is not `'ort-web'`. Nothing is returned half-rewritten.
 * @example
 * ```js
 * import { rewriteOnnxModel } from 'tensor-pooling-onnx';
 * import { readFileSync, writeFileSync } from 'node:fs';
 *
 * const { bytes, rewritten, leftAlone } = rewriteOnnxModel(readFileSync('model.onnx'), { for: 'ort-web' });
 * for (const node of rewritten) console.log(node.name, node.change);
 * writeFileSync('model.ort-web.onnx', bytes);
 * ```
 * @category ONNX models
 */
export function rewriteOnnxModel(bytes: Uint8Array, options: RewriteOptions): RewriteResult {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new PoolingError('INVALID_PARAMETER', OP, `options must be an object ({ for: 'ort-web', inputShapes? }); got ${describeValue(options)}`);
  }
  const { for: target, ...inspectOptions } = options;
  if (target !== 'ort-web') throw new PoolingError('INVALID_PARAMETER', OP, `options.for must be "ort-web"; got ${describeValue(target)}`);
  const source = readModel(OP, bytes);
  const graph = source.model.graph!;
  const names = valueNames(graph);
  for (const node of graph.node) if (node.name !== '') names.add(node.name);
  const given = readInputShapes(OP, inspectOptions, valueNames(graph));
  const declared = declaredShapes(graph);
  const constants = int64Constants(graph);
  const rewritten: NodeRewrite[] = [];
  const leftAlone: NodeLeftAlone[] = [];
  const replaceNodes = new Map<number, NodeProto[]>();
  const addInitializers: TensorProto[] = [];
  for (const pool of poolingNodes(OP, source.model)) {
    const { report, plan } = inspectNodeWithPlan(pool, given, declared, constants);
    const about = { index: pool.index, name: pool.label, opType: pool.opType };
    if (!needsRewrite(pool)) {
      const left = problems(report);
      if (left.length > 0) leftAlone.push({ ...about, reason: `no exact rewrite known: ${left.join(' | ')}` });
      continue;
    }
    if (plan === undefined) {
      const why = report.refused !== null ? `the ONNX dialect refuses it: ${report.refused.message}` : `X's shape (${report.input.name}) is unknown: give it in inputShapes`;
      leftAlone.push({ ...about, reason: why });
      continue;
    }
    const replacement = rewriteWindowNode(pool, plan, names);
    if (typeof replacement === 'string') {
      leftAlone.push({ ...about, reason: replacement });
      continue;
    }
    replaceNodes.set(pool.index, replacement.nodes);
    addInitializers.push(...replacement.initializers);
    rewritten.push({ ...about, change: replacement.change });
  }
  // A copy, never a view: Buffer's slice() would share the caller's memory.
  const out = replaceNodes.size === 0 ? new Uint8Array(bytes) : applyGraphEdit(OP, source, { replaceNodes, addInitializers });
  return { bytes: out, rewritten, leftAlone };
}
