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
 * - An axis that sizes to 0 (a 'valid' window larger than the input, the 3-D ops' "filter does not
 *   fit" rule, a numeric pad under computeOutputShape2D) gives an empty tensor, as TF.js returns;
 *   its gradient is all zeros. A negative size is an error (TF.js: "Tensor must have a shape
 *   comprised of positive integers"). `pool` with dilations > 1 sizes each axis through
 *   spaceToBatchND: ceil(L / d) - k + 1 windows per sub-image, so it is empty when that is 0 and
 *   an error when it is negative, even where L - k_eff + 1 alone would say otherwise.
 * - Errors: dimRoundingMode with a string pad or a non-integer pad; a rank other than 3/4 (2-D) or
 *   4/5 (3-D); average pooling of non-float data (int32); `pool` with both strides and dilations > 1.
 *
 * Every argument is read once, and every input checked (shape, length, dtype), before anything is
 * allocated.
 */
import { PoolingError, show } from '../plan/errors.js';
import { effectiveKernel, samePadding } from '../plan/output-size.js';
import { axisName, isPlan, makePlan, splitShape, type PoolPlan, type Reducer, type SlidingAxis } from '../plan/plan.js';
import { cachedPlan } from '../ops/plan-cache.js';
import { runBackward, runForward, runForwardWithIndices } from '../ops/run.js';
import { allocate, dtypeOf, MAX_ELEMENTS, sameShape, type Tensor } from '../tensor.js';
import {
  backToContainer,
  emptyLike,
  FLOAT_KINDS,
  isArray,
  INTEGER_KINDS,
  MAX_RANK,
  readChoice,
  readList,
  readPerAxis,
  readTensor,
  widenToFloat,
  type NumericArray,
  type NumericTensor,
  type TensorSnapshot,
} from './common.js';

/** How TF.js rounds an output size with a numeric or explicit pad (default: truncation). */
export type DimRoundingMode = 'floor' | 'round' | 'ceil';
/** Explicit padding in NHWC order: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPadding = readonly (readonly [number, number])[];
/** TF.js's pad argument: 'valid', 'same', one number for every side, or explicit pairs (2-D ops). */
export type TfjsPad = 'valid' | 'same' | number | ExplicitPadding;
/** tf.pool's poolingType. */
export type PoolingType = 'avg' | 'max';
/** What TF.js's convertToTensor accepts besides a tensor: a number or nested arrays of numbers. */
export type TensorLike = number | readonly TensorLike[];
/** An input as TF.js's ops take it: a tensor `{ shape, data }` or nested arrays of numbers (read as float32). */
export type TfjsInput = NumericTensor | TensorLike;

/** A pad argument read once: 'valid', 'same', one number for every side, or explicit 2-D pairs. */
type Pad =
  | { readonly kind: 'valid' }
  | { readonly kind: 'same' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'explicit'; readonly pairs: readonly (readonly [number, number])[] };

interface Spec {
  readonly op: string;
  readonly spatialRank: 2 | 3;
  readonly filter: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pad: Pad;
  readonly dimRoundingMode: DimRoundingMode | undefined;
  readonly reducer: Reducer;
  /** tf.pool with dilations > 1: each axis is sized through spaceToBatchND (see the header). */
  readonly spaceToBatch?: boolean;
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

function readMode(op: string, mode: unknown): DimRoundingMode | undefined {
  // TF.js tests `dimRoundingMode != null`: null means none, as undefined does.
  return mode === undefined || mode === null ? undefined : readChoice<DimRoundingMode>(op, 'dimRoundingMode', mode, ['floor', 'round', 'ceil']);
}

/** TF.js's checkPadOnDimRoundingMode, and our own check that a pad is whole and non-negative. */
function readPad(op: string, pad: unknown, mode: DimRoundingMode | undefined, spatialRank: number): Pad {
  const rounding = mode === undefined ? '' : ` when using dimRoundingMode ${show(mode)}`;
  if (typeof pad === 'string') {
    if (mode !== undefined) {
      throw new PoolingError('INVALID_PARAMETER', op, `pad must be an integer${rounding}; got pad ${show(pad)}`);
    }
    return readChoice<'valid' | 'same'>(op, 'pad', pad, ['valid', 'same']) === 'valid' ? { kind: 'valid' } : { kind: 'same' };
  }
  const whole = (v: unknown): number => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ELEMENTS) return v;
    throw new PoolingError('INVALID_PARAMETER', op, `pad must be a non-negative integer${rounding}; got pad ${show(pad)}`);
  };
  if (typeof pad === 'number') return { kind: 'number', value: whole(pad) };
  const expected =
    `'valid', 'same', a non-negative integer` + (spatialRank === 2 ? ` or [[0, 0], [top, bottom], [left, right], [0, 0]]` : '');
  if (spatialRank !== 2) throw new PoolingError('INVALID_PARAMETER', op, `pad must be ${expected}; got ${show(pad)}`);
  const pairs = readList(op, 'pad', pad, [4], expected).map((pair) => readList(op, 'pad', pair, [2], expected).map(whole));
  return { kind: 'explicit', pairs: pairs.slice(1, 3).map(([begin, end]) => [begin!, end!] as const) };
}

function describePad(pad: Pad): string {
  return pad.kind === 'number' ? `${pad.value}` : pad.kind === 'explicit' ? show(pad.pairs) : `'${pad.kind}'`;
}

/** Either the plan, or the shape of the empty tensor TF.js returns when an axis sizes to 0. */
type Geometry = { readonly empty: false; readonly plan: PoolPlan } | { readonly empty: true; readonly outputShape: readonly number[] };

/** TF.js's geometry for one call: per-axis pads and output sizes, then the plan, or the empty output's shape. */
function sizeTfjs(s: Spec, shape: readonly number[]): PoolPlan | { readonly outputShape: readonly number[] } {
  const { op, spatialRank } = s;
  if (shape.length !== spatialRank + 1 && shape.length !== spatialRank + 2) {
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `x must be rank ${spatialRank + 2} (${spatialRank === 2 ? 'NHWC' : 'NDHWC'}) or ${spatialRank + 1} without the batch axis; got rank ${shape.length}, shape ${show(shape)}`,
    );
  }
  const split = splitShape(op, shape, 'channels-last', spatialRank);
  const pad = s.pad;
  const axes: SlidingAxis[] = split.spatial.map((size, a) => {
    const kernel = s.filter[a]!;
    const stride = s.strides[a]!;
    const dilation = s.dilations[a]!;
    const keff = effectiveKernel(kernel, dilation);
    const axis = { kind: 'sliding' as const, size, kernel, stride, dilation };
    if (pad.kind === 'same') {
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
    if (pad.kind === 'valid' && s.spaceToBatch) {
      // spaceToBatchND cuts the axis into d sub-images of ceil(L / d) and pools each 'valid' with
      // the undilated filter; when that leaves windows, their count is L - k_eff + 1 in all.
      const inner = Math.ceil(size / dilation) - kernel + 1;
      return { ...axis, out: inner <= 0 ? inner : size - keff + 1, padBegin: 0, padEnd: 0 };
    }
    if (pad.kind === 'valid' && spatialRank === 2) {
      return { ...axis, out: Math.ceil((size - keff + 1) / stride), padBegin: 0, padEnd: 0 };
    }
    if (pad.kind === 'valid' || pad.kind === 'number') {
      const p = pad.kind === 'valid' ? 0 : pad.value;
      if (spatialRank === 3) {
        // computeOutputShape4D: an axis the filter does not fit keeps size 0.
        const out = size + 2 * p >= keff ? roundDim((size - keff + 2 * p) / stride + 1, s.dimRoundingMode) : 0;
        return { ...axis, out, padBegin: p, padEnd: p };
      }
      // computeOutputShape2D sizes every axis with the first axis's filter and stride.
      const out = roundDim((size - effectiveKernel(s.filter[0]!, s.dilations[0]!) + 2 * p) / s.strides[0]! + 1, s.dimRoundingMode);
      return { ...axis, out, padBegin: p, padEnd: p };
    }
    const [padBegin, padEnd] = pad.pairs[a]!;
    return { ...axis, out: roundDim((size - keff + padBegin + padEnd) / stride + 1, s.dimRoundingMode), padBegin, padEnd };
  });
  // Math.ceil and Math.round give -0 for small negative quotients: a size of 0 all the same.
  const sized = axes.map((axis) => ({ ...axis, out: axis.out + 0 }));
  sized.forEach((axis, a) => {
    if (axis.out < 0) {
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `output size on axis ${axisName(a, spatialRank)} would be ${axis.out} (input ${axis.size}, filter ${axis.kernel}` +
          `${axis.dilation > 1 ? `, dilation ${axis.dilation}` : ''}, stride ${axis.stride}, pad ${describePad(pad)}); TF.js refuses a negative size too. Given shape ${show(shape)}`,
      );
    }
  });
  const spatialOut = sized.map((axis) => axis.out);
  const outputShape = split.batched ? [split.batch, ...spatialOut, split.channels] : [...spatialOut, split.channels];
  if (outputShape.some((d) => d === 0)) return { outputShape };
  return makePlan({ op, inputShape: shape, layout: 'channels-last', split, axes: sized, reducer: s.reducer });
}

