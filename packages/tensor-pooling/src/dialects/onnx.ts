/**
 * The ONNX dialect: `runOnnxNode(opType, attrs, inputs)` runs one pooling node with the attribute
 * names and defaults of the ONNX operator spec (opset 22), layout N, C, D1, D2, ... always batched.
 *
 * - pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...], default 0; strides and dilations default 1.
 * - auto_pad NOTSET (explicit pads), SAME_UPPER (odd pad at the end), SAME_LOWER (at the start),
 *   VALID (no padding; the output is floor((L - k_eff) / s) + 1 with or without ceil_mode, since the
 *   spec's VALID formula ceil((L - k_eff + 1) / s) equals it). SAME gives ceil(L / s).
 * - ceil_mode: a window that would start in the end padding is dropped
 *   (test_averagepool_2d_ceil_last_window_starts_on_pad, test_maxpool_2d_ceil_output_size_reduce_by_one).
 * - AveragePool count_include_pad defaults to 0; with 1 the divisor counts explicit padding but not
 *   the ceil-mode overhang past it (test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True).
 * - MaxPool returns [Y, Indices]: Indices (int64) index the whole input tensor flattened row-major,
 *   batch and channel included; storage_order 1 makes the spatial part column-major
 *   (test_maxpool_with_argmax_2d_precomputed_strides). Integer inputs (uint8, int8, ...) are
 *   carried through max pooling exactly (test_maxpool_2d_uint8).
 * - LpPool / GlobalLpPool: (sum |x|^p)^(1/p), p an integer, default 2; padding adds nothing.
 * - MaxUnpool: inputs X, I (indices in MaxPool's convention), optional output_shape. As in ONNX's
 *   reference (onnx/reference/ops/op_max_unpool.py): each X value goes to position I of the default
 *   output, (N, C, (L - 1) * stride - pad_begin - pad_end + kernel), I flat over that whole tensor
 *   (an index may leave its own (n, c) plane); a larger output_shape then holds that result in its
 *   low corner, zeros elsewhere (test_maxunpool_export_with_output_shape: indices 5, 7, 13, 15 of a
 *   4x4 default land at (1,1), (1,3), (3,1), (3,3) of the 5x5 output). output_shape must keep X's
 *   N and C and may not be smaller than the default on any axis (onnxruntime refuses both too).
 * - A window larger than the padded input is an error, as in the reference ("output shape cannot
 *   be null or negative"); onnxruntime returns an empty tensor there (docs/peer-differences.md).
 *
 * Every attribute and input is read once and checked (shape, length, dtype) before anything is
 * allocated.
 */
import { PoolingError, show } from '../plan/errors.js';
import { checkInteger } from '../plan/validate.js';
import { planGlobal, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import { planSlidingSpec } from '../plan/sliding.js';
import { cachedPlan } from '../ops/plan-cache.js';
import type { PaddingOption } from '../plan/padding.js';
import { runForward, runForwardWithIndices } from '../ops/run.js';
import { allocate, BYTES_PER_ELEMENT, checkAllocation, dtypeOf, MAX_ELEMENTS, sameShape, type FloatArray, type Tensor } from '../tensor.js';
import {
  backToContainer,
  FLOAT_KINDS,
  INTEGER_KINDS,
  MAX_RANK,
  readArgumentList,
  readChoice,
  readIntegers,
  readList,
  readOptions,
  readTensor,
  widenToFloat,
  type ArrayKind,
  type NumericArray,
  type TensorSnapshot,
} from './common.js';

/** The names of ONNX pooling outputs: Y, and MaxPool's Indices. */
export type OnnxOutputName = 'Y' | 'Indices';

/** What {@link runOnnxNode} takes besides the node itself. */
export interface OnnxRunOptions {
  /**
   * The outputs to produce, by their names in the operator spec, as onnxruntime's fetches name
   * them: `'Y'`, and for MaxPool also `'Indices'`; one or more, each at most once. The result lists
   * them in this order. Default: every output of the op, in the spec's order. An output not asked
   * for is not computed: MaxPool without `'Indices'` runs as max pooling alone.
   */
  readonly outputs?: readonly OnnxOutputName[];
}

/** The element arrays an ONNX tensor may hold here: float, integer (MaxPool), or int64 (indices). */
export type OnnxData = NumericArray | BigInt64Array;

/** A tensor as ONNX runtimes hold it: float data, integer data (uint8 MaxPool) or int64 indices. */
export interface OnnxTensor {
  /** The tensor's dims. */
  readonly shape: readonly number[];
  /** Its elements, row-major. */
  readonly data: OnnxData;
}

/** One attribute's value: an int, a string (auto_pad) or a list of ints. */
export type OnnxAttributeValue = number | string | readonly number[];
/** A node's attributes by their ONNX names (`kernel_shape`, `pads`, ...); an undefined value is absent. */
export type OnnxAttributes = Readonly<Record<string, OnnxAttributeValue | undefined>>;

/** The pooling operators {@link runOnnxNode} runs. */
export const ONNX_OP_TYPES = [
  'AveragePool',
  'GlobalAveragePool',
  'MaxPool',
  'GlobalMaxPool',
  'LpPool',
  'GlobalLpPool',
  'MaxUnpool',
] as const;
/** One of {@link ONNX_OP_TYPES}. */
export type OnnxOpType = (typeof ONNX_OP_TYPES)[number];

const WINDOW_ATTRS = ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'strides'];
const KNOWN_ATTRS: Record<OnnxOpType, readonly string[]> = {
  AveragePool: [...WINDOW_ATTRS, 'count_include_pad'],
  MaxPool: [...WINDOW_ATTRS, 'storage_order'],
  LpPool: [...WINDOW_ATTRS, 'p'],
  GlobalAveragePool: [],
  GlobalMaxPool: [],
  GlobalLpPool: ['p'],
  MaxUnpool: ['kernel_shape', 'pads', 'strides'],
};

