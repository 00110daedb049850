/**
 * inspectOnnxModel: every pooling node of a model, what it computes in words, its shapes and how
 * each axis was sized (read from the plan the ONNX dialect makes for it, never worked out here),
 * and what each known runtime does with it (from the one table in runtimes.ts).
 */
import { explainPlan, planOfCall, PoolingError, runOnnxNode, type OnnxTensor, type PoolPlan, type SlidingAxis } from 'tensor-pooling';
import { readModel } from './model-io.js';
import { declaredShapes, defaultOpset, int64Constants, nestedPoolingNodes, poolingNodes, valueNames, type AttributeValue, type DeclaredShape, type PoolingNode } from './pooling-nodes.js';
import { RUNTIME_RULES, RUNTIMES, type NodeFacts, type RuntimeEffect, type RuntimeId } from './runtimes.js';
import { describeValue, list } from './words.js';

/**
 * What {@link inspectOnnxModel} takes besides the model.
 * @category ONNX models
 */
export interface InspectOptions {
  /**
   * Shapes to use for values of the graph, by value name (a graph input, or any node's input or
   * output): they take the place of what the model declares, and give a shape to a value the model
   * leaves symbolic (`batch`) or does not describe. Each a list of non-negative integers.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/**
 * How one spatial axis of a pooling node was sized, from the dialect's plan.
 * @category ONNX models
 */
export interface AxisSizing {
  /** H, W, D, ... */
  readonly name: string;
  /** The input's size along the axis. */
  readonly size: number;
  /** The output's size along the axis. */
  readonly out: number;
  /** Padding before the input, after the dialect resolved `pads` or `auto_pad`. */
  readonly padBegin: number;
  /** Padding after the input. */
  readonly padEnd: number;
  /**
   * The rule that sized the axis: `floor`, `ceil` (ceil_mode=1: a window that would start in the
   * end padding is dropped), `same` (auto_pad SAME_*: ceil(L / s)), or `global` (one window over
   * the whole axis).
   */
  readonly rule: 'floor' | 'ceil' | 'same' | 'global';
  /** The size formula with the numbers filled in, as the library's `explainPlan` writes it. */
  readonly formula: string;
}

/**
 * Where a shape in a report came from: the `inputShapes` option, the model's own shape information,
 * or nowhere (unknown, or symbolic in the model).
 * @category ONNX models
 */
export type ShapeSource = 'inputShapes' | 'model' | 'unknown';

/**
 * One runtime's verdict on a node.
 * @category ONNX models
 */
export interface RuntimeVerdict {
  /** The runtime. */
  readonly runtime: RuntimeId;
  /**
   * `spec`: accepts the node and computes what the spec says; `refuses`; `wrong`: computes
   * something else; `differs`: differs from the spec on some inputs; `unknown`: a rule may apply but
   * that depends on the input shape, which is unknown.
   */
  readonly verdict: 'spec' | RuntimeEffect | 'unknown';
  /** One line per rule that applies (or may apply), with its sources; empty for `spec`. */
  readonly reasons: readonly string[];
  /**
   * Whether this runtime runs in this package's tests, each of its rules on an example node
   * (onnxruntime-node and onnxruntime-web wasm); WebGPU does not run here.
   */
  readonly tested: boolean;
}

/**
 * One pooling node of a model, as {@link inspectOnnxModel} reports it.
 * @category ONNX models
 */
export interface PoolingNodeReport {
  /** The node's index in the graph's node list. */
  readonly index: number;
  /** The node's name (`#index` when it has none). */
  readonly name: string;
  /** AveragePool, MaxPool, LpPool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool or MaxUnpool. */
  readonly opType: string;
  /** The default-domain opset the model imports. */
  readonly opset: number;
  /** The attributes as the node has them, in ONNX's spelling. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** What the node computes, in words. */
  readonly description: string;
  /** The input X: its value name and shape, with where the shape came from. */
  readonly input: { readonly name: string; readonly shape: DeclaredShape | null; readonly shapeFrom: ShapeSource };
  /**
   * The output Y: its value name, the shape the dialect's plan gives (null when X's shape is
   * unknown or the node is refused for it), and the shape the model declares (null when none).
   */
  readonly output: { readonly name: string; readonly shape: readonly number[] | null; readonly declaredShape: DeclaredShape | null };
  /** How each spatial axis was sized; empty when X's shape is unknown. */
  readonly axes: readonly AxisSizing[];
  /** Why the dialect refused the node on its input shape (the PoolingError's code and message), or null. */
  readonly refused: { readonly code: string; readonly message: string } | null;
  /** Windows with no input, or input positions no window reads, as the library's `explainPlan` warns. */
  readonly warnings: readonly string[];
  /** What each runtime in {@link RUNTIMES} does with the node. */
  readonly runtimes: readonly RuntimeVerdict[];
}

/**
 * What {@link inspectOnnxModel} returns.
 * @category ONNX models
 */
export interface OnnxModelReport {
  /** The model's IR version. */
  readonly irVersion: number;
  /** The default-domain opset the model imports. */
  readonly opset: number | null;
  /** The tool that wrote the model, as the model says. */
  readonly producer: string;
  /** Nodes in the top-level graph. */
  readonly nodeCount: number;
  /** Every pooling node of the default domain in the top-level graph, in graph order. */
  readonly poolingNodes: readonly PoolingNodeReport[];
  /**
   * Pooling nodes not inspected (nor rewritten): inside subgraphs (If, Loop, Scan bodies) or the
   * model's local functions.
   */
  readonly nestedPoolingNodes: number;
}

const OP = 'inspectOnnxModel';

/** `options.inputShapes`, read once and checked against the graph's value names. */
export function readInputShapes(op: string, options: unknown, names: ReadonlySet<string>): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  if (options === undefined) return shapes;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new PoolingError('INVALID_PARAMETER', op, `options must be an object ({ inputShapes }); got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'inputShapes') throw new PoolingError('INVALID_PARAMETER', op, `options has no ${JSON.stringify(key)}; expected only inputShapes`);
  }
  const given = (options as InspectOptions).inputShapes;
  if (given === undefined) return shapes;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new PoolingError('INVALID_PARAMETER', op, `inputShapes must be an object of shapes by value name; got ${describeValue(given)}`);
  }
  for (const [name, shape] of Object.entries(given)) {
    if (!names.has(name)) {
      throw new PoolingError('INVALID_PARAMETER', op, `inputShapes names ${JSON.stringify(name)}, which is no value of the model's graph`);
    }
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new PoolingError('INVALID_PARAMETER', op, `inputShapes[${JSON.stringify(name)}] must be a list of non-negative integers; got ${describeValue(shape)}`);
    }
    shapes.set(name, Object.freeze([...shape] as number[]));
  }
  return shapes;
}