/** Reducers as key text, once per reducer object (all but the gradients' are constants). */
const reducerTexts = new WeakMap<Reducer, string>();

function reducerKey(reducer: Reducer): string {
  let text = reducerTexts.get(reducer);
  if (text === undefined) reducerTexts.set(reducer, (text = `tfjs ${JSON.stringify(reducer)}`));
  return text;
}

/**
 * TF.js's geometry through the plan cache, keyed by every field of the spec (as the other
 * dialects' plans are, see plannedSliding): repeated calls skip the sizing and share one plan, and
 * with it the window tables and kernel geometry kept for it. An empty output is not kept.
 */
function planTfjs(s: Spec, shape: readonly number[]): Geometry {
  const { pad } = s;
  const key = {
    spatialRank: s.spatialRank,
    filter: s.filter,
    strides: s.strides,
    dilations: s.dilations,
    pad: pad.kind === 'number' ? pad.value : pad.kind === 'explicit' ? pad.pairs : pad.kind,
    dimRoundingMode: s.dimRoundingMode,
    spaceToBatch: s.spaceToBatch === true,
  };
  const planned = cachedPlan(reducerKey(s.reducer), s.op, shape, key, () => sizeTfjs(s, shape));
  return isPlan(planned) ? { empty: false, plan: planned } : { empty: true, outputShape: planned.outputShape };
}