/** The node's inputs in order, as the operator spec names them. */
const INPUT_NAMES: Record<OnnxOpType, readonly string[]> = {
  AveragePool: ['X'],
  MaxPool: ['X'],
  LpPool: ['X'],
  GlobalAveragePool: ['X'],
  GlobalMaxPool: ['X'],
  GlobalLpPool: ['X'],
  MaxUnpool: ['X', 'I', 'output_shape'],
};

/** How messages name each op's `inputs` argument: "inputs (X, I, output_shape)". */
const INPUTS_LABEL = Object.fromEntries(ONNX_OP_TYPES.map((op) => [op, `inputs (${INPUT_NAMES[op].join(', ')})`])) as Record<OnnxOpType, string>;

type Attributes = Readonly<Record<string, unknown>>;

/** An ints attribute with exactly `length` values, each >= min; `fallback` when absent. */
function ints(op: string, name: string, value: unknown, length: number, min: number, fallback: number): number[] {
  return value === undefined ? new Array<number>(length).fill(fallback) : readIntegers(op, name, value, length, min);
}

/** An ONNX boolean attribute: the int 0 or 1, default 0. */
function flag(op: string, name: string, value: unknown): boolean {
  if (value === undefined || value === 0) return false;
  if (value === 1) return true;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must be 0 or 1; got ${show(value)}`);
}

function required(op: string, inputs: readonly unknown[], index: number, name: string): unknown {
  const input = inputs[index];
  if (input === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `input ${index} (${name}) is required; got ${inputs.length} inputs`);
  }
  return input;
}

/** The lengths kernel_shape may have: 1 to MAX_RANK spatial axes. */
const KERNEL_LENGTHS = Array.from({ length: MAX_RANK }, (_, i) => i + 1);

/** kernel_shape, read once: one positive integer per spatial axis of X (N, C, spatial...). */
function kernelShape(op: string, value: unknown, inputShape: readonly number[]): number[] {
  const rule = 'one positive integer per spatial axis';
  if (value === undefined) throw new PoolingError('INVALID_PARAMETER', op, `kernel_shape is required: ${rule}`);
  const list = readList(op, 'kernel_shape', value, KERNEL_LENGTHS, `a list of ${rule}`);
  if (inputShape.length !== list.length + 2) {
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `X must have rank ${list.length + 2} (N, C and ${list.length} spatial axes, as kernel_shape ${show(list)} says); got shape ${show(inputShape)}`,
    );
  }
  return list.map((k) => checkInteger(op, 'kernel_shape', k, 1, list));
}

interface WindowAttributes {
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly padding: PaddingOption;
  readonly ceilMode: boolean;
}

function windowAttributes(op: string, a: Attributes, shape: readonly number[]): WindowAttributes {
  const kernel = kernelShape(op, a.kernel_shape, shape);
  const rank = kernel.length;
  const stride = ints(op, 'strides', a.strides, rank, 1, 1);
  const dilation = ints(op, 'dilations', a.dilations, rank, 1, 1);
  const autoPad = readChoice(op, 'auto_pad', a.auto_pad ?? 'NOTSET', ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
  const pads = ints(op, 'pads', a.pads, 2 * rank, 0, 0);
  if (autoPad !== 'NOTSET' && pads.some((p) => p !== 0)) {
    throw new PoolingError('INVALID_PARAMETER', op, `pads ${show(pads)} cannot be used together with auto_pad ${show(autoPad)}`);
  }
  const padding: PaddingOption =
    autoPad === 'SAME_UPPER'
      ? 'same'
      : autoPad === 'SAME_LOWER'
        ? 'same-lower'
        : autoPad === 'VALID'
          ? 'valid'
          : kernel.map((_, i) => [pads[i]!, pads[i + rank]!] as const);
  return { kernel, stride, dilation, padding, ceilMode: flag(op, 'ceil_mode', a.ceil_mode) };
}

function planWindowNode(op: string, shape: readonly number[], w: WindowAttributes, reducer: Reducer): PoolPlan {
  return planSlidingSpec({
    op,
    shape,
    layout: 'channels-first',
    spatialRank: w.kernel.length,
    allowUnbatched: false,
    kernel: w.kernel,
    stride: w.stride,
    dilation: w.dilation,
    padding: w.padding,
    paddingName: 'pads',
    rounding: w.ceilMode && w.padding !== 'valid' ? 'ceil' : 'floor',
    lastWindowStartsInside: true,
    limitPadding: false,
    reducer,
  });
}

/**
 * The node's plan from the plan cache when the same op planned the same shape with the same
 * attributes before (as the library's own ops do): a loop of calls plans once and shares the window
 * tables and kernel geometry kept for the plan. `build` reads and checks the attributes itself, so
 * every error is raised as on a first call, in the same order.
 */
function planned(op: OnnxOpType, shape: readonly number[], a: Attributes, build: () => PoolPlan): PoolPlan {
  return cachedPlan('onnx', op, shape, a, build);
}

const MAX: Reducer = { op: 'max', nan: 'propagate' };

function planGlobalNode(op: string, shape: readonly number[], reducer: Reducer): PoolPlan {
  if (shape.length < 3) {
    throw new PoolingError('INVALID_RANK', op, `X must have rank 3 or more (N, C, spatial...); got shape ${show(shape)}`);
  }
  const split = splitShape(op, shape, 'channels-first', shape.length - 2, false);
  return planGlobal(op, shape, 'channels-first', split, reducer, true);
}

function lpPower(op: string, value: unknown): number {
  return value === undefined ? 2 : checkInteger(op, 'p', value, 1);
}

const FLOAT_ONLY = 'float data (a Float32Array or Float64Array)';
const FLOAT_OR_INTEGER = 'float or integer data (Float32Array, Float64Array, Uint8Array, Int8Array, ...)';
const NUMERIC_KINDS: readonly ArrayKind[] = [...FLOAT_KINDS, ...INTEGER_KINDS];
const INDEX_KINDS: readonly ArrayKind[] = ['BigInt64Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array', 'Int8Array', 'Uint8Array'];
const INDEX_DATA = 'int64 data (a BigInt64Array; Int32Array and smaller integer arrays are accepted too)';

/** Where the low 32-bit word of an int64 lies in a typed array on this platform (0 little-endian, 1 big-endian). */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * A per-plane row-major spatial index re-flattened with the first spatial axis varying fastest
 * (storage_order 1), for each index of a plane of `sizes`.
 */
function columnMajorOf(sizes: readonly number[]): (spatial: number) => number {
  const rank = sizes.length;
  const rowStrides = new Array<number>(rank);
  const columnStrides = new Array<number>(rank);
  for (let a = rank - 1, stride = 1; a >= 0; a--) {
    rowStrides[a] = stride;
    stride *= sizes[a]!;
  }
  for (let a = 0, stride = 1; a < rank; a++) {
    columnStrides[a] = stride;
    stride *= sizes[a]!;
  }
  return (spatial) => {
    let flat = 0;
    for (let a = 0; a < rank; a++) flat += (Math.floor(spatial / rowStrides[a]!) % sizes[a]!) * columnStrides[a]!;
    return flat;
  };
}

/**
 * ONNX's whole-tensor index of a MaxPool maximum, from the core's per-plane row-major spatial index
 * (-1, a window with no input, stays -1). A BigInt per element costs ten times the pooling itself,
 * so each int64 is written as two 32-bit words: an input holds at most MAX_ELEMENTS (2**31 - 1)
 * elements, so every index fits an int32 and its high word is the low word's sign (0, or -1 for -1).
 */
function wholeTensorIndices(plan: PoolPlan, perPlane: Int32Array, columnMajor: boolean): BigInt64Array {
  const out = new BigInt64Array(perPlane.length);
  const words = new Int32Array(out.buffer);
  const low = LOW_WORD;
  const high = 1 - LOW_WORD;
  const planeIn = plan.inputSpatialSize;
  const planeOut = plan.outputSpatialSize;
  const reorder = columnMajor && plan.axes.length > 1 ? columnMajorOf(plan.axes.map((axis) => axis.size)) : undefined;
  for (let i = 0, base = 0; i < perPlane.length; base += planeIn) {
    for (const end = i + planeOut; i < end; i++) {
      const spatial = perPlane[i]!;
      const flat = spatial < 0 ? -1 : base + (reorder === undefined ? spatial : reorder(spatial));
      words[2 * i + low] = flat;
      words[2 * i + high] = flat >> 31;
    }
  }
  return out;
}

/** An integer element of an index tensor as a number; values past 2**53 only need to compare as too large. */
function integerAt(data: TensorSnapshot['data'], i: number): number {
  return Number(data[i]!);
}

/**
 * MaxUnpool's I, element by element, as numbers. int64 data is read as its two 32-bit words rather
 * than a BigInt per element (which costs several times the scatter): every position the range
 * check lets through is below MAX_ELEMENTS (2**31 - 1), so it has high word 0 and a non-negative
 * low word; any other value is read as a BigInt, as before, for the check to refuse and show.
 */
function positionsOf(indices: TensorSnapshot): (i: number) => number {
  const data = indices.data;
  if (indices.kind !== 'BigInt64Array') return (i) => integerAt(data, i);
  const words = new Int32Array(data.buffer, data.byteOffset, 2 * data.length);
  const low = LOW_WORD;
  const high = 1 - LOW_WORD;
  return (i) => {
    const lowWord = words[2 * i + low]!;
    return words[2 * i + high] === 0 && lowWord >= 0 ? lowWord : Number(data[i]!);
  };
}

function product(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** output_shape, read and checked: X's N and C, and at least the default size on every spatial axis. */
function unpoolOutputShape(op: string, value: unknown, inferred: readonly number[]): number[] {
  const t = readTensor(op, 'output_shape', value, INDEX_KINDS, INDEX_DATA);
  if (t.shape.length !== 1 || t.shape[0] !== inferred.length) {
    throw new PoolingError(
      'SHAPE_MISMATCH',
      op,
      `output_shape must be a 1-D tensor of ${inferred.length} sizes (N, C, spatial...); got a tensor of shape ${show(t.shape)}`,
    );
  }
  const sizes = Array.from({ length: inferred.length }, (_, i) => integerAt(t.data, i));
  const expected = `[${inferred[0]}, ${inferred[1]}, then at least ${show(inferred.slice(2))}]`;
  sizes.forEach((size, axis) => {
    const fits = axis < 2 ? size === inferred[axis] : Number.isSafeInteger(size) && size >= inferred[axis]!;
    if (!fits) {
      throw new PoolingError(
        'SHAPE_MISMATCH',
        op,
        `output_shape ${show(sizes)} must keep X's batch and channels and be no smaller than the default output ` +
          `${show(inferred)} on any spatial axis: expected ${expected}`,
      );
    }
  });
  if (product(sizes) > MAX_ELEMENTS) {
    throw new PoolingError('SIZE_TOO_LARGE', op, `output_shape ${show(sizes)} would hold ${product(sizes)} elements; at most ${MAX_ELEMENTS} can be allocated`);
  }
  return sizes;
}

