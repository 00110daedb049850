/**
 * What each known runtime does with a pooling node: the one table of it. A node meets the spec on a
 * runtime unless a rule below applies to it. Every rule for onnxruntime-node and onnxruntime-web's
 * wasm backend carries an example node that `test/runtimes.test.ts` runs on that runtime, to see it
 * refuse or differ from the spec as the rule says; the WebGPU rules cite their sources and are not
 * tested here (no WebGPU in Node).
 */
import type { OnnxOpType, PoolPlan, SlidingAxis } from 'tensor-pooling';
import type { AttributeValue } from './pooling-nodes.js';

/**
 * The runtimes the table knows: onnxruntime's CPU provider (onnxruntime-node 1.30), onnxruntime-web
 * 1.30's wasm backend, and onnxruntime-web's WebGPU kernels (the JS "jsep" kernels of 1.30).
 * @category ONNX models
 */
export type RuntimeId = 'onnxruntime-cpu' | 'onnxruntime-web-wasm' | 'onnxruntime-web-webgpu';

/**
 * Every runtime the table knows, in the order reports list them.
 * @category ONNX models
 */
export const RUNTIMES: readonly RuntimeId[] = ['onnxruntime-cpu', 'onnxruntime-web-wasm', 'onnxruntime-web-webgpu'];

/**
 * What a rule says a runtime does: refuses the node (session creation or the run throws), computes
 * something other than the spec on every input it applies to (`wrong`), or differs from the spec
 * on some inputs only (`differs`).
 * @category ONNX models
 */
export type RuntimeEffect = 'refuses' | 'wrong' | 'differs';

/**
 * What a rule is checked against: one node as read, and its plan when the input shape is known.
 * @category ONNX models
 */
export interface NodeFacts {
  /** The node's op_type. */
  readonly opType: OnnxOpType;
  /** The default-domain opset the model imports. */
  readonly opset: number;
  /** The node's attributes in ONNX's spelling. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** How many outputs the node names (MaxPool: 2 when Indices is used). */
  readonly outputCount: number;
  /** The dialect's plan for the node on its input shape; absent when that shape is unknown. */
  readonly plan?: PoolPlan;
}

/**
 * A node the rule applies to, run by the tests on the rule's runtimes.
 * @category ONNX models
 */
export interface RuleExample {
  /** The node's op_type. */
  readonly opType: OnnxOpType;
  /** Its attributes. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** The shape of its input X. */
  readonly inputShape: readonly number[];
  /** The opset of the example model; default 22. */
  readonly opset?: number;
}

/**
 * One row of the table.
 * @category ONNX models
 */
export interface RuntimeRule {
  /** A stable name for the rule. */
  readonly id: string;
  /** The runtimes that behave so. */
  readonly runtimes: readonly RuntimeId[];
  /** What they do with a node the rule applies to. */
  readonly effect: RuntimeEffect;
  /** What the runtime does and why it matters, in words. */
  readonly reason: string;
  /** Where the behaviour is recorded. */
  readonly sources: readonly string[];
  /** The test that runs the rule's example on each of its runtimes; absent: not tested here. */
  readonly testedBy?: string;
  /** A node the rule applies to. */
  readonly example: RuleExample;
  /** Whether the rule applies: undefined when that depends on the input shape and it is unknown. */
  readonly applies: (node: NodeFacts) => boolean | undefined;
}

const ORT_NATIVE: readonly RuntimeId[] = ['onnxruntime-cpu', 'onnxruntime-web-wasm'];
const PINNED = 'packages/onnx-models/test/runtimes.test.ts';
const PEER_DIFFERENCES = 'docs/peer-differences.md, "onnxruntime-node 1.30 (CPU)"';
const WEBGPU_RESEARCH = 'research/webgpu.md, "How the peers pool on WebGPU" (onnxruntime-web js/web/lib/wasm/jsep/webgpu/ops/pool.ts)';

function ints(node: NodeFacts, name: string): readonly number[] | undefined {
  const value = node.attributes[name];
  return Array.isArray(value) ? (value as readonly number[]) : undefined;
}

function autoPad(node: NodeFacts): string {
  const value = node.attributes.auto_pad;
  return typeof value === 'string' ? value : 'NOTSET';
}

function slidingAxes(plan: PoolPlan): SlidingAxis[] {
  return plan.axes.filter((axis): axis is SlidingAxis => axis.kind === 'sliding');
}

function effectiveKernel(axis: SlidingAxis): number {
  return (axis.kernel - 1) * axis.dilation + 1;
}

const WINDOW_OPS: ReadonlySet<OnnxOpType> = new Set(['AveragePool', 'MaxPool', 'LpPool']);