/** TF.js's convertToTensor: a tensor passes through, nested arrays become a float32 tensor. */
function toTensor(op: string, name: string, x: unknown, kinds: readonly string[], expected: string): TensorSnapshot {
  if (typeof x !== 'number' && !isArray(x)) return readTensor(op, name, x, kinds as never, expected);
  const ragged = () =>
    new PoolingError('INVALID_PARAMETER', op, `${name} must be a tensor or a rectangular nested array of numbers; got ${show(x)}`);
  const shape: number[] = [];
  let count = 1;
  for (let level: unknown = x; isArray(level); level = (level as readonly unknown[])[0]) {
    const length = (level as readonly unknown[]).length;
    shape.push(length);
    count *= length;
    if (shape.length > MAX_RANK) throw ragged();
    if (count > MAX_NESTED) {
      throw new PoolingError('SIZE_TOO_LARGE', op, `${name} as nested arrays may hold at most ${MAX_NESTED} numbers (pass a tensor { shape, data } for more); got shape ${show(shape)}`);
    }
  }
  // Values are collected as the walk finds them: a claimed length allocates nothing by itself.
  const values: number[] = [];
  // Each node's length is read once and must agree with the first row's: a rectangular array.
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw ragged();
      values.push(node);
      return;
    }
    if (!isArray(node)) throw ragged();
    const length = node.length;
    if (length !== shape[depth]) throw ragged();
    for (let i = 0; i < length; i++) walk(node[i], depth + 1);
  };
  try {
    walk(x, 0);
  } catch (error) {
    if (error instanceof PoolingError) throw error;
    throw ragged();
  }
  return { shape: Object.freeze(shape), data: Float32Array.from(values), kind: 'Float32Array' };
}

/** Nested arrays are for literal data, as in TF.js's tests; larger inputs come as tensors. */
const MAX_NESTED = 2 ** 24;
const FLOAT_ONLY = 'float32 (a Float32Array; Float64Array is accepted too)';
const ANY_NUMERIC = 'numeric (a float or integer typed array)';
const NUMERIC_KINDS = [...FLOAT_KINDS, ...INTEGER_KINDS];

