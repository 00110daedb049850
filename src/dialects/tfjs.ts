/**
 * The TF.js dialect: TF.js's positional signatures and its exact results on the cpu backend
 * (@tensorflow/tfjs-core 4.22 `conv_util.ts`, tfjs-backend-cpu `pool_utils.ts`). Layout NHWC or
 * NDHWC; a rank-3 (2-D ops) or rank-4 (3-D ops) input has no batch axis.
 *
 * TF.js's rules, each reproduced here:
 * - Output size with a numeric or explicit pad: R((L - k + padBegin + padEnd) / s + 1) where R is
 *   Math.trunc by default, or floor / round / ceil under dimRoundingMode. There is no "last window
 *   starts inside" rule: a window may hold no input at all, where average gives NaN (0/0) and max
 *   gives -Infinity. 'valid': ceil((L - k + 1) / s). 'same': ceil(L / s), the odd pad at the end.
 * - 2-D numeric pad: TF.js's computeOutputShape2D sizes BOTH axes with the first axis's filter and
 *   stride (filterHeight, strideHeight); the windows themselves use each axis's own values.
 * - Ties: the 2-D max keeps the first maximum (`pixel > max`), the 3-D one the last (`pixel >= max`
 *   in maxPool3dPositions), which decides where the gradient of tied maxima goes.
 * - Average pooling never counts padding. Max pooling skips NaN (`pixel > max` is false for NaN)
 *   (maxPool3d_x_1_3_3_3_1_f_2_2_2_s_1_p_valid_ignores_NaNs, maxPoolWithArgmax_x_1_3_3_1_f_2_2_s_1_ignores_NaNs);
 *   average pooling propagates it (avgPool3d_x_1_3_3_3_1_f_2_2_2_s_1_p_valid_propagates_NaNs).
 * - 2-D avgPool/maxPool with a 1x1 filter whose output has the input's shape return the input
 *   unchanged, whatever the stride and pad (the cpu kernels' identity shortcut):
 *   pool_avg_x_2_2_3_f_1_1_s_2_p_1_fractional_outputs_default_rounding gives back [1..12] although
 *   its first window (start -1) holds no input.
 * - The average gradient divides every window by the full filter size, padding and overhang
 *   included (AvgPoolGrad's avgMultiplier = 1 / (filterHeight * filterWidth)), so it is not the
 *   adjoint of the forward average when a window is cut: avgPool_gradient_x_3_3_1_f_3_3_s_1_p_explicit
 *   expects [0, 1, 1, 0, 2, 2, 0, 3, 3] = sums of dy / 9. The 2-D average gradient drops
 *   dimRoundingMode (TF.js's AvgPool gradient calls avgPoolGrad without it); the 3-D one keeps it.
 * - `pool` with dilations > 1 goes through spaceToBatchND: a numeric or explicit pad is dropped
 *   ('valid'), and 'same' pads with zeros that the average counts; max pooling over those zeros is
 *   not reproduced (UNSUPPORTED_OPTION).
 * - Errors: dimRoundingMode with a string pad or a non-integer pad; a rank other than 3/4 (2-D) or
 *   4/5 (3-D); average pooling of non-float data (int32); `pool` with both strides and dilations > 1.
 */
import { PoolingError, show } from '../plan/errors.js';
import { effectiveKernel, samePadding } from '../plan/output-size.js';
import { makePlan, splitShape, type PoolPlan, type Reducer, type SlidingAxis } from '../plan/plan.js';
import { checkOneOf, perAxis } from '../plan/validate.js';
import { runBackward, runForward, runForwardWithIndices } from '../ops/run.js';
import type { Tensor } from '../tensor.js';
import { backToContainer, toFloatTensor, type NumericArray, type NumericTensor } from './common.js';

export type DimRoundingMode = 'floor' | 'round' | 'ceil';
/** Explicit padding in NHWC order: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPadding = readonly (readonly [number, number])[];
export type TfjsPad = 'valid' | 'same' | number | ExplicitPadding;
export type PoolingType = 'avg' | 'max';
/** What TF.js's convertToTensor accepts besides a tensor: a number or nested arrays of numbers. */
export type TensorLike = number | readonly TensorLike[];
export type TfjsInput = NumericTensor | TensorLike;