function runMaxUnpool(a: Attributes, inputs: readonly unknown[]): OnnxTensor[] {
  const op = 'MaxUnpool';
  const x = readTensor(op, 'X', required(op, inputs, 0, 'X'), FLOAT_KINDS, FLOAT_ONLY);
  const indices = readTensor(op, 'I', required(op, inputs, 1, 'I'), INDEX_KINDS, INDEX_DATA);
  const kernel = kernelShape(op, a.kernel_shape, x.shape);
  const rank = kernel.length;
  const stride = ints(op, 'strides', a.strides, rank, 1, 1);
  const pads = ints(op, 'pads', a.pads, 2 * rank, 0, 0);
  if (!sameShape(indices.shape, x.shape)) {
    throw new PoolingError('SHAPE_MISMATCH', op, `I must have X's shape ${show(x.shape)}; got ${show(indices.shape)}`);
  }
  const inferredSpatial = x.shape.slice(2).map((size, i) => (size - 1) * stride[i]! - pads[i]! - pads[i + rank]! + kernel[i]!);
  inferredSpatial.forEach((size, i) => {
    if (size < 1) {
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `output size on spatial axis ${i} would be ${size} (X ${x.shape[i + 2]}, strides ${stride[i]}, pads ${pads[i]}+${pads[i + rank]}, kernel_shape ${kernel[i]})`,
      );
    }
  });
  const inferred = [x.shape[0]!, x.shape[1]!, ...inferredSpatial];
  const total = product(inferred);
  if (total > MAX_ELEMENTS) {
    throw new PoolingError('SIZE_TOO_LARGE', op, `the default output ${show(inferred)} would hold ${total} elements; at most ${MAX_ELEMENTS} can be allocated`);
  }
  const outputShape = inputs[2] === undefined ? inferred : unpoolOutputShape(op, inputs[2], inferred);
  const positionAt = positionsOf(indices);
  for (let i = 0; i < indices.data.length; i++) {
    const at = positionAt(i);
    if (!(at >= 0 && at < total)) {
      throw new PoolingError(
        'INDEX_OUT_OF_RANGE',
        op,
        `I[${i}] = ${at} is outside the default output ${show(inferred)}, whose flat positions are 0 to ${total - 1}`,
      );
    }
  }
  // The reference scatters into the default-shaped tensor and copies that into the low corner of
  // output_shape: a position keeps its (n, c, coordinates), re-flattened with the output's strides.
  const planeIn = product(inferredSpatial);
  const spatialOut = outputShape.slice(2);
  const planeOut = product(spatialOut);
  const sameSpatial = sameShape(inferredSpatial, spatialOut);
  const dtype = dtypeOf(x.data as Tensor['data']);
  checkAllocation(op, 'the output', product(outputShape), BYTES_PER_ELEMENT[dtype]);
  const y = allocate(dtype, product(outputShape));
  const values = x.data as FloatArray;
  if (sameSpatial) {
    // The default output shape: a position is already where it lands.
    for (let i = 0; i < values.length; i++) y[positionAt(i)] = values[i]!;
    return [{ shape: Object.freeze(outputShape), data: y }];
  }
  for (let i = 0; i < indices.data.length; i++) {
    const at = positionAt(i);
    const plane = Math.floor(at / planeIn);
    let rest = at - plane * planeIn;
    let local = rest;
    if (!sameSpatial) {
      local = 0;
      let scale = 1;
      for (let axis = rank - 1; axis >= 0; axis--) {
        local += (rest % inferredSpatial[axis]!) * scale;
        rest = Math.floor(rest / inferredSpatial[axis]!);
        scale *= spatialOut[axis]!;
      }
    }
    y[plane * planeOut + local] = x.data[i] as number;
  }
  return [{ shape: Object.freeze(outputShape), data: y }];
}