function floatInput(op: string, name: string, x: unknown): TensorSnapshot {
  return toTensor(op, name, x, FLOAT_KINDS, FLOAT_ONLY);
}

function maxInput(op: string, x: unknown): TensorSnapshot {
  return toTensor(op, 'x', x, NUMERIC_KINDS, ANY_NUMERIC);
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


/** Runs the forward pass, or returns TF.js's empty tensor in the input's own container. */
function forward(g: Geometry, x: TensorSnapshot, identityShortcut: boolean): NumericTensor {
  if (g.empty) return emptyLike(g.outputShape, x.data as NumericArray);
  const plan = g.plan;
  // The 2-D cpu kernels' identity shortcut: a 1x1 filter whose output keeps the input's shape.
  if (identityShortcut && plan.axes.every((a) => a.kind === 'sliding' && a.kernel === 1) && sameShape(plan.outputShape, plan.inputShape)) {
    return { shape: plan.outputShape, data: x.data.slice() as NumericArray };
  }
  return backToContainer(runForward(plan, widenToFloat(plan.op, x)), x.data as NumericArray);
}

/** Runs the backward pass; an empty forward output has an all-zero gradient (after dy is checked). */
function backward(op: string, g: Geometry, dy: TensorSnapshot, x: TensorSnapshot, withInput: boolean): Tensor {
  const dyTensor = widenToFloat(op, dy);
  if (!g.empty) return runBackward(g.plan, dyTensor, withInput ? widenToFloat(op, x) : undefined);
  if (!sameShape(dy.shape, g.outputShape)) {
    throw new PoolingError('SHAPE_MISMATCH', op, `dy must have the forward output's shape ${show(g.outputShape)} (input ${show(x.shape)}); got ${show(dy.shape)}`);
  }
  return { shape: x.shape, data: allocate(dtypeOf(dyTensor.data), x.data.length) };
}

function spec(
  op: string,
  spatialRank: 2 | 3,
  args: { filterSize: unknown; strides: unknown; pad: unknown; mode: unknown; dataFormat?: unknown },
  reducer: (filter: readonly number[]) => Reducer,
): Spec {
  if (spatialRank === 3 && args.dataFormat !== undefined && args.dataFormat !== 'NDHWC') {
    throw new PoolingError('UNSUPPORTED_OPTION', op, `only dataFormat "NDHWC" is supported (as in TF.js); got ${show(args.dataFormat)}`);
  }
  const filter = readPerAxis(op, 'filterSize', args.filterSize, spatialRank, 1);
  const strides = readPerAxis(op, 'strides', args.strides, spatialRank, 1);
  const mode = readMode(op, args.mode);
  const pad = readPad(op, args.pad, mode, spatialRank);
  return {
    op,
    spatialRank,
    filter,
    strides,
    dilations: spatialRank === 2 ? ONES2 : ONES3,
    pad,
    dimRoundingMode: mode,
    reducer: reducer(filter),
  };
}

const fixed = (r: Reducer) => () => r;

/** A 2-D size: one number for both axes, or [height, width]. */
export type Size2 = number | readonly [number, number];
/** A 3-D size: one number for every axis, or [depth, height, width]. */
export type Size3 = number | readonly [number, number, number];

/**
 * TF.js's `tf.avgPool(x, filterSize, strides, pad, dimRoundingMode?)` on NHWC data, with the cpu
 * backend's exact results: padding never counts in the divisor, and a window that holds no input
 * averages to NaN (0/0). Output size with a numeric or explicit pad: R((L - k + padBegin + padEnd) / s + 1),
 * R truncation or dimRoundingMode; 'valid' ceil((L - k + 1) / s); 'same' ceil(L / s).
 *
 * @param x - (N, H, W, C), or (H, W, C) without the batch axis: a float tensor or nested arrays.
 * @param filterSize - The window: one number or [height, width].
 * @param strides - The step: one number or [height, width].
 * @param pad - 'valid', 'same', a number, or [[0, 0], [top, bottom], [left, right], [0, 0]].
 * @param dimRoundingMode - How a numeric or explicit pad's output size rounds.
 * @returns The output, NHWC (float32 for nested arrays, else `x`'s dtype).
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4 (NHWC) or 3 (HWC, unbatched);
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 * @example
 * ```js
 * import { tensor, tfjs } from 'tensor-pooling';
 *
 * const x = tensor([1, 4, 4, 1], Float32Array.from({ length: 16 }, (_, i) => i));
 * console.log(Array.from(tfjs.avgPool(x, 2, 2, 'valid').data));
 * // prints: [ 2.5, 4.5, 10.5, 12.5 ]
 * console.log(tfjs.avgPool([[[1], [2], [3]]], [1, 2], 1, 'same').shape);
 * // prints: [ 1, 3, 1 ]
 * ```
 */
export function avgPool(x: TfjsInput, filterSize: Size2, strides: Size2, pad: TfjsPad, dimRoundingMode?: DimRoundingMode): Tensor {
  const op = 'avgPool';
  const input = floatInput(op, 'x', x);
  const s = spec(op, 2, { filterSize, strides, pad, mode: dimRoundingMode }, fixed(AVG));
  return forward(planTfjs(s, input.shape), input, true) as Tensor;
}

/**
 * TF.js's `tf.maxPool(x, filterSize, strides, pad, dimRoundingMode?)` on NHWC data, with the cpu
 * backend's exact results: NaN is skipped, ties keep the first maximum, and a window that holds no
 * input gives -Infinity. Output sizes as {@link avgPool}'s. Integer data is carried through exactly.
 *
 * @param x - (N, H, W, C), or (H, W, C) without the batch axis: a tensor (float or integer) or nested arrays.
 * @param filterSize - The window: one number or [height, width].
 * @param strides - The step: one number or [height, width].
 * @param pad - 'valid', 'same', a number, or [[0, 0], [top, bottom], [left, right], [0, 0]].
 * @param dimRoundingMode - How a numeric or explicit pad's output size rounds.
 * @returns The output, NHWC, in `x`'s array kind.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: `x`'s data is not a float or integer typed array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4 (NHWC) or 3 (HWC, unbatched);
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
export function maxPool(x: TfjsInput, filterSize: Size2, strides: Size2, pad: TfjsPad, dimRoundingMode?: DimRoundingMode): NumericTensor {
  const op = 'maxPool';
  const input = maxInput(op, x);
  const s = spec(op, 2, { filterSize, strides, pad, mode: dimRoundingMode }, fixed(MAX));
  return forward(planTfjs(s, input.shape), input, true);
}

/**
 * TF.js's `tf.avgPool3d(x, filterSize, strides, pad, dimRoundingMode?, dataFormat)` on NDHWC data,
 * with the cpu backend's exact results (an axis the filter does not fit gives an empty tensor; a
 * window with no input averages to 0).
 *
 * @param x - (N, D, H, W, C), or (D, H, W, C) without the batch axis.
 * @param filterSize - The window: one number or [depth, height, width].
 * @param strides - The step: one number or [depth, height, width].
 * @param pad - 'valid', 'same' or a number.
 * @param dimRoundingMode - How a numeric pad's output size rounds.
 * @param dataFormat - 'NDHWC', the only format TF.js supports.
 * @returns The output, NDHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 5 (NDHWC) or 4 (DHWC, unbatched);
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `UNSUPPORTED_OPTION`: `pad: 'same'` with a filter smaller than the stride (TF.js would shift the windows by a negative pad), or a dataFormat other than 'NDHWC';
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
export function avgPool3d(
  x: TfjsInput,
  filterSize: Size3,
  strides: Size3,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode,
  dataFormat: 'NDHWC' = 'NDHWC',
): Tensor {
  const op = 'avgPool3d';
  const input = floatInput(op, 'x', x);
  const s = spec(op, 3, { filterSize, strides, pad, mode: dimRoundingMode, dataFormat }, fixed(AVG_3D));
  return forward(planTfjs(s, input.shape), input, false) as Tensor;
}

/**
 * TF.js's `tf.maxPool3d(x, filterSize, strides, pad, dimRoundingMode?, dataFormat)` on NDHWC data,
 * with the cpu backend's exact results: NaN is skipped, and ties keep the last maximum (which is
 * where {@link maxPool3dGrad} sends their gradient).
 *
 * @param x - (N, D, H, W, C), or (D, H, W, C) without the batch axis.
 * @param filterSize - The window: one number or [depth, height, width].
 * @param strides - The step: one number or [depth, height, width].
 * @param pad - 'valid', 'same' or a number.
 * @param dimRoundingMode - How a numeric pad's output size rounds.
 * @param dataFormat - 'NDHWC', the only format TF.js supports.
 * @returns The output, NDHWC, in `x`'s array kind.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: `x`'s data is not a float or integer typed array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 5 (NDHWC) or 4 (DHWC, unbatched);
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `UNSUPPORTED_OPTION`: `pad: 'same'` with a filter smaller than the stride (TF.js would shift the windows by a negative pad), or a dataFormat other than 'NDHWC';
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
export function maxPool3d(
  x: TfjsInput,
  filterSize: Size3,
  strides: Size3,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: DimRoundingMode,
  dataFormat: 'NDHWC' = 'NDHWC',
): NumericTensor {
  const op = 'maxPool3d';
  const input = maxInput(op, x);
  const s = spec(op, 3, { filterSize, strides, pad, mode: dimRoundingMode, dataFormat }, fixed(MAX_3D));
  return forward(planTfjs(s, input.shape), input, false);
}

/** What {@link maxPoolWithArgmax} returns. */
export interface ResultWithArgmax {
  /** The maxima, as {@link maxPool} returns them. */
  readonly result: NumericTensor;
  /** int32 flat NHWC index of each maximum: ((b * H + y) * W + x) * C + c, b only with includeBatchInIndex. */
  readonly indexes: {
    /** The output's shape. */
    readonly shape: readonly number[];
    /** One index per output element. */
    readonly data: Int32Array;
  };
}

/**
 * TF.js's `tf.maxPoolWithArgmax(x, filterSize, strides, pad, includeBatchInIndex)`: the maxima and
 * the flat NHWC index of each, ((b * H + y) * W + x) * C + c, with b only when `includeBatchInIndex`.
 *
 * @param x - (N, H, W, C): rank 4 only, as in TF.js.
 * @param filterSize - The window: one number or [height, width].
 * @param strides - The step: one number or [height, width].
 * @param pad - 'valid', 'same' or a number.
 * @param includeBatchInIndex - Count the batch in the index; default false.
 * @returns `result` and `indexes`.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: `x`'s data is not a float or integer typed array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4;
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
export function maxPoolWithArgmax(
  x: TfjsInput,
  filterSize: Size2,
  strides: Size2,
  pad: 'valid' | 'same' | number,
  includeBatchInIndex = false,
): ResultWithArgmax {
  const op = 'maxPoolWithArgmax';
  const input = maxInput(op, x);
  if (input.shape.length !== 4) {
    throw new PoolingError('INVALID_RANK', op, `x must be rank 4 (NHWC); got rank ${input.shape.length}, shape ${show(input.shape)}`);
  }
  if (typeof includeBatchInIndex !== 'boolean') {
    throw new PoolingError('INVALID_PARAMETER', op, `includeBatchInIndex must be true or false; got ${show(includeBatchInIndex)}`);
  }
  const g = planTfjs(spec(op, 2, { filterSize, strides, pad, mode: undefined }, fixed(MAX)), input.shape);
  if (g.empty) {
    return { result: emptyLike(g.outputShape, input.data as NumericArray), indexes: emptyLike(g.outputShape, new Int32Array(0)) };
  }
  const plan = g.plan;
  const { values, indices } = runForwardWithIndices(plan, widenToFloat(op, input));
  const channels = plan.channels;
  const indexes = new Int32Array(indices.data.length);
  for (let i = 0; i < indexes.length; i++) {
    const spatial = indices.data[i]!;
    const batch = Math.floor(i / (plan.outputSpatialSize * channels));
    const batchOffset = includeBatchInIndex ? batch * plan.inputSpatialSize : 0;
    indexes[i] = spatial < 0 ? -1 : (batchOffset + spatial) * channels + (i % channels);
  }
  return { result: backToContainer(values, input.data as NumericArray), indexes: { shape: plan.outputShape, data: indexes } };
}

/** The geometry of tf.pool: dilations > 1 reproduce TF.js's spaceToBatchND route. */
function planPool(
  op: string,
  shape: readonly number[],
  args: { windowShape: unknown; poolingType: PoolingType; pad: unknown; dilations: unknown; strides: unknown; mode: unknown },
  gradient: boolean,
): Geometry {
  const { poolingType } = args;
  const stride = readPerAxis(op, 'strides', args.strides ?? 1, 2, 1);
  const dilation = readPerAxis(op, 'dilations', args.dilations ?? 1, 2, 1);
  if (stride.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `either strides or dilations must be 1; got strides ${show(stride)} and dilations ${show(dilation)}`,
    );
  }
  const filter = readPerAxis(op, 'windowShape', args.windowShape, 2, 1);
  const mode = readMode(op, args.mode);
  // tf.pool turns a pad of 0 into 'valid', so dimRoundingMode with pad 0 is rejected as with 'valid'.
  const pad = readPad(op, args.pad === 0 ? 'valid' : args.pad, mode, 2);
  const reducer = poolingType === 'max' ? MAX : gradient ? avgGradReducer(filter) : AVG;
  const base = { op, spatialRank: 2 as const, filter, strides: stride, dilations: dilation };
  if (dilation.every((d) => d === 1)) return planTfjs({ ...base, pad, dimRoundingMode: mode, reducer }, shape);
  if (mode !== undefined) {
    // The inner avgPool/maxPool receives pad 'valid' together with dimRoundingMode and rejects it.
    readPad(op, 'valid', mode, 2);
  }
  if (pad.kind !== 'same') {
    // spaceToBatchND gets no base padding: a numeric or explicit pad is silently dropped.
    return planTfjs({ ...base, pad: { kind: 'valid' }, dimRoundingMode: undefined, reducer, spaceToBatch: true }, shape);
  }
  if (poolingType === 'max') {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      op,
      `max pooling with pad 'same' and dilations ${show(dilation)}: TF.js takes the maximum over zero padding (spaceToBatchND); not reproduced`,
    );
  }
  // The zeros spaceToBatchND pads with are real elements to the inner 'valid' average: counted.
  const countZeros: Reducer = gradient ? reducer : { op: 'avg', divisor: 'padded', emptyWindow: 'nan' };
  return planTfjs({ ...base, pad, dimRoundingMode: undefined, reducer: countZeros }, shape);
}