interface Spec {
  readonly op: string;
  readonly spatialRank: 2 | 3;
  readonly filter: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pad: TfjsPad;
  readonly dimRoundingMode: DimRoundingMode | undefined;
  readonly reducer: Reducer;
}

function roundDim(value: number, mode: DimRoundingMode | undefined): number {
  switch (mode) {
    case undefined:
      return Math.trunc(value);
    case 'floor':
      return Math.floor(value);
    case 'round':
      return Math.round(value);
    case 'ceil':
      return Math.ceil(value);
  }
}

/** TF.js's checkPadOnDimRoundingMode, and our own check that a pad is whole and non-negative. */
function checkPad(op: string, pad: unknown, mode: DimRoundingMode | undefined, spatialRank: number): void {
  const rounding = mode === undefined ? '' : ` when using dimRoundingMode ${show(mode)}`;
  if (typeof pad === 'string') {
    if (mode !== undefined) {
      throw new PoolingError('INVALID_PARAMETER', op, `pad must be an integer${rounding}; got pad ${show(pad)}`);
    }
    checkOneOf(op, 'pad', pad, ['valid', 'same']);
    return;
  }
  const values = typeof pad === 'number' ? [pad] : Array.isArray(pad) ? pad.flat() : [pad];
  const explicitOk =
    typeof pad === 'number' ||
    (spatialRank === 2 && Array.isArray(pad) && pad.length === 4 && pad.every((p) => Array.isArray(p) && p.length === 2));
  if (!explicitOk) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `pad must be 'valid', 'same', a non-negative integer` +
        (spatialRank === 2 ? ` or [[0, 0], [top, bottom], [left, right], [0, 0]]` : '') +
        `; got ${show(pad)}`,
    );
  }
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new PoolingError('INVALID_PARAMETER', op, `pad must be a non-negative integer${rounding}; got pad ${show(pad)}`);
    }
  }
}

/** TF.js's geometry for one call: per-axis pads and output sizes, then the plan. */
function planTfjs(s: Spec, shape: readonly number[]): PoolPlan {
  const { op, spatialRank } = s;
  if (shape.length !== spatialRank + 1 && shape.length !== spatialRank + 2) {
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `x must be rank ${spatialRank + 2} (${spatialRank === 2 ? 'NHWC' : 'NDHWC'}) or ${spatialRank + 1} without the batch axis; got rank ${shape.length}, shape ${show(shape)}`,
    );
  }
  if (s.dimRoundingMode !== undefined) checkOneOf(op, 'dimRoundingMode', s.dimRoundingMode, ['floor', 'round', 'ceil']);
  checkPad(op, s.pad, s.dimRoundingMode, spatialRank);
  const split = splitShape(op, shape, 'channels-last', spatialRank);
  const axes: SlidingAxis[] = split.spatial.map((size, a) => {
    const kernel = s.filter[a]!;
    const stride = s.strides[a]!;
    const dilation = s.dilations[a]!;
    const keff = effectiveKernel(kernel, dilation);
    const axis = { kind: 'sliding' as const, size, kernel, stride, dilation };
    const pad = s.pad;
    if (pad === 'same') {
      const out = Math.ceil(size / stride);
      const total = (out - 1) * stride + keff - size;
      if (total < 0 && spatialRank === 3) {
        // TF.js's 3-D 'same' does not clamp, and would shift the windows by a negative pad.
        throw new PoolingError(
          'UNSUPPORTED_OPTION',
          op,
          `pad 'same' with filter ${kernel} < stride ${stride} on an axis of ${size} gives TF.js a negative padding (${total}); not reproduced`,
        );
      }
      const [padBegin, padEnd] = samePadding(size, keff, stride, 'end');
      return { ...axis, out, padBegin, padEnd };
    }
    if (pad === 'valid' && spatialRank === 2) {
      return { ...axis, out: Math.ceil((size - keff + 1) / stride), padBegin: 0, padEnd: 0 };
    }
    if (pad === 'valid' || typeof pad === 'number') {
      const p = pad === 'valid' ? 0 : pad;
      if (spatialRank === 3) {
        // computeOutputShape4D: an axis the filter does not fit keeps size 0.
        const out = size + 2 * p >= keff ? roundDim((size - keff + 2 * p) / stride + 1, s.dimRoundingMode) : 0;
        return { ...axis, out, padBegin: p, padEnd: p };
      }
      // computeOutputShape2D sizes every axis with the first axis's filter and stride.
      const out = roundDim((size - effectiveKernel(s.filter[0]!, s.dilations[0]!) + 2 * p) / s.strides[0]! + 1, s.dimRoundingMode);
      return { ...axis, out, padBegin: p, padEnd: p };
    }
    const [padBegin, padEnd] = pad[a + 1]!;
    return { ...axis, out: roundDim((size - keff + padBegin + padEnd) / stride + 1, s.dimRoundingMode), padBegin, padEnd };
  });
  return makePlan({ op, inputShape: shape, layout: 'channels-last', split, axes, reducer: s.reducer });
}

