/** Global pooling (one window over every spatial axis) and adaptive pooling (a target size per axis). */
import { PoolingError, show } from '../plan/errors.js';
import { planAdaptive, planGlobal, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import { checkBoolean, checkInteger, readOptions } from '../plan/validate.js';
import { readShape, readTensor, type FloatArray, type Tensor } from '../tensor.js';
import {
  COMMON_KEYS,
  layoutOf,
  lpPower,
  spatialRankOf,
  type CommonOptions,
} from './options.js';
import { cachedPlan } from './plan-cache.js';
import { runBackward, runForward, runForwardWithIndices, shapeOfInput, type ValuesWithIndices } from './run.js';

/**
 * The options of the global ops: one window over every spatial axis.
 * @category Options
 */
export interface GlobalOptions extends CommonOptions {
  /** Keep the spatial axes as size 1: (N, C, 1, 1) instead of (N, C). Default false. */
  readonly keepDims?: boolean;
}

/**
 * {@link globalLpPool}'s options.
 * @category Options
 */
export interface GlobalLpOptions extends GlobalOptions {
  /** The power p of (sum |x|^p)^(1/p): a positive finite number; default 2. */
  readonly p?: number;
}

/**
 * The options of the adaptive ops: a target size per spatial axis instead of a window.
 * @category Options
 */
export interface AdaptiveOptions extends CommonOptions {
  /**
   * Output size: one positive integer for every spatial axis or one per axis; null keeps that
   * axis's input size. An array also says how many spatial axes there are. Required.
   */
  readonly outputSize: number | readonly (number | null)[];
}

export const GLOBAL_KEYS = [...COMMON_KEYS, 'keepDims'] as const;
const GLOBAL_LP_KEYS = [...GLOBAL_KEYS, 'p'] as const;
const ADAPTIVE_KEYS = [...COMMON_KEYS, 'outputSize'] as const;

// As in window-ops.ts: options are read before tensors, so that no caller code runs between a
// tensor's check and its kernel.

function globalOptions(op: string, options: unknown, keys: readonly string[] = GLOBAL_KEYS): GlobalLpOptions {
  return readOptions(op, options, keys) as GlobalLpOptions;
}

function globalPlan(op: string, shape: readonly number[], o: GlobalLpOptions, r: Reducer): PoolPlan {
  // The reducer is the caller's: it is part of what plans the options.
  return cachedPlan(`global ${JSON.stringify(r)}`, op, shape, o, () => {
    const layout = layoutOf(op, o);
    const split = splitShape(op, shape, layout, spatialRankOf(op, shape, o));
    const keepDims = o.keepDims === undefined ? false : checkBoolean(op, 'keepDims', o.keepDims);
    return planGlobal(op, shape, layout, split, r, keepDims);
  });
}

/** A global plan from a caller's shape and options (masked pooling and poolOutputShape plan through it). */
export function planGlobalOp(op: string, shape: readonly number[], options: GlobalOptions, reducer: Reducer): PoolPlan {
  const o = globalOptions(op, options);
  return globalPlan(op, readShape(op, 'the input shape', shape), o, reducer);
}

function adaptiveOptions(op: string, options: unknown): AdaptiveOptions {
  return readOptions(op, options, ADAPTIVE_KEYS) as unknown as AdaptiveOptions;
}

function adaptivePlan(op: string, s: readonly number[], o: AdaptiveOptions, reducer: Reducer): PoolPlan {
  const layout = layoutOf(op, o);
  const rank = spatialRankOf(op, s, o, [o.outputSize], 'outputSize');
  const split = splitShape(op, s, layout, rank);
  const raw = o.outputSize;
  const sizes = typeof raw === 'number' ? new Array<number>(rank).fill(raw) : raw;
  if (!Array.isArray(sizes) || sizes.length !== rank) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `outputSize must be one positive integer or ${rank} (one per spatial axis, null keeps the axis); got ${show(raw)}`,
    );
  }
  for (const size of sizes) if (size !== null) checkInteger(op, 'outputSize', size, 1, raw);
  return planAdaptive(op, s, layout, split, sizes, reducer);
}

export function planAdaptiveOp(op: string, shape: readonly number[], options: AdaptiveOptions, reducer: Reducer): PoolPlan {
  const o = adaptiveOptions(op, options);
  return adaptivePlan(op, readShape(op, 'the input shape', shape), o, reducer);
}

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'propagate' };