/** The names of an operator's outputs, in the spec's order: what `outputs` may list. */
const OUTPUT_NAMES: Record<OnnxOpType, readonly OnnxOutputName[]> = {
  AveragePool: ['Y'],
  MaxPool: ['Y', 'Indices'],
  LpPool: ['Y'],
  GlobalAveragePool: ['Y'],
  GlobalMaxPool: ['Y'],
  GlobalLpPool: ['Y'],
  MaxUnpool: ['Y'],
};

const RUN_OPTION_KEYS = ['outputs'];

/**
 * The outputs a call asked for, read once and checked: names of the op's outputs, each at most
 * once, one or more; every output of the op when `outputs` is absent.
 */
function readOutputs(op: OnnxOpType, options: unknown): readonly OnnxOutputName[] {
  const names = OUTPUT_NAMES[op];
  if (options === undefined) return names;
  // Kept as given by the options reader: read here once, refused on its length first.
  const asked = readOptions(op, options, RUN_OPTION_KEYS, { dataNames: RUN_OPTION_KEYS }).outputs;
  if (asked === undefined) return names;
  const expected = `a list of one or more of ${op}'s outputs (${names.map((n) => JSON.stringify(n)).join(', ')}), each at most once`;
  const lengths = names.map((_, i) => i + 1);
  const list = readList(op, 'outputs', asked, lengths, expected);
  if (!list.every((name, i) => names.includes(name as OnnxOutputName) && list.indexOf(name) === i)) {
    throw new PoolingError('INVALID_PARAMETER', op, `outputs must be ${expected}; got ${show(list)}`);
  }
  return list as OnnxOutputName[];
}