function isConcrete(shape: DeclaredShape | null | undefined): shape is readonly number[] {
  return shape !== undefined && shape !== null && shape.every((d) => typeof d === 'number');
}

const ZEROS_LIMIT = 2 ** 28;

/**
 * The dialect's plan for the node on `shape`, made by `runOnnxNode` and stopped before it computes
 * anything (planOfCall): the same reading of attributes, the same checks, the same plan.
 */
function planOf(node: PoolingNode, shape: readonly number[]): PoolPlan | undefined {
  const elements = shape.reduce((p, d) => p * d, 1);
  if (elements > ZEROS_LIMIT) {
    throw new PoolingError('SIZE_TOO_LARGE', node.opType, `X of shape ${list(shape)} holds ${elements} elements; inspection plans inputs of up to ${ZEROS_LIMIT}`);
  }
  const x: OnnxTensor = { shape, data: new Float32Array(elements) };
  return planOfCall(() => runOnnxNode(node.opType, node.attributes, [x], node.opType === 'MaxPool' ? { outputs: ['Y'] } : undefined));
}

/** MaxUnpool has no plan: its output shape is what the dialect returns for X and zero indices. */
function unpoolShape(node: PoolingNode, shape: readonly number[], outputShape: readonly number[] | undefined): readonly number[] {
  const elements = shape.reduce((p, d) => p * d, 1);
  const x: OnnxTensor = { shape, data: new Float32Array(elements) };
  const indices: OnnxTensor = { shape, data: new BigInt64Array(elements) };
  const sizes: OnnxTensor | undefined = outputShape === undefined ? undefined : { shape: [outputShape.length], data: BigInt64Array.from(outputShape, BigInt) };
  return runOnnxNode('MaxUnpool', node.attributes, [x, indices, sizes])[0]!.shape;
}

function ruleOf(sizeRule: SlidingAxis['sizeRule'], global: boolean): AxisSizing['rule'] {
  if (global) return 'global';
  if (sizeRule === 'same') return 'same';
  return sizeRule?.rounding === 'ceil' ? 'ceil' : 'floor';
}

function axesOf(plan: PoolPlan, global: boolean): AxisSizing[] {
  const explained = explainPlan(plan, { maxWindows: 0, maxTaps: 0 });
  return plan.axes.map((axis, i) => {
    const words = explained.axes[i]!;
    const sliding = axis.kind === 'sliding' ? axis : undefined;
    return {
      name: words.name,
      size: axis.size,
      out: axis.out,
      padBegin: sliding?.padBegin ?? 0,
      padEnd: sliding?.padEnd ?? 0,
      rule: ruleOf(sliding?.sizeRule, global),
      formula: words.formula,
    };
  });
}

function sizes(values: readonly number[] | undefined, fallback: string): string {
  return values === undefined ? fallback : values.join('x');
}