/** Whether some window of the axis has no tap inside the input (all in padding or past it). */
function hasWindowWithoutInput(axis: SlidingAxis): boolean {
  for (let o = 0; o < axis.out; o++) {
    const start = o * axis.stride - axis.padBegin;
    // The first tap at or after position 0, if the window has one.
    const skipped = start >= 0 ? 0 : Math.ceil(-start / axis.dilation);
    if (skipped >= axis.kernel || start + skipped * axis.dilation >= axis.size) return true;
  }
  return false;
}

/** Whether SAME's total padding, (O - 1) * s + k_eff - L, is negative on an axis: the plan clamps it at 0. */
function negativeSamePadding(node: NodeFacts): boolean | undefined {
  if (node.plan === undefined) return undefined;
  return slidingAxes(node.plan).some((axis) => (axis.out - 1) * axis.stride + effectiveKernel(axis) < axis.size);
}

/**
 * The table: every rule known for the runtimes in {@link RUNTIMES}.
 * @category ONNX models
 */
export const RUNTIME_RULES: readonly RuntimeRule[] = [
  {
    id: 'same-padding-with-dilation',
    runtimes: ORT_NATIVE,
    effect: 'wrong',
    reason:
      'sizes SAME padding from the undilated kernel, then slides the dilated one: outputs are lost (L=5, k=2, dilation 2: 4 outputs where the spec gives 5; a length-1 axis comes out empty)',
    sources: [`${PEER_DIFFERENCES}, item 1`],
    testedBy: PINNED,
    example: { opType: 'MaxPool', attributes: { kernel_shape: [2], dilations: [2], auto_pad: 'SAME_UPPER' }, inputShape: [1, 1, 5] },
    applies: (node) => {
      if (!WINDOW_OPS.has(node.opType) || !autoPad(node).startsWith('SAME')) return false;
      const kernel = ints(node, 'kernel_shape') ?? [];
      return (ints(node, 'dilations') ?? []).some((d, i) => d > 1 && (kernel[i] ?? 1) > 1);
    },
  },
  {
    id: 'valid-padding-with-ceil-mode',
    runtimes: ORT_NATIVE,
    effect: 'wrong',
    reason: "rounds VALID's output size up under ceil_mode=1, where the spec's VALID size ceil((L - k_eff + 1) / s) ignores ceil_mode: one output too many (L=6, k=3, s=2: 3 where the spec gives 2)",
    sources: [`${PEER_DIFFERENCES}, item 3`],
    testedBy: PINNED,
    example: { opType: 'AveragePool', attributes: { kernel_shape: [3], strides: [2], auto_pad: 'VALID', ceil_mode: 1 }, inputShape: [1, 1, 6] },
    applies: (node) => {
      if (!WINDOW_OPS.has(node.opType) || autoPad(node) !== 'VALID' || node.attributes.ceil_mode !== 1) return false;
      if (node.plan === undefined) return undefined;
      return slidingAxes(node.plan).some((axis) => (axis.size - effectiveKernel(axis)) % axis.stride !== 0);
    },
  },
  {
    id: 'same-upper-negative-total-padding',
    runtimes: ORT_NATIVE,
    effect: 'differs',
    reason:
      'splits a negative SAME_UPPER total padding (stride above the kernel) into negative pads, which shifts every window (L=6, k=1, s=3 reads positions 1 and 4); the spec does not say to clamp, TF/Keras and this library clamp at 0 and read 0 and 3',
    sources: [`${PEER_DIFFERENCES}, item 2`],
    testedBy: PINNED,
    example: { opType: 'AveragePool', attributes: { kernel_shape: [1], strides: [3], auto_pad: 'SAME_UPPER' }, inputShape: [1, 1, 6] },
    applies: (node) => {
      if (!WINDOW_OPS.has(node.opType) || autoPad(node) !== 'SAME_UPPER' || (node.opType === 'MaxPool' && node.outputCount === 1)) return false;
      return negativeSamePadding(node);
    },
  },
  {
    id: 'same-upper-negative-total-padding-max',
    runtimes: ORT_NATIVE,
    effect: 'refuses',
    reason:
      'refuses MaxPool without Indices when SAME_UPPER\'s total padding is negative (stride above the kernel): "padding values must be non-negative" at run time (with Indices it shifts the windows instead)',
    sources: [`${PEER_DIFFERENCES}, item 2`, 'measured here with onnxruntime-node and onnxruntime-web 1.30'],
    testedBy: PINNED,
    example: { opType: 'MaxPool', attributes: { kernel_shape: [1], strides: [3], auto_pad: 'SAME_UPPER' }, inputShape: [1, 1, 6] },
    applies: (node) => (node.opType === 'MaxPool' && node.outputCount === 1 && autoPad(node) === 'SAME_UPPER' ? negativeSamePadding(node) : false),
  },
  {
    id: 'pads-not-below-kernel',
    runtimes: ORT_NATIVE,
    effect: 'refuses',
    reason: 'refuses explicit pads of at least kernel_shape on an axis ("Pad should be smaller than kernel"), even under dilation; the spec has no such rule',
    sources: [`${PEER_DIFFERENCES}, item 6`],
    testedBy: PINNED,
    example: { opType: 'AveragePool', attributes: { kernel_shape: [2], pads: [2, 0] }, inputShape: [1, 1, 3] },
    applies: (node) => {
      if (!WINDOW_OPS.has(node.opType)) return false;
      const kernel = ints(node, 'kernel_shape') ?? [];
      return (ints(node, 'pads') ?? []).some((pad, i) => pad >= (kernel[i % kernel.length] ?? Infinity));
    },
  },
  {
    id: 'max-window-without-input',
    runtimes: ORT_NATIVE,
    effect: 'differs',
    reason:
      'gives a window with no input position (all padding) the lowest finite float, -3.4028235e38, and an index of the coordinates (-1, ...) inside the plane, where the spec reduces nothing: -Infinity (as PyTorch) and index -1',
    sources: [`${PEER_DIFFERENCES}, item 4`, 'onnx/onnx #4958'],
    testedBy: PINNED,
    example: { opType: 'MaxPool', attributes: { kernel_shape: [2], dilations: [2], pads: [1, 1] }, inputShape: [1, 1, 1] },
    applies: (node) => {
      if (node.opType !== 'MaxPool') return false;
      if (node.plan === undefined) return undefined;
      return slidingAxes(node.plan).some(hasWindowWithoutInput);
    },
  },
  {
    id: 'global-lp-pool-opset-22',
    runtimes: ORT_NATIVE,
    effect: 'refuses',
    reason: 'implements GlobalLpPool up to opset 21 only (opset 22 added bfloat16 and changed nothing else): a model importing opset 22 or later has no kernel for it',
    sources: [`${PEER_DIFFERENCES}, item 8`],
    testedBy: PINNED,
    example: { opType: 'GlobalLpPool', attributes: {}, inputShape: [1, 1, 3, 3], opset: 22 },
    applies: (node) => node.opType === 'GlobalLpPool' && node.opset >= 22,
  },
  {
    id: 'webgpu-ceil-mode',
    runtimes: ['onnxruntime-web-webgpu'],
    effect: 'refuses',
    reason:
      'throws "using ceil() in shape computation is not yet supported" for ceil_mode=1 (RT-DETR\'s AveragePool, pyannote\'s MaxPool1d, background-removal MaxPool); a fix that only removed the guard was rejected because shapes came out wrong',
    sources: [WEBGPU_RESEARCH, 'onnxruntime #20938', 'onnxruntime #21206', 'onnxruntime #21386', 'onnxruntime #29070', 'transformers.js #1435'],
    example: { opType: 'MaxPool', attributes: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, inputShape: [1, 1, 8, 8] },
    applies: (node) => WINDOW_OPS.has(node.opType) && node.attributes.ceil_mode === 1,
  },
  {
    id: 'webgpu-dilations-ignored',
    runtimes: ['onnxruntime-web-webgpu'],
    effect: 'wrong',
    reason: 'sizes the output with the dilations but its 1-D/2-D shader ignores them: it pools adjacent positions',
    sources: [WEBGPU_RESEARCH],
    example: { opType: 'MaxPool', attributes: { kernel_shape: [2, 2], dilations: [2, 2] }, inputShape: [1, 1, 5, 5] },
    applies: (node) => {
      if (node.opType !== 'AveragePool' && node.opType !== 'MaxPool') return false;
      const dilations = ints(node, 'dilations') ?? [];
      return dilations.length <= 2 && dilations.some((d) => d > 1);
    },
  },
  {
    id: 'webgpu-max-indices',
    runtimes: ['onnxruntime-web-webgpu'],
    effect: 'refuses',
    reason: 'its MaxPool kernel has no Indices output and no storage_order: the WebGPU kernels do not compute this node',
    sources: [WEBGPU_RESEARCH],
    example: { opType: 'MaxPool', attributes: { kernel_shape: [2, 2], storage_order: 1 }, inputShape: [1, 1, 4, 4] },
    applies: (node) => node.opType === 'MaxPool' && (node.outputCount > 1 || node.attributes.storage_order === 1),
  },
  {
    id: 'webgpu-max-starts-at-minus-1e5',
    runtimes: ['onnxruntime-web-webgpu'],
    effect: 'differs',
    reason: 'starts each maximum from -1e5 instead of the first tap: a window whose values are all below -100000 comes out as -100000',
    sources: [WEBGPU_RESEARCH],
    example: { opType: 'MaxPool', attributes: { kernel_shape: [2, 2] }, inputShape: [1, 1, 3, 3] },
    applies: (node) => node.opType === 'MaxPool',
  },
];