/**
 * TF.js's `tf.pool(x, windowShape, poolingType, pad, dilations?, strides?, dimRoundingMode?)` on NHWC
 * data. Without dilation it is {@link avgPool} or {@link maxPool}; with dilations > 1 it reproduces
 * TF.js's spaceToBatchND route (a numeric or explicit pad is dropped; 'same' pads with zeros that
 * the average counts).
 *
 * @param x - (N, H, W, C), or (H, W, C) without the batch axis.
 * @param windowShape - The window: one number or [height, width].
 * @param poolingType - 'avg' or 'max'.
 * @param pad - 'valid', 'same', a number, or explicit pairs.
 * @param dilations - Step between taps; default 1.
 * @param strides - Step between windows; default 1. Strides and dilations cannot both exceed 1.
 * @param dimRoundingMode - How a numeric or explicit pad's output size rounds.
 * @returns The output, NHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: `x`'s data is not float (or, for 'max', integer);
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4 (NHWC) or 3 (HWC, unbatched);
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `UNSUPPORTED_OPTION`: max pooling with pad 'same' and dilations > 1 (TF.js takes the maximum over zero padding; not reproduced);
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
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
  const type = readChoice<PoolingType>(op, 'poolingType', poolingType, ['avg', 'max']);
  const input = type === 'avg' ? floatInput(op, 'x', x) : maxInput(op, x);
  const g = planPool(op, input.shape, { windowShape, poolingType: type, pad, dilations, strides, mode: dimRoundingMode }, false);
  return forward(g, input, true);
}

/** TF.js's window gradients: avg spreads dy over the whole filter, max sends it to the first maximum. */
function windowGrad(
  op: string,
  spatialRank: 2 | 3,
  poolingType: PoolingType,
  args: { dy: unknown; x: unknown; filterSize: unknown; strides: unknown; pad: unknown; mode: unknown },
): Tensor {
  const dy = floatInput(op, 'dy', args.dy);
  const x = floatInput(op, 'x', args.x);
  const reducer = (filter: readonly number[]) => (poolingType === 'avg' ? avgGradReducer(filter) : spatialRank === 3 ? MAX_3D : MAX);
  const s = spec(op, spatialRank, args, reducer);
  return backward(op, planTfjs(s, x.shape), dy, x, poolingType === 'max');
}

