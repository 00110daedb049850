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
 * - MaxUnpool: inputs X, I (indices in MaxPool's convention), optional output_shape.
 */
import { PoolingError, show } from '../plan/errors.js';
import { planGlobal, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import type { PaddingOption } from '../plan/padding.js';
import { checkInteger, checkOneOf } from '../plan/validate.js';
import { maxUnpool } from '../ops/unpool.js';
import { runForward, runForwardWithIndices } from '../ops/run.js';
import type { Tensor } from '../tensor.js';
import { backToContainer, toFloatTensor, type NumericArray } from './common.js';
import { planSlidingSpec } from '../plan/sliding.js';

export type OnnxData = NumericArray | BigInt64Array;

/** A tensor as ONNX runtimes hold it: float data, integer data (uint8 MaxPool) or int64 indices. */
export interface OnnxTensor {
  readonly shape: readonly number[];
  readonly data: OnnxData;
}

export type OnnxAttributeValue = number | string | readonly number[];
export type OnnxAttributes = Readonly<Record<string, OnnxAttributeValue | undefined>>;

export const ONNX_OP_TYPES = [
  'AveragePool',
  'GlobalAveragePool',
  'MaxPool',
  'GlobalMaxPool',
  'LpPool',
  'GlobalLpPool',
  'MaxUnpool',
] as const;
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

function checkAttributes(op: OnnxOpType, attrs: unknown): asserts attrs is OnnxAttributes {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
    throw new PoolingError('INVALID_PARAMETER', op, `attrs must be an object of ONNX attributes; got ${show(attrs)}`);
  }
  const known = KNOWN_ATTRS[op];
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && !known.includes(name)) {
      throw new PoolingError(
        'INVALID_PARAMETER',
        op,
        `unknown attribute ${show(name)}; ${op} takes ${known.length ? known.map((k) => show(k)).join(', ') : 'no attributes'}`,
      );
    }
  }
}

/** An ints attribute with exactly `length` values, each >= min; `fallback` when absent. */
function ints(op: string, name: string, value: unknown, length: number, min: number, fallback: number): number[] {
  if (value === undefined) return new Array<number>(length).fill(fallback);
  if (!Array.isArray(value) || value.length !== length) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must hold ${length} integers; got ${show(value)}`);
  }
  for (const v of value) checkInteger(op, name, v, min, value);
  return [...(value as number[])];
}

/** An ONNX boolean attribute: the int 0 or 1, default 0. */
function flag(op: string, name: string, value: unknown): boolean {
  if (value === undefined || value === 0) return false;
  if (value === 1) return true;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must be 0 or 1; got ${show(value)}`);
}

function inputAt(op: string, inputs: readonly (OnnxTensor | undefined)[], index: number, name: string): OnnxTensor {
  const input = inputs[index];
  if (input === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `input ${index} (${name}) is required; got ${inputs.length} inputs`);
  }
  return input;
}

/** The spatial rank implied by kernel_shape, checked against the input's rank (N, C, spatial...). */
function spatialRankFromKernel(op: string, kernelShape: unknown, inputShape: readonly number[]): number {
  if (!Array.isArray(kernelShape) || kernelShape.length === 0) {
    throw new PoolingError('INVALID_PARAMETER', op, `kernel_shape is required: one positive integer per spatial axis; got ${show(kernelShape)}`);
  }
  if (inputShape.length !== kernelShape.length + 2) {
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `X must have rank ${kernelShape.length + 2} (N, C and ${kernelShape.length} spatial axes, as kernel_shape ${show(kernelShape)} says); got shape ${show(inputShape)}`,
    );
  }
  return kernelShape.length;
}

interface WindowAttributes {
  readonly kernel: number[];
  readonly stride: number[];
  readonly dilation: number[];
  readonly padding: PaddingOption;
  readonly ceilMode: boolean;
}

