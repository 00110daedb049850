/** Sliding-window pooling: average, max and Lp, forward and backward. */
import { readShape, readTensor, type FloatArray, type Tensor } from '../tensor.js';
import type { PoolPlan } from '../plan/plan.js';
import { readOptions } from '../plan/validate.js';
import {
  AVG_KEYS,
  LP_KEYS,
  MAX_KEYS,
  avgReducer,
  lpPower,
  planWindowOp,
  type AvgPoolOptions,
  type LpPoolOptions,
  type WindowOptions,
} from './options.js';
import { cachedPlan } from './plan-cache.js';
import { runBackward, runForward, runForwardWithIndices, shapeOfInput, type ValuesWithIndices } from './run.js';

// Every op reads its options before its tensors: reading options can run a caller's getter, and
// nothing of the caller's may run between a tensor's check and the kernel (a getter could shrink
// the tensor's buffer; runForward checks again just before the kernel all the same).

function avgOptions(op: string, options: unknown): AvgPoolOptions {
  return readOptions(op, options, AVG_KEYS) as unknown as AvgPoolOptions;
}

function maxOptions(op: string, options: unknown): WindowOptions {
  return readOptions(op, options, MAX_KEYS) as unknown as WindowOptions;
}

function lpOptions(op: string, options: unknown): LpPoolOptions {
  return readOptions(op, options, LP_KEYS) as unknown as LpPoolOptions;
}

function avgPlan(op: string, shape: readonly number[], o: AvgPoolOptions): PoolPlan {
  return cachedPlan('avg', op, shape, o, () => planWindowOp(op, shape, o, avgReducer(op, o, false)));
}

function maxPlan(op: string, shape: readonly number[], o: WindowOptions): PoolPlan {
  return cachedPlan('max', op, shape, o, () => planWindowOp(op, shape, o, { op: 'max', nan: 'propagate' }));
}

function lpPlan(op: string, shape: readonly number[], o: LpPoolOptions): PoolPlan {
  const build = () => planWindowOp(op, shape, o, { op: 'lp', p: o.p === undefined ? 2 : lpPower(op, 'p', o.p), signed: false, rescale: false });
  return cachedPlan('lp', op, shape, o, build);
}

/** An average plan for an op of another name (poolOutputShape's messages name poolOutputShape). */
export function planAvgPoolAs(op: string, shape: readonly number[], options: AvgPoolOptions): PoolPlan {
  const o = avgOptions(op, options);
  return avgPlan(op, readShape(op, 'the input shape', shape), o);
}

/**
 * The plan {@link avgPool} would run on an input of this shape, without running it: its output
 * shape, windows and divisor rule, validated and frozen. Run it with {@link poolInto}, explain it
 * with {@link explainPlan}, or cut it into bands with {@link planRowBands}. Planning is arithmetic
 * only: no window table is built, whatever the shape's size.
 *
 * @param shape - The input's shape.
 * @param options - As {@link avgPool} takes them (`backend` and `threads` are read, but only a run
 *   uses them).
 * @returns The plan: `outputShape`, the per-axis geometry in `axes`, and the `reducer`.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `shape` is not an array of non-negative integers, or an option has the
 *   wrong type or value, is unknown, or is missing (`kernel`);
 * - `INVALID_RANK`: the shape's rank does not fit the options (a rank-3 shape needs `spatialDims`
 *   or a per-axis option), or it has more than {@link MAX_RANK} axes;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the input or output would hold over {@link MAX_ELEMENTS} elements.
 * @example
 * ```js
 * import { planAvgPool } from 'tensor-pooling';
 *
 * const plan = planAvgPool([1, 3, 224, 224], { kernel: 3, stride: 2, padding: 1 });
 * console.log(plan.outputShape, plan.axes[0].padBegin, plan.reducer.divisor);
 * // prints: [ 1, 3, 112, 112 ] 1 valid
 * console.log(planAvgPool([1, 3, 224, 224], { kernel: 3, stride: 2, padding: 1, ceilMode: true }).outputShape);
 * // prints: [ 1, 3, 113, 113 ]
 * ```
 * @category Plans
 */
export function planAvgPool(shape: readonly number[], options: AvgPoolOptions): PoolPlan {
  return planAvgPoolAs('avgPool', shape, options);
}