/**
 * Runs one ONNX pooling node with the operator spec's attribute names and defaults (opset 22):
 * AveragePool, MaxPool, LpPool, their Global forms, and MaxUnpool. Layout N, C, D1, D2, ... always
 * batched. `pads` is [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; `auto_pad` NOTSET, SAME_UPPER,
 * SAME_LOWER or VALID; a ceil-mode window that would start in the end padding is dropped;
 * AveragePool's count_include_pad defaults to 0. MaxPool also returns Indices (int64, flat over the
 * whole input, batch and channel included; `storage_order` 1 makes the spatial part column-major)
 * and carries integer inputs through exactly. See the module's notes in the source for each rule's
 * test in the ONNX suite.
 *
 * @param opType - The node's op_type: one of {@link ONNX_OP_TYPES}.
 * @param attrs - The node's attributes by name; an attribute the operator does not have is refused.
 * @param inputs - The node's inputs in order: X (and, for MaxUnpool, I and the optional
 *   output_shape). Never modified.
 * @param options - Which outputs to produce, as onnxruntime's fetches name them: see
 *   {@link OnnxRunOptions}. Read once. Default: every output of the op.
 * @returns The outputs asked for, in the order `outputs` lists them; by default the node's
 *   outputs in order: [Y], or for MaxPool [Y, Indices].
 * @throws {@link PoolingError}
 * - `UNSUPPORTED_OPTION`: `opType` is not one of {@link ONNX_OP_TYPES};
 * - `INVALID_PARAMETER`: an attribute is unknown, missing (`kernel_shape`) or of the wrong type or
 *   value (`pads` together with an `auto_pad` other than NOTSET, say), an input is missing or
 *   not `{ shape, data }`, or `options` is not an object, has a key other than `outputs`, or its
 *   `outputs` is not a list of one or more of the op's output names, each at most once;
 * - `UNSUPPORTED_DTYPE`: X's data is not float (integer data is taken by MaxPool and
 *   GlobalMaxPool only), or I's / output_shape's is not integer;
 * - `DATA_LENGTH_MISMATCH`: an input's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: X's rank is not kernel_shape's length + 2 (global ops: under 3);
 * - `SHAPE_MISMATCH`: MaxUnpool's I does not have X's shape, or output_shape changes N or C or is
 *   smaller than the default output;
 * - `INDEX_OUT_OF_RANGE`: a MaxUnpool index lies outside the default output;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit or {@link MAX_ELEMENTS}.
 * @example
 * ```js
 * import { runOnnxNode, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));
 * const [y] = runOnnxNode('AveragePool', { kernel_shape: [2, 2], strides: [2, 2] }, [x]);
 * console.log(y.shape, Array.from(y.data));
 * // prints: [ 1, 1, 2, 2 ] [ 2.5, 4.5, 10.5, 12.5 ]
 * const [values, indices] = runOnnxNode('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }, [x]);
 * console.log(Array.from(values.data), Array.from(indices.data));
 * // prints: [ 5, 7, 13, 15 ] [ 5n, 7n, 13n, 15n ]
 * ```
 * Only the outputs asked for are computed: MaxPool without Indices is max pooling alone.
 * ```js
 * import { runOnnxNode, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));
 * const maxima = runOnnxNode('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }, [x], { outputs: ['Y'] });
 * console.log(maxima.length, Array.from(maxima[0].data));
 * // prints: 1 [ 5, 7, 13, 15 ]
 * const [where] = runOnnxNode('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }, [x], { outputs: ['Indices'] });
 * console.log(Array.from(where.data));
 * // prints: [ 5n, 7n, 13n, 15n ]
 * ```
 * @category Dialects
 */