/**
 * The gradient `tf.grad` gives for {@link avgPool}: TF.js divides every window by the whole filter
 * size, padding and overhang included, and passes no dimRoundingMode (so it is not the forward's
 * adjoint when a window is cut; that is TF.js's behaviour, reproduced).
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input (its shape).
 * @param filterSize - The forward call's filterSize.
 * @param strides - The forward call's strides.
 * @param pad - The forward call's pad.
 * @returns dL/dx, NHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4 (NHWC) or 3 (HWC, unbatched);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
export function avgPoolGrad(dy: TfjsInput, x: TfjsInput, filterSize: Size2, strides: Size2, pad: TfjsPad): Tensor {
  return windowGrad('avgPoolGrad', 2, 'avg', { dy, x, filterSize, strides, pad, mode: undefined });
}

/**
 * The gradient `tf.grad` gives for {@link maxPool}: each output's gradient goes to its window's
 * first maximum.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param filterSize - The forward call's filterSize.
 * @param strides - The forward call's strides.
 * @param pad - The forward call's pad.
 * @param dimRoundingMode - The forward call's dimRoundingMode.
 * @returns dL/dx, NHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4 (NHWC) or 3 (HWC, unbatched);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
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

/**
 * The gradient `tf.grad` gives for {@link avgPool3d}: every window divided by the whole filter size.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input (its shape).
 * @param filterSize - The forward call's filterSize.
 * @param strides - The forward call's strides.
 * @param pad - The forward call's pad.
 * @param dimRoundingMode - The forward call's dimRoundingMode.
 * @returns dL/dx, NDHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 5 (NDHWC) or 4 (DHWC, unbatched);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `UNSUPPORTED_OPTION`: `pad: 'same'` with a filter smaller than the stride (TF.js would shift the windows by a negative pad), or a dataFormat other than 'NDHWC';
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
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

/**
 * The gradient `tf.grad` gives for {@link maxPool3d}: each output's gradient goes to its window's
 * last maximum.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param filterSize - The forward call's filterSize.
 * @param strides - The forward call's strides.
 * @param pad - The forward call's pad.
 * @param dimRoundingMode - The forward call's dimRoundingMode.
 * @returns dL/dx, NDHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 5 (NDHWC) or 4 (DHWC, unbatched);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `UNSUPPORTED_OPTION`: `pad: 'same'` with a filter smaller than the stride (TF.js would shift the windows by a negative pad), or a dataFormat other than 'NDHWC';
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
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

/**
 * The gradient of {@link pool}: {@link avgPoolGrad}'s or {@link maxPoolGrad}'s rules, through the
 * same route as the forward pass (spaceToBatchND with dilations > 1).
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param windowShape - The forward call's windowShape.
 * @param poolingType - 'avg' or 'max'.
 * @param pad - The forward call's pad.
 * @param dilations - The forward call's dilations.
 * @param strides - The forward call's strides.
 * @param dimRoundingMode - The forward call's dimRoundingMode (ignored for 'avg', as TF.js does).
 * @returns dL/dx, NHWC.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: an argument has the wrong type or value (a filter or stride that is not
 *   a positive integer, a negative or fractional pad, dimRoundingMode with a string pad), or `x`
 *   is neither a tensor nor a rectangular nested array;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not float32 or float64;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `x` is not rank 4 (NHWC) or 3 (HWC, unbatched);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `OUTPUT_EMPTY`: an output size would be negative (TF.js refuses it too; 0 gives an empty tensor);
 * - `UNSUPPORTED_OPTION`: max pooling with pad 'same' and dilations > 1;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit, or nested arrays hold over 2^24 numbers.
 */
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
  const type = readChoice<PoolingType>(op, 'poolingType', poolingType, ['avg', 'max']);
  const dyInput = floatInput(op, 'dy', dy);
  const xInput = floatInput(op, 'x', x);
  // As in avgPoolGrad, TF.js's average gradient drops dimRoundingMode.
  const mode = type === 'avg' ? undefined : dimRoundingMode;
  const g = planPool(op, xInput.shape, { windowShape, poolingType: type, pad, dilations, strides, mode }, true);
  return backward(op, g, dyInput, xInput, type === 'max');
}