function windowAttributes(op: string, attrs: OnnxAttributes, rank: number): WindowAttributes {
  const kernel = ints(op, 'kernel_shape', attrs.kernel_shape, rank, 1, 1);
  const stride = ints(op, 'strides', attrs.strides, rank, 1, 1);
  const dilation = ints(op, 'dilations', attrs.dilations, rank, 1, 1);
  const autoPad = checkOneOf(op, 'auto_pad', attrs.auto_pad ?? 'NOTSET', ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']);
  const pads = ints(op, 'pads', attrs.pads, 2 * rank, 0, 0);
  if (autoPad !== 'NOTSET' && pads.some((p) => p !== 0)) {
    throw new PoolingError('INVALID_PARAMETER', op, `pads ${show(attrs.pads)} cannot be used together with auto_pad ${show(autoPad)}`);
  }
  const padding: PaddingOption =
    autoPad === 'SAME_UPPER'
      ? 'same'
      : autoPad === 'SAME_LOWER'
        ? 'same-lower'
        : autoPad === 'VALID'
          ? 'valid'
          : kernel.map((_, a) => [pads[a]!, pads[a + rank]!] as const);
  return { kernel, stride, dilation, padding, ceilMode: flag(op, 'ceil_mode', attrs.ceil_mode) };
}

function planWindowNode(op: string, shape: readonly number[], attrs: OnnxAttributes, reducer: Reducer): PoolPlan {
  const rank = spatialRankFromKernel(op, attrs.kernel_shape, shape);
  const w = windowAttributes(op, attrs, rank);
  return planSlidingSpec({
    op,
    shape,
    layout: 'channels-first',
    spatialRank: rank,
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

const FLOAT_ONLY = 'float data (Float32Array or Float64Array)';
const FLOAT_OR_INTEGER = 'float or integer data (Float32Array, Float64Array, Uint8Array, Int8Array, ...)';

/** ONNX's whole-tensor index of a MaxPool maximum, from the core's per-plane row-major spatial index. */
function wholeTensorIndices(plan: PoolPlan, perPlane: Int32Array, columnMajor: boolean): BigInt64Array {
  const sizes = plan.axes.map((axis) => axis.size);
  const out = new BigInt64Array(perPlane.length);
  for (let i = 0; i < perPlane.length; i++) {
    const plane = Math.floor(i / plan.outputSpatialSize);
    let spatial = perPlane[i]!;
    if (spatial >= 0 && columnMajor) {
      // Row-major coordinates, re-flattened with the first spatial axis varying fastest.
      let rest = spatial;
      let flat = 0;
      let scale = 1;
      const coords = new Array<number>(sizes.length);
      for (let a = sizes.length - 1; a >= 0; a--) {
        coords[a] = rest % sizes[a]!;
        rest = Math.floor(rest / sizes[a]!);
      }
      for (let a = 0; a < sizes.length; a++) {
        flat += coords[a]! * scale;
        scale *= sizes[a]!;
      }
      spatial = flat;
    }
    out[i] = spatial < 0 ? -1n : BigInt(plane * plan.inputSpatialSize + spatial);
  }
  return out;
}

function integerValues(op: string, name: string, t: OnnxTensor): number[] {
  const values: number[] = [];
  const data = t.data as ArrayLike<number | bigint>;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must hold integers; got ${show(v)}`);
    }
    values.push(n);
  }
  return values;
}

function runMaxUnpool(attrs: OnnxAttributes, inputs: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const op = 'MaxUnpool';
  const x = toFloatTensor(op, 'X', inputAt(op, inputs, 0, 'X'), false, FLOAT_ONLY);
  const indices = inputAt(op, inputs, 1, 'I');
  const rank = spatialRankFromKernel(op, attrs.kernel_shape, x.shape);
  const kernel = ints(op, 'kernel_shape', attrs.kernel_shape, rank, 1, 1);
  const stride = ints(op, 'strides', attrs.strides, rank, 1, 1);
  const pads = ints(op, 'pads', attrs.pads, 2 * rank, 0, 0);
  const outputShape = inputs[2] === undefined ? undefined : integerValues(op, 'output_shape', inputs[2]);
  if (outputShape !== undefined && outputShape.length !== x.shape.length) {
    throw new PoolingError('INVALID_PARAMETER', op, `output_shape must hold ${x.shape.length} sizes (N, C, spatial...); got ${show(outputShape)}`);
  }
  if (indices.shape.length !== x.shape.length || indices.shape.some((d, i) => d !== x.shape[i])) {
    throw new PoolingError('SHAPE_MISMATCH', op, `I must have X's shape ${show(x.shape)}; got ${show(indices.shape)}`);
  }
  const options = {
    kernel,
    stride,
    padding: kernel.map((_, a) => [pads[a]!, pads[a + rank]!] as [number, number]),
    outputSize: outputShape?.slice(2),
  };
  const planeSize = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const outSpatial =
    outputShape?.slice(2) ?? x.shape.slice(2).map((s, a) => (s - 1) * stride[a]! - pads[a]! - pads[a + rank]! + kernel[a]!);
  const outPlaneSize = outSpatial.reduce((p, d) => p * d, 1);
  // ONNX indices address the whole output tensor; the core takes the index inside each (n, c) plane.
  const perPlane = new Int32Array(indices.data.length);
  const whole = integerValues(op, 'I', indices);
  for (let i = 0; i < whole.length; i++) {
    const plane = Math.floor(i / planeSize);
    const local = whole[i]! - plane * outPlaneSize;
    if (local < 0 || local >= outPlaneSize) {
      throw new PoolingError(
        'INDEX_OUT_OF_RANGE',
        op,
        `I[${i}] = ${whole[i]} does not address plane ${plane} of the output (positions ${plane * outPlaneSize} to ${(plane + 1) * outPlaneSize - 1}, spatial size ${show(outSpatial)})`,
      );
    }
    perPlane[i] = local;
  }
  return [maxUnpool(x, { shape: x.shape, data: perPlane }, options)];
}

/**
 * Runs one ONNX pooling node. `inputs` are the node's inputs in order; the result holds its
 * outputs in order (MaxPool: Y and Indices). Inputs are never modified.
 *
 * Example: runOnnxNode('AveragePool', { kernel_shape: [2, 2], strides: [2, 2] }, [x]) on a
 * (1, 1, 4, 4) input gives the (1, 1, 2, 2) means of its 2x2 blocks.
 */
export function runOnnxNode(
  opType: OnnxOpType,
  attrs: OnnxAttributes,
  inputs: readonly (OnnxTensor | undefined)[],
): OnnxTensor[] {
  if (!(ONNX_OP_TYPES as readonly string[]).includes(opType)) {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      'runOnnxNode',
      `opType must be one of ${ONNX_OP_TYPES.map((t) => show(t)).join(', ')}; got ${show(opType)}`,
    );
  }
  const op = opType;
  checkAttributes(op, attrs);
  if (!Array.isArray(inputs)) {
    throw new PoolingError('INVALID_PARAMETER', op, `inputs must be an array of tensors; got ${show(inputs)}`);
  }
  if (op === 'MaxUnpool') return runMaxUnpool(attrs, inputs);
  const raw = inputAt(op, inputs, 0, 'X');
  const selectsValues = op === 'MaxPool' || op === 'GlobalMaxPool';
  const x: Tensor = toFloatTensor(op, 'X', raw, selectsValues, selectsValues ? FLOAT_OR_INTEGER : FLOAT_ONLY);
  const like = raw.data as NumericArray;
  const max: Reducer = { op: 'max', nan: 'propagate' };
  switch (op) {
    case 'AveragePool': {
      const includePad = flag(op, 'count_include_pad', attrs.count_include_pad);
      const plan = planWindowNode(op, x.shape, attrs, { op: 'avg', divisor: includePad ? 'padded' : 'valid', emptyWindow: 'zero' });
      return [runForward(plan, x)];
    }
    case 'MaxPool': {
      const columnMajor = flag(op, 'storage_order', attrs.storage_order);
      const plan = planWindowNode(op, x.shape, attrs, max);
      const { values, indices } = runForwardWithIndices(plan, x);
      return [backToContainer(values, like), { shape: plan.outputShape, data: wholeTensorIndices(plan, indices.data, columnMajor) }];
    }
    case 'LpPool': {
      const plan = planWindowNode(op, x.shape, attrs, { op: 'lp', p: lpPower(op, attrs.p), signed: false, rescale: false });
      return [runForward(plan, x)];
    }
    case 'GlobalAveragePool':
      return [runForward(planGlobalNode(op, x.shape, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' }), x)];
    case 'GlobalMaxPool':
      return [backToContainer(runForward(planGlobalNode(op, x.shape, max), x), like)];
    case 'GlobalLpPool':
      return [runForward(planGlobalNode(op, x.shape, { op: 'lp', p: lpPower(op, attrs.p), signed: false, rescale: false }), x)];
  }
}