/** TF.js's convertToTensor: a tensor passes through, nested arrays become a float32 tensor. */
function toTensor(op: string, name: string, x: TfjsInput): NumericTensor {
  if (typeof x !== 'number' && !Array.isArray(x)) return x as NumericTensor;
  const shape: number[] = [];
  for (let level: TensorLike = x; Array.isArray(level); level = (level as readonly TensorLike[])[0]!) {
    shape.push((level as readonly TensorLike[]).length);
  }
  const values: number[] = [];
  const walk = (node: TensorLike, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw ragged();
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) throw ragged();
    for (const child of node as readonly TensorLike[]) walk(child, depth + 1);
  };
  const ragged = () =>
    new PoolingError('INVALID_PARAMETER', op, `${name} must be a tensor or a rectangular nested array of numbers; got ${show(x)}`);
  walk(x, 0);
  return { shape, data: Float32Array.from(values) };
}

const FLOAT_ONLY = 'float32 (a Float32Array; Float64Array is accepted too)';
const ANY_NUMERIC = 'numeric (a float or integer typed array)';

function avgInput(op: string, x: TfjsInput): Tensor {
  return toFloatTensor(op, 'x', toTensor(op, 'x', x), false, FLOAT_ONLY);
}

function maxInput(op: string, x: TfjsInput): { tensor: Tensor; like: NumericArray } {
  const raw = toTensor(op, 'x', x);
  return { tensor: toFloatTensor(op, 'x', raw, true, ANY_NUMERIC), like: raw.data };
}

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'nan' };
/** The 3-D cpu kernel divides by max(count, 1): a window with no input averages to 0, not 0/0. */
const AVG_3D: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'ignore' };
/** maxPool3dPositions compares with >=: a tie's gradient goes to the last maximum in scan order. */
const MAX_3D: Reducer = { op: 'max', nan: 'ignore', ties: 'last' };
const ONES2 = [1, 1] as const;
const ONES3 = [1, 1, 1] as const;