export function runOnnxNode(
  opType: OnnxOpType,
  attrs: OnnxAttributes,
  inputs: readonly (OnnxTensor | undefined)[],
  options?: OnnxRunOptions,
): OnnxTensor[] {
  if (!(ONNX_OP_TYPES as readonly unknown[]).includes(opType)) {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      'runOnnxNode',
      `opType must be one of ${ONNX_OP_TYPES.map((t) => JSON.stringify(t)).join(', ')}; got ${show(opType)}`,
    );
  }
  const op = opType;
  const a = readOptions(op, attrs, KNOWN_ATTRS[op], { name: 'attrs', optional: false, ignoreUndefined: true, noun: 'attribute' });
  const list = readArgumentList(op, INPUTS_LABEL[op], inputs, INPUT_NAMES[op].length);
  const outputs = readOutputs(op, options);
  if (op === 'MaxUnpool') return runMaxUnpool(a, list);
  const selectsValues = op === 'MaxPool' || op === 'GlobalMaxPool';
  const raw = readTensor(op, 'X', required(op, list, 0, 'X'), selectsValues ? NUMERIC_KINDS : FLOAT_KINDS, selectsValues ? FLOAT_OR_INTEGER : FLOAT_ONLY);
  const like = raw.data as NumericArray;
  // Everything is read and planned before an integer input is widened: a bad call allocates nothing.
  // Plans come from the plan cache, keyed by the attributes as read (see planned).
  switch (op) {
    case 'AveragePool': {
      const plan = planned(op, raw.shape, a, () => {
        const includePad = flag(op, 'count_include_pad', a.count_include_pad);
        return planWindowNode(op, raw.shape, windowAttributes(op, a, raw.shape), { op: 'avg', divisor: includePad ? 'padded' : 'valid', emptyWindow: 'zero' });
      });
      return [runForward(plan, widenToFloat(op, raw))];
    }
    case 'MaxPool': {
      const columnMajor = flag(op, 'storage_order', a.storage_order);
      const plan = planned(op, raw.shape, a, () => planWindowNode(op, raw.shape, windowAttributes(op, a, raw.shape), MAX));
      if (!outputs.includes('Indices')) return [backToContainer(runForward(plan, widenToFloat(op, raw)), like)];
      const { values, indices } = runForwardWithIndices(plan, widenToFloat(op, raw));
      const y = outputs.includes('Y') ? backToContainer(values, like) : undefined;
      const whole = { shape: plan.outputShape, data: wholeTensorIndices(plan, indices.data, columnMajor) };
      return outputs.map((name) => (name === 'Y' ? y! : whole));
    }
    case 'LpPool': {
      const plan = planned(op, raw.shape, a, () => {
        const w = windowAttributes(op, a, raw.shape);
        return planWindowNode(op, raw.shape, w, { op: 'lp', p: lpPower(op, a.p), signed: false, rescale: false });
      });
      return [runForward(plan, widenToFloat(op, raw))];
    }
    case 'GlobalAveragePool':
      return [runForward(planned(op, raw.shape, a, () => planGlobalNode(op, raw.shape, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' })), widenToFloat(op, raw))];
    case 'GlobalMaxPool':
      return [backToContainer(runForward(planned(op, raw.shape, a, () => planGlobalNode(op, raw.shape, MAX)), widenToFloat(op, raw)), like)];
    case 'GlobalLpPool': {
      const plan = planned(op, raw.shape, a, () => planGlobalNode(op, raw.shape, { op: 'lp', p: lpPower(op, a.p), signed: false, rescale: false }));
      return [runForward(plan, widenToFloat(op, raw))];
    }
  }
}