/** What the node computes, in words, from its attributes. */
export function describeNode(opType: string, a: Readonly<Record<string, AttributeValue>>, outputCount: number): string {
  const ints = (name: string) => (Array.isArray(a[name]) ? (a[name] as readonly number[]) : undefined);
  const kernel = ints('kernel_shape');
  const p = typeof a.p === 'number' ? a.p : 2;
  const parts: string[] = [];
  switch (opType) {
    case 'GlobalAveragePool':
      return 'the average of each whole (n, c) plane';
    case 'GlobalMaxPool':
      return 'the maximum of each whole (n, c) plane';
    case 'GlobalLpPool':
      return `the L${p} norm of each whole (n, c) plane`;
    case 'MaxUnpool':
      parts.push(`puts each value back where MaxPool's Indices say, in an output sized for a ${sizes(kernel, '?')} window`);
      break;
    case 'AveragePool':
      parts.push(`the average over a ${sizes(kernel, '?')} window`);
      break;
    case 'MaxPool':
      parts.push(`the maximum over a ${sizes(kernel, '?')} window${outputCount > 1 ? ', with its Indices (flat over the whole input)' : ''}`);
      break;
    case 'LpPool':
      parts.push(`the L${p} norm over a ${sizes(kernel, '?')} window`);
      break;
  }
  const strides = ints('strides');
  parts.push(strides === undefined || strides.every((s) => s === 1) ? 'stride 1' : `stride ${strides.join('x')}`);
  const dilations = ints('dilations');
  if (dilations?.some((d) => d > 1)) parts.push(`dilation ${dilations.join('x')} (taps ${dilations.join('x')} apart)`);
  const autoPad = typeof a.auto_pad === 'string' ? a.auto_pad : 'NOTSET';
  const pads = ints('pads');
  if (autoPad === 'SAME_UPPER') parts.push('SAME padding (output ceil(L / s); an odd total pad puts the extra one at the end)');
  else if (autoPad === 'SAME_LOWER') parts.push('SAME padding (output ceil(L / s); an odd total pad puts the extra one at the start)');
  else if (autoPad === 'VALID') parts.push('no padding (VALID)');
  else if (pads?.some((v) => v !== 0)) parts.push(`padding ${list(pads.slice(0, pads.length / 2))} before and ${list(pads.slice(pads.length / 2))} after`);
  else parts.push('no padding');
  if (a.ceil_mode === 1) parts.push('ceil mode (output sizes round up; a window that would start in the end padding is dropped)');
  if (opType === 'AveragePool') {
    parts.push(a.count_include_pad === 1 ? 'padding counts in the divisor (count_include_pad)' : 'divided by the taps inside the input');
  }
  if (opType === 'MaxPool' && a.storage_order === 1) parts.push('Indices column-major (storage_order 1)');
  return parts.join(', ');
}

/** Each runtime's verdict on a node, from the rules that apply to it. */
export function verdictsFor(facts: NodeFacts): RuntimeVerdict[] {
  return RUNTIMES.map((runtime) => {
    const rules = RUNTIME_RULES.filter((rule) => rule.runtimes.includes(runtime));
    const applying = rules.map((rule) => ({ rule, applies: rule.applies(facts) })).filter((r) => r.applies !== false);
    const sure = applying.filter((r) => r.applies === true).map((r) => r.rule);
    const order: RuntimeEffect[] = ['refuses', 'wrong', 'differs'];
    const worst = order.find((effect) => sure.some((rule) => rule.effect === effect));
    const verdict: RuntimeVerdict['verdict'] = worst ?? (applying.length > 0 ? 'unknown' : 'spec');
    const reasons = applying.map(
      ({ rule, applies }) =>
        `${applies === true ? rule.effect : 'may differ, depending on the input shape'}: ${rule.reason} [${rule.id}; ${rule.sources.join('; ')}${rule.testedBy === undefined ? '; not tested here' : ''}]`,
    );
    // The native runtimes run the ONNX dialect's differential suite (test/differential/onnx-runtime.test.ts,
    // onnxruntime-node) and this package's rule tests (both); WebGPU runs nowhere here.
    const tested = runtime !== 'onnxruntime-web-webgpu';
    return { runtime, verdict, reasons, tested };
  });
}

function codeOf(error: unknown): { code: string; message: string } {
  if (error instanceof PoolingError) return { code: error.code, message: error.message };
  throw error;
}