/** AvgPoolGrad / AvgPool3DGrad divide by the whole filter, whatever part of it lies in the input. */
function avgGradReducer(filter: readonly number[]): Reducer {
  return { op: 'avg', divisor: filter.reduce((p, k) => p * k, 1), emptyWindow: 'nan' };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The 2-D cpu kernels' identity shortcut: a 1x1 filter whose output keeps the input's shape. */
function forward2d(plan: PoolPlan, x: Tensor): Tensor {
  if (plan.axes.every((a) => a.kind === 'sliding' && a.kernel === 1) && sameShape(plan.outputShape, plan.inputShape)) {
    return { shape: plan.outputShape, data: x.data.slice() };
  }
  return runForward(plan, x);
}

function spec2d(op: string, filterSize: unknown, strides: unknown, pad: TfjsPad, mode: DimRoundingMode | undefined, reducer: Reducer): Spec {
  return {
    op,
    spatialRank: 2,
    filter: perAxis(op, 'filterSize', filterSize as number | number[], 2, 1),
    strides: perAxis(op, 'strides', strides as number | number[], 2, 1),
    dilations: ONES2,
    pad,
    dimRoundingMode: mode,
    reducer,
  };
}

function spec3d(
  op: string,
  filterSize: unknown,
  strides: unknown,
  pad: TfjsPad,
  mode: DimRoundingMode | undefined,
  dataFormat: string,
  reducer: Reducer,
): Spec {
  if (dataFormat !== 'NDHWC') {
    throw new PoolingError('UNSUPPORTED_OPTION', op, `only dataFormat "NDHWC" is supported (as in TF.js); got ${show(dataFormat)}`);
  }
  return {
    op,
    spatialRank: 3,
    filter: perAxis(op, 'filterSize', filterSize as number | number[], 3, 1),
    strides: perAxis(op, 'strides', strides as number | number[], 3, 1),
    dilations: ONES3,
    pad,
    dimRoundingMode: mode,
    reducer,
  };
}

type Size2 = number | readonly [number, number];
type Size3 = number | readonly [number, number, number];

/** tf.avgPool(x, filterSize, strides, pad, dimRoundingMode?) on NHWC data. */
export function avgPool(x: TfjsInput, filterSize: Size2, strides: Size2, pad: TfjsPad, dimRoundingMode?: DimRoundingMode): Tensor {
  const input = avgInput('avgPool', x);
  return forward2d(planTfjs(spec2d('avgPool', filterSize, strides, pad, dimRoundingMode, AVG), input.shape), input);
}

/** tf.maxPool(x, filterSize, strides, pad, dimRoundingMode?) on NHWC data; NaN is skipped. */
export function maxPool(x: TfjsInput, filterSize: Size2, strides: Size2, pad: TfjsPad, dimRoundingMode?: DimRoundingMode): NumericTensor {
  const { tensor, like } = maxInput('maxPool', x);
  return backToContainer(forward2d(planTfjs(spec2d('maxPool', filterSize, strides, pad, dimRoundingMode, MAX), tensor.shape), tensor), like);
}

/** tf.avgPool3d(x, filterSize, strides, pad, dimRoundingMode?, dataFormat = 'NDHWC'). */
export function avgPool3d(
  x: TfjsInput,
  filterSize: Size3,
  strides: Size3,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode,
  dataFormat: 'NDHWC' = 'NDHWC',
): Tensor {
  const input = avgInput('avgPool3d', x);
  return runForward(planTfjs(spec3d('avgPool3d', filterSize, strides, pad, dimRoundingMode, dataFormat, AVG_3D), input.shape), input);
}

/** tf.maxPool3d(x, filterSize, strides, pad, dimRoundingMode?, dataFormat = 'NDHWC'). */
export function maxPool3d(
  x: TfjsInput,
  filterSize: Size3,
  strides: Size3,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode,
  dataFormat: 'NDHWC' = 'NDHWC',
): NumericTensor {
  const { tensor, like } = maxInput('maxPool3d', x);
  return backToContainer(runForward(planTfjs(spec3d('maxPool3d', filterSize, strides, pad, dimRoundingMode, dataFormat, MAX_3D), tensor.shape), tensor), like);
}

export interface ResultWithArgmax {
  readonly result: NumericTensor;
  /** int32 flat NHWC index of each maximum: ((b * H + y) * W + x) * C + c, b only with includeBatchInIndex. */
  readonly indexes: { readonly shape: readonly number[]; readonly data: Int32Array };
}

/** tf.maxPoolWithArgmax(x, filterSize, strides, pad, includeBatchInIndex = false); x must be rank 4. */
export function maxPoolWithArgmax(
  x: TfjsInput,
  filterSize: Size2,
  strides: Size2,
  pad: 'valid' | 'same' | number,
  includeBatchInIndex = false,
): ResultWithArgmax {
  const op = 'maxPoolWithArgmax';
  const { tensor, like } = maxInput(op, x);
  if (tensor.shape.length !== 4) {
    throw new PoolingError('INVALID_RANK', op, `x must be rank 4 (NHWC); got rank ${tensor.shape.length}, shape ${show(tensor.shape)}`);
  }
  if (typeof includeBatchInIndex !== 'boolean') {
    throw new PoolingError('INVALID_PARAMETER', op, `includeBatchInIndex must be true or false; got ${show(includeBatchInIndex)}`);
  }
  const plan = planTfjs(spec2d(op, filterSize, strides, pad, undefined, MAX), tensor.shape);
  const { values, indices } = runForwardWithIndices(plan, tensor);
  const channels = plan.channels;
  const indexes = new Int32Array(indices.data.length);
  for (let i = 0; i < indexes.length; i++) {
    const spatial = indices.data[i]!;
    const batch = Math.floor(i / (plan.outputSpatialSize * channels));
    const batchOffset = includeBatchInIndex ? batch * plan.inputSpatialSize : 0;
    indexes[i] = spatial < 0 ? -1 : (batchOffset + spatial) * channels + (i % channels);
  }
  return { result: backToContainer(values, like), indexes: { shape: plan.outputShape, data: indexes } };
}

/** The plan of tf.pool: dilations > 1 reproduce TF.js's spaceToBatchND route. */
function planPool(
  op: string,
  shape: readonly number[],
  windowShape: unknown,
  poolingType: PoolingType,
  pad: TfjsPad,
  dilations: unknown,
  strides: unknown,
  mode: DimRoundingMode | undefined,
  gradient: boolean,
): PoolPlan {
  checkOneOf(op, 'poolingType', poolingType, ['avg', 'max']);
  const stride = perAxis(op, 'strides', (strides ?? 1) as number | number[], 2, 1);
  const dilation = perAxis(op, 'dilations', (dilations ?? 1) as number | number[], 2, 1);
  if (stride.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `either strides or dilations must be 1; got strides ${show(strides)} and dilations ${show(dilations)}`,
    );
  }
  const filter = perAxis(op, 'windowShape', windowShape as number | number[], 2, 1);
  // tf.pool turns a pad of 0 into 'valid', so dimRoundingMode with pad 0 is rejected as with 'valid'.
  const effectivePad: TfjsPad = pad === 0 ? 'valid' : pad;
  const reducer = poolingType === 'max' ? MAX : gradient ? avgGradReducer(filter) : AVG;
  if (dilation.every((d) => d === 1)) {
    return planTfjs({ op, spatialRank: 2, filter, strides: stride, dilations: dilation, pad: effectivePad, dimRoundingMode: mode, reducer }, shape);
  }
  if (mode !== undefined) {
    // The inner avgPool/maxPool receives pad 'valid' together with dimRoundingMode and rejects it.
    checkPad(op, 'valid', mode, 2);
  }
  if (effectivePad !== 'same') {
    // spaceToBatchND gets no base padding: a numeric or explicit pad is silently dropped.
    return planTfjs({ op, spatialRank: 2, filter, strides: stride, dilations: dilation, pad: 'valid', dimRoundingMode: undefined, reducer }, shape);
  }
  if (poolingType === 'max') {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      op,
      `max pooling with pad 'same' and dilations ${show(dilations)}: TF.js takes the maximum over zero padding (spaceToBatchND); not reproduced`,
    );
  }
  // The zeros spaceToBatchND pads with are real elements to the inner 'valid' average: counted.
  const countZeros: Reducer = gradient ? reducer : { op: 'avg', divisor: 'padded', emptyWindow: 'nan' };
  return planTfjs({ op, spatialRank: 2, filter, strides: stride, dilations: dilation, pad: 'same', dimRoundingMode: undefined, reducer: countZeros }, shape);
}