/**
 * The plan {@link maxPool} would run on an input of this shape, without running it (see
 * {@link planAvgPool}). {@link poolInto} runs it, with the indices of the maxima if asked.
 *
 * @param shape - The input's shape.
 * @param options - As {@link maxPool} takes them.
 * @returns The plan, validated and frozen.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `shape` is not an array of non-negative integers, or an option has the
 *   wrong type or value, is unknown, or is missing (`kernel`);
 * - `INVALID_RANK`: the shape's rank does not fit the options (a rank-3 shape needs `spatialDims`
 *   or a per-axis option), or it has more than {@link MAX_RANK} axes;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the input or output would hold over {@link MAX_ELEMENTS} elements.
 * @category Plans
 */
export function planMaxPool(shape: readonly number[], options: WindowOptions): PoolPlan {
  const o = maxOptions('maxPool', options);
  return maxPlan('maxPool', readShape('maxPool', 'the input shape', shape), o);
}

/**
 * The plan {@link lpPool} would run on an input of this shape, without running it (see
 * {@link planAvgPool}).
 *
 * @param shape - The input's shape.
 * @param options - As {@link lpPool} takes them.
 * @returns The plan, validated and frozen.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `shape` is not an array of non-negative integers, or an option has the
 *   wrong type or value, is unknown, or is missing (`kernel`),
 *   or `p` is not a positive finite number;
 * - `INVALID_RANK`: the shape's rank does not fit the options (a rank-3 shape needs `spatialDims`
 *   or a per-axis option), or it has more than {@link MAX_RANK} axes;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the input or output would hold over {@link MAX_ELEMENTS} elements.
 * @category Plans
 */
export function planLpPool(shape: readonly number[], options: LpPoolOptions): PoolPlan {
  const o = lpOptions('lpPool', options);
  return lpPlan('lpPool', readShape('lpPool', 'the input shape', shape), o);
}

/**
 * Average pooling: each output is the mean of its window's taps inside the input (padding counted
 * too with `countIncludePad`, or a fixed `divisorOverride`). 1-D, 2-D, 3-D or more spatial axes,
 * channels-first or channels-last, batched or not; exact to PyTorch's and ONNX's rules (ceil mode
 * included).
 *
 * @param x - The input: (N, C, ...spatial), or (N, ...spatial, C) with `layout: 'channels-last'`;
 *   one axis fewer for an unbatched input.
 * @param options - The window (`kernel`, required; `stride`, `padding`, `dilation`, `ceilMode`),
 *   the divisor (`countIncludePad`, `divisorOverride`), and where and how to run it (`layout`,
 *   `spatialDims`, `backend`, `threads`). Read once.
 * @returns A new tensor of `x`'s dtype; `x` is never written.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or a
 *   per-axis option);
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @example
 * A 4x4 map with kernel 2 and stride 2 gives the means of its four 2x2 blocks; with padding, the
 * divisor counts only the taps inside the input unless `countIncludePad` says otherwise:
 * ```js
 * import { avgPool, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));
 * const y = avgPool(x, { kernel: 2, stride: 2 });
 * console.log(y.shape, Array.from(y.data));
 * // prints: [ 1, 1, 2, 2 ] [ 2.5, 4.5, 10.5, 12.5 ]
 * console.log(Array.from(avgPool(x, { kernel: 3, stride: 2, padding: 1 }).data));
 * // prints: [ 2.5, 4, 8.5, 10 ]
 * console.log(Array.from(avgPool(x, { kernel: 3, stride: 2, padding: 1, countIncludePad: true }).data, (v) => v.toFixed(3)));
 * // prints: [ '1.111', '2.667', '5.667', '10.000' ]
 * ```
 * @category Pooling
 */
export function avgPool<T extends FloatArray>(x: Tensor<T>, options: AvgPoolOptions): Tensor<T> {
  const op = 'avgPool';
  const o = avgOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(avgPlan(op, t.shape, o), t, o);
}