/**
 * Reads an ONNX model and reports every pooling node of its top-level graph (AveragePool, MaxPool,
 * LpPool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool, MaxUnpool in the default domain): its
 * attributes in words, its input and output shapes, how each spatial axis was sized (floor, ceil
 * with the rule that drops a window starting in the end padding, SAME, global), and for each known
 * runtime whether it accepts the node and computes what the spec says, with the reason.
 *
 * Shapes come from `inputShapes` where given, else from the model's inputs, value_info and outputs;
 * the output shape and the sizing are those of the plan the library's ONNX dialect makes for the
 * node (as {@link runOnnxNode} would run it). Without a known input shape a node is still
 * described, and runtime rules that depend on the shape say so (`unknown`).
 *
 * @param bytes - The .onnx file's contents. Never modified.
 * @param options - Shapes for the graph's values by name: see {@link InspectOptions}.
 * @returns The report: see {@link OnnxModelReport}.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `bytes` is not a Uint8Array, is empty, truncated or not an ONNX model; a
 *   pooling node lacks a required attribute (kernel_shape), has one its operator does not have at
 *   the model's opset, or one of a type pooling never takes; the model imports no default-domain
 *   opset; `options` or `inputShapes` is not what it must be (a name that is no value of the graph);
 * - `UNSUPPORTED_OPTION`: a pooling node under a default-domain opset newer than
 *   {@link NEWEST_KNOWN_OPSET};
 * - `SIZE_TOO_LARGE`: `bytes` is over protobuf's 2 GB limit.
 * @example
 * ```js
 * import { inspectOnnxModel } from 'tensor-pooling-onnx';
 * import { readFileSync } from 'node:fs';
 *
 * const report = inspectOnnxModel(readFileSync('model.onnx'), { inputShapes: { pixel_values: [1, 3, 640, 640] } });
 * for (const node of report.poolingNodes) console.log(node.name, node.description, node.runtimes);
 * ```
 * @category ONNX models
 */
export function inspectOnnxModel(bytes: Uint8Array, options?: InspectOptions): OnnxModelReport {
  const { model } = readModel(OP, bytes);
  const graph = model.graph!;
  const given = readInputShapes(OP, options, valueNames(graph));
  const nodes = poolingNodes(OP, model);
  const declared = declaredShapes(graph);
  const constants = int64Constants(graph);
  return {
    irVersion: Number(model.irVersion),
    opset: defaultOpset(model) ?? null,
    producer: `${model.producerName}${model.producerVersion === '' ? '' : ` ${model.producerVersion}`}`,
    nodeCount: graph.node.length,
    poolingNodes: nodes.map((node) => inspectNodeWithPlan(node, given, declared, constants).report),
    nestedPoolingNodes: nestedPoolingNodes(model),
  };
}

/** One node's report, and its plan (for the rewrite) when its input shape is known. */
export function inspectNodeWithPlan(
  node: PoolingNode,
  given: ReadonlyMap<string, readonly number[]>,
  declared: ReadonlyMap<string, DeclaredShape>,
  constants: ReadonlyMap<string, readonly number[]>,
): { report: PoolingNodeReport; plan: PoolPlan | undefined } {
  const inputName = node.node.input[0]!;
  const outputName = node.node.output[0]!;
  const outputCount = node.node.output.filter((name) => name !== '').length;
  const fromOption = given.get(inputName);
  const fromModel = declared.get(inputName);
  const shape: DeclaredShape | null = fromOption ?? fromModel ?? null;
  const shapeFrom: ShapeSource = fromOption !== undefined ? 'inputShapes' : isConcrete(fromModel) ? 'model' : 'unknown';
  let plan: PoolPlan | undefined;
  let outputShape: readonly number[] | null = null;
  let refused: PoolingNodeReport['refused'] = null;
  if (isConcrete(shape)) {
    try {
      if (node.opType === 'MaxUnpool') {
        const sizesName = node.node.input[2];
        const named = sizesName !== undefined && sizesName !== '';
        const sizes = named ? constants.get(sizesName) : undefined;
        // An output_shape computed by the graph is known only when it runs.
        outputShape = named && sizes === undefined ? null : unpoolShape(node, shape, sizes);
      } else {
        plan = planOf(node, shape);
        outputShape = plan === undefined ? null : plan.outputShape;
      }
    } catch (error) {
      refused = codeOf(error);
    }
  }
  const facts: NodeFacts = { opType: node.opType, opset: node.opset, attributes: node.attributes, outputCount, ...(plan === undefined ? {} : { plan }) };
  const report: PoolingNodeReport = {
    index: node.index,
    name: node.label,
    opType: node.opType,
    opset: node.opset,
    attributes: node.attributes,
    description: describeNode(node.opType, node.attributes, outputCount),
    input: { name: inputName, shape, shapeFrom },
    output: { name: outputName, shape: outputShape, declaredShape: declared.get(outputName) ?? null },
    axes: plan === undefined ? [] : axesOf(plan, node.opType.startsWith('Global')),
    refused,
    warnings: plan === undefined ? [] : explainPlan(plan, { maxWindows: 0, maxTaps: 0 }).warnings,
    runtimes: verdictsFor(facts),
  };
  return { report, plan };
}