/** tf.pool(x, windowShape, poolingType, pad, dilations?, strides?, dimRoundingMode?) on NHWC data. */
export function pool(
  x: TfjsInput,
  windowShape: Size2,
  poolingType: PoolingType,
  pad: TfjsPad,
  dilations?: Size2,
  strides?: Size2,
  dimRoundingMode?: DimRoundingMode,
): NumericTensor {
  const op = 'pool';
  if (poolingType === 'avg') {
    const input = avgInput(op, x);
    return forward2d(planPool(op, input.shape, windowShape, poolingType, pad, dilations, strides, dimRoundingMode, false), input);
  }
  const { tensor, like } = maxInput(op, x);
  const plan = planPool(op, tensor.shape, windowShape, poolingType, pad, dilations, strides, dimRoundingMode, false);
  return backToContainer(forward2d(plan, tensor), like);
}

function gradInputs(op: string, dy: TfjsInput, x: TfjsInput): { dy: Tensor; x: Tensor } {
  return { dy: toFloatTensor(op, 'dy', toTensor(op, 'dy', dy), false, FLOAT_ONLY), x: toFloatTensor(op, 'x', toTensor(op, 'x', x), false, FLOAT_ONLY) };
}

/** TF.js's window gradients: avg spreads dy over the whole filter, max sends it to the first maximum. */
function windowGrad(
  op: string,
  spatialRank: 2 | 3,
  poolingType: PoolingType,
  args: { dy: TfjsInput; x: TfjsInput; filterSize: unknown; strides: unknown; pad: TfjsPad; mode: DimRoundingMode | undefined },
): Tensor {
  const t = gradInputs(op, args.dy, args.x);
  const filter = perAxis(op, 'filterSize', args.filterSize as number | number[], spatialRank, 1);
  const reducer = poolingType === 'avg' ? avgGradReducer(filter) : spatialRank === 3 ? MAX_3D : MAX;
  const spec =
    spatialRank === 2
      ? spec2d(op, filter, args.strides, args.pad, args.mode, reducer)
      : spec3d(op, filter, args.strides, args.pad, args.mode, 'NDHWC', reducer);
  return runBackward(planTfjs(spec, t.x.shape), t.dy, poolingType === 'max' ? t.x : undefined);
}