/**
 * Global average pooling: the mean of each channel's whole map, (N, C, H, W) -> (N, C), or
 * (N, C, 1, 1) with `keepDims`. Any number of spatial axes; channels-last with
 * `layout: 'channels-last'`.
 *
 * @param x - The input: (N, C, ...spatial) or, channels-last, (N, ...spatial, C); one axis fewer
 *   for an unbatched input (with `spatialDims`).
 * @param options - `keepDims`, `layout`, `spatialDims`, `backend`, `threads`. Read once.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit `spatialDims` (given, or rank - 2: a rank-3 or unbatched
 *   input needs it given);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @example
 * ```js
 * import { globalAvgPool, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 2, 2, 2], Float32Array.of(1, 2, 3, 4, 10, 20, 30, 40));
 * const y = globalAvgPool(x);
 * console.log(y.shape, Array.from(y.data));
 * // prints: [ 1, 2 ] [ 2.5, 25 ]
 * console.log(globalAvgPool(x, { keepDims: true }).shape);
 * // prints: [ 1, 2, 1, 1 ]
 * const image = tensor([2, 2, 2], Float32Array.of(1, 10, 2, 20, 3, 30, 4, 40));
 * console.log(Array.from(globalAvgPool(image, { layout: 'channels-last', spatialDims: 2 }).data));
 * // prints: [ 2.5, 25 ]
 * ```
 * @category Pooling
 */
export function globalAvgPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const op = 'globalAvgPool';
  const o = globalOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(globalPlan(op, t.shape, o, AVG), t, o);
}

/**
 * The gradient of {@link globalAvgPool}: each channel's gradient divided evenly over its map.
 *
 * @param dy - The gradient of the forward output.
 * @param input - The forward input, or just its shape.
 * @param options - The forward call's options.
 * @returns dL/dx, of the input's shape and `dy`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `input` is not what it must be, an option has the wrong type or
 *   value or is unknown, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function globalAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: GlobalOptions = {},
): Tensor<T> {
  const op = 'globalAvgPoolBackward';
  const o = globalOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  return runBackward(globalPlan(op, shapeOfInput(op, input), o, AVG), gradient, undefined, o);
}

/**
 * Global max pooling: the largest value of each channel's whole map, (N, C, ...spatial) -> (N, C),
 * or (N, C, 1, ...) with `keepDims`. NaN propagates.
 *
 * @param x - The input, as {@link globalAvgPool} takes it.
 * @param options - `keepDims`, `layout`, `spatialDims`, `backend`, `threads`. Read once.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit `spatialDims` (given, or rank - 2: a rank-3 or unbatched
 *   input needs it given);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Pooling
 */
export function globalMaxPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const op = 'globalMaxPool';
  const o = globalOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(globalPlan(op, t.shape, o, MAX), t, o);
}

/**
 * The gradient of {@link globalMaxPool}: each channel's gradient goes to its map's maximum (the
 * first one on a tie).
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param options - The forward call's options.
 * @returns dL/dx, of `x`'s shape and dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `x` is not what it must be, an option has the wrong type or
 *   value or is unknown, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `dy` and `x` differ in dtype;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function globalMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const op = 'globalMaxPoolBackward';
  const o = globalOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(globalPlan(op, t.shape, o, MAX), gradient, t, o);
}

function lpReducer(op: string, options: GlobalLpOptions): Reducer {
  return { op: 'lp', p: options.p === undefined ? 2 : lpPower(op, 'p', options.p), signed: false, rescale: false };
}

/**
 * Global Lp pooling, as ONNX's GlobalLpPool: (sum over each channel's map of |x|^p)^(1/p).
 *
 * @param x - The input, as {@link globalAvgPool} takes it.
 * @param options - `p` (default 2), `keepDims`, `layout`, `spatialDims`, `backend`, `threads`.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, `p` is not a positive finite number, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit `spatialDims` (given, or rank - 2: a rank-3 or unbatched
 *   input needs it given);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Pooling
 */
export function globalLpPool<T extends FloatArray>(x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPool';
  const o = globalOptions(op, options, GLOBAL_LP_KEYS);
  const t = readTensor<T>(op, 'x', x);
  return runForward(globalPlan(op, t.shape, o, lpReducer(op, o)), t, o);
}