/**
 * The gradient of {@link avgPool}: each output's gradient spread evenly over its window's taps
 * (divided by the same divisor as the forward pass), summed where windows overlap. The adjoint of
 * the forward op.
 *
 * @param dy - The gradient of the forward output: its shape, and the dtype of the result.
 * @param input - The forward input, or just its shape (an average's gradient does not read the values).
 * @param options - The forward call's options.
 * @returns dL/dx, of the input's shape and `dy`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `input` is not what it must be, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `PAD_TOO_LARGE`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function avgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: AvgPoolOptions,
): Tensor<T> {
  const op = 'avgPoolBackward';
  const o = avgOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  return runBackward(avgPlan(op, shapeOfInput(op, input), o), gradient, undefined, o);
}

/**
 * Max pooling: each output is the largest of its window's taps inside the input (padding never
 * wins). NaN propagates, as in PyTorch; ties keep the first maximum in scan order.
 *
 * @param x - The input: (N, C, ...spatial), or (N, ...spatial, C) with `layout: 'channels-last'`;
 *   one axis fewer for an unbatched input.
 * @param options - The window (`kernel`, required; `stride`, `padding`, `dilation`, `ceilMode`) and
 *   `layout`, `spatialDims`, `backend`, `threads`. Read once.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or a
 *   per-axis option);
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Pooling
 */
export function maxPool<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): Tensor<T> {
  const op = 'maxPool';
  const o = maxOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(maxPlan(op, t.shape, o), t, o);
}

/**
 * Max pooling that also says where each maximum was: PyTorch's indices, the flat row-major spatial
 * index of the maximum within its own (n, c) plane (what {@link maxUnpool} and
 * {@link torch.maxUnpool2d} take back).
 *
 * @param x - The input, as {@link maxPool} takes it.
 * @param options - As {@link maxPool} takes them.
 * @returns `values`, as {@link maxPool} returns them, and `indices`, an Int32Array tensor of the
 *   same shape.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or a
 *   per-axis option);
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the values and indices would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @example
 * ```js
 * import { maxPoolWithIndices, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));
 * const { values, indices } = maxPoolWithIndices(x, { kernel: 2 });
 * console.log(Array.from(values.data), Array.from(indices.data));
 * // prints: [ 5, 7, 13, 15 ] [ 5, 7, 13, 15 ]
 * ```
 * @category Pooling
 */
export function maxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): ValuesWithIndices<T> {
  const op = 'maxPoolWithIndices';
  const o = maxOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForwardWithIndices(maxPlan(op, t.shape, o), t, o);
}

/**
 * The gradient of {@link maxPool}: each output's gradient goes to the tap that was its maximum
 * (found again from `x`, the first one on a tie), summed where windows overlap.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input (its values decide where the maxima were).
 * @param options - The forward call's options.
 * @returns dL/dx, of `x`'s shape and dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `x` is not what it must be, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `dy` and `x` differ in dtype;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `PAD_TOO_LARGE`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function maxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: WindowOptions): Tensor<T> {
  const op = 'maxPoolBackward';
  const o = maxOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(maxPlan(op, t.shape, o), gradient, t, o);
}

/**
 * Lp pooling, as ONNX's LpPool: each output is (sum over the window of |x|^p)^(1/p); padding adds
 * nothing. (The PyTorch dialect's {@link torch.lpPool2d} follows PyTorch's own formula instead.)
 *
 * @param x - The input, as {@link avgPool} takes it.
 * @param options - The window (`kernel`, required; `stride`, `padding`, `dilation`, `ceilMode`),
 *   `p` (default 2) and `layout`, `spatialDims`, `backend`, `threads`. Read once.
 * @returns A new tensor of `x`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), `p` is not a
 *   positive finite number, or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or a
 *   per-axis option);
 * - `PAD_TOO_LARGE`: padding over half the effective kernel on some axis;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Pooling
 */
export function lpPool<T extends FloatArray>(x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  const op = 'lpPool';
  const o = lpOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(lpPlan(op, t.shape, o), t, o);
}

/**
 * The gradient of {@link lpPool}: d/dx of (sum |x|^p)^(1/p) for each window, summed where windows
 * overlap.
 *
 * @param dy - The gradient of the forward output.
 * @param x - The forward input.
 * @param options - The forward call's options.
 * @returns dL/dx, of `x`'s shape and dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `dy` or `x` is not what it must be, an option has the wrong type or
 *   value, is unknown, or is missing (`kernel`), or `backend` names no registered backend;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `dy` and `x` differ in dtype;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `INVALID_RANK`, `PAD_TOO_LARGE`, `OUTPUT_EMPTY`: as the forward op would throw them;
 * - `SIZE_TOO_LARGE`: the gradient (accumulated in float64) would be over {@link setMaxBytes}'s limit;
 * - `UNSUPPORTED_OPTION`: `backend: 'wasm'` before {@link init}, or a backend that cannot run the plan.
 * @category Gradients
 */
export function lpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  const op = 'lpPoolBackward';
  const o = lpOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(lpPlan(op, t.shape, o), gradient, t, o);
}