/** The gradient tf.grad gives for tf.avgPool (TF.js passes no dimRoundingMode to it). */
export function avgPoolGrad(dy: TfjsInput, x: TfjsInput, filterSize: Size2, strides: Size2, pad: TfjsPad): Tensor {
  return windowGrad('avgPoolGrad', 2, 'avg', { dy, x, filterSize, strides, pad, mode: undefined });
}

/** The gradient tf.grad gives for tf.maxPool. */
export function maxPoolGrad(
  dy: TfjsInput,
  x: TfjsInput,
  filterSize: Size2,
  strides: Size2,
  pad: TfjsPad,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  return windowGrad('maxPoolGrad', 2, 'max', { dy, x, filterSize, strides, pad, mode: dimRoundingMode });
}

/** The gradient tf.grad gives for tf.avgPool3d. */
export function avgPool3dGrad(
  dy: TfjsInput,
  x: TfjsInput,
  filterSize: Size3,
  strides: Size3,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  return windowGrad('avgPool3dGrad', 3, 'avg', { dy, x, filterSize, strides, pad, mode: dimRoundingMode });
}

/** The gradient tf.grad gives for tf.maxPool3d. */
export function maxPool3dGrad(
  dy: TfjsInput,
  x: TfjsInput,
  filterSize: Size3,
  strides: Size3,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  return windowGrad('maxPool3dGrad', 3, 'max', { dy, x, filterSize, strides, pad, mode: dimRoundingMode });
}

/** The gradient of tf.pool: avgPoolGrad / maxPoolGrad semantics through the same route as the forward. */
export function poolGrad(
  dy: TfjsInput,
  x: TfjsInput,
  windowShape: Size2,
  poolingType: PoolingType,
  pad: TfjsPad,
  dilations?: Size2,
  strides?: Size2,
  dimRoundingMode?: DimRoundingMode,
): Tensor {
  const op = 'poolGrad';
  const t = gradInputs(op, dy, x);
  // As in avgPoolGrad, TF.js's average gradient drops dimRoundingMode.
  const mode = poolingType === 'avg' ? undefined : dimRoundingMode;
  const plan = planPool(op, t.x.shape, windowShape, poolingType, pad, dilations, strides, mode, true);
  return runBackward(plan, t.dy, poolingType === 'max' ? t.x : undefined);
}