/**
 * The gradient of {@link globalLpPool}.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param options - The forward call's options.
 * @returns dL/dx, of `x`'s shape and dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `x` is not what it must be, an option has the wrong type or
 *   value or is unknown, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `dy` and `x` differ in dtype;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function globalLpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPoolBackward';
  const o = globalOptions(op, options, GLOBAL_LP_KEYS);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(globalPlan(op, t.shape, o, lpReducer(op, o)), gradient, t, o);
}

/**
 * Adaptive average pooling: a target output size per spatial axis instead of a window. With
 * PyTorch's bins, output i of an axis of length L covers [floor(i*L/O), ceil((i+1)*L/O)), so bins
 * may overlap or differ in size by one; each output is its bin's mean ({@link adaptiveStart},
 * {@link adaptiveEnd}).
 *
 * @param x - The input: (N, C, ...spatial) or, channels-last, (N, ...spatial, C); one axis fewer
 *   for an unbatched input.
 * @param options - `outputSize` (required), `layout`, `spatialDims`, `backend`, `threads`. Read once.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, `outputSize` is missing or not one positive integer (or null) for every
 *   axis or one per axis, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or
 *   `outputSize` per axis);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @example
 * Five values into three bins, [0, 2), [1, 4) and [3, 5):
 * ```js
 * import { adaptiveAvgPool, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 5], Float32Array.of(1, 2, 3, 4, 5));
 * const y = adaptiveAvgPool(x, { outputSize: [3] });
 * console.log(y.shape, Array.from(y.data));
 * // prints: [ 1, 1, 3 ] [ 1.5, 3, 4.5 ]
 * const z = adaptiveAvgPool(tensor([1, 1, 4, 6], new Float32Array(24).fill(1)), { outputSize: [2, null] });
 * console.log(z.shape);
 * // prints: [ 1, 1, 2, 6 ]
 * ```
 * @category Pooling
 */
export function adaptiveAvgPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const op = 'adaptiveAvgPool';
  const o = adaptiveOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(adaptivePlan(op, t.shape, o, AVG), t, o);
}

/**
 * The gradient of {@link adaptiveAvgPool}: each output's gradient spread evenly over its bin,
 * summed where bins overlap.
 *
 * @param dy - The gradient of the forward output.
 * @param input - The forward input, or just its shape.
 * @param options - The forward call's options.
 * @returns dL/dx, of the input's shape and `dy`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `input` is not what it must be, an option has the wrong type or
 *   value, is unknown, or is missing (`outputSize`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function adaptiveAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: AdaptiveOptions,
): Tensor<T> {
  const op = 'adaptiveAvgPoolBackward';
  const o = adaptiveOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  return runBackward(adaptivePlan(op, shapeOfInput(op, input), o, AVG), gradient, undefined, o);
}

/**
 * Adaptive max pooling: the largest value of each of PyTorch's adaptive bins (see
 * {@link adaptiveAvgPool}). NaN propagates.
 *
 * @param x - The input, as {@link adaptiveAvgPool} takes it.
 * @param options - `outputSize` (required), `layout`, `spatialDims`, `backend`, `threads`. Read once.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, `outputSize` is missing or not one positive integer (or null) for every
 *   axis or one per axis, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or
 *   `outputSize` per axis);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Pooling
 */
export function adaptiveMaxPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const op = 'adaptiveMaxPool';
  const o = adaptiveOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(adaptivePlan(op, t.shape, o, MAX), t, o);
}

/**
 * Adaptive max pooling that also says where each maximum was: the flat spatial index inside its
 * (n, c) plane, as PyTorch's `return_indices` gives it.
 *
 * @param x - The input, as {@link adaptiveAvgPool} takes it.
 * @param options - As {@link adaptiveMaxPool} takes them.
 * @returns `values` and `indices` (an Int32Array tensor of the same shape).
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, `outputSize` is missing or not one positive integer (or null) for every
 *   axis or one per axis, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or
 *   `outputSize` per axis);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the values and indices would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Pooling
 */
export function adaptiveMaxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): ValuesWithIndices<T> {
  const op = 'adaptiveMaxPoolWithIndices';
  const o = adaptiveOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForwardWithIndices(adaptivePlan(op, t.shape, o, MAX), t, o);
}

/**
 * The gradient of {@link adaptiveMaxPool}: each output's gradient goes to its bin's maximum (the
 * first one on a tie), summed where bins overlap.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param options - The forward call's options.
 * @returns dL/dx, of `x`'s shape and dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `x` is not what it must be, an option has the wrong type or
 *   value, is unknown, or is missing (`outputSize`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `dy` and `x` differ in dtype;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function adaptiveMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const op = 'adaptiveMaxPoolBackward';
  const o = adaptiveOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(adaptivePlan(op, t.shape, o, MAX), gradient, t, o);
}
