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

/** The plan `avgPool` would run on an input of this shape: its output shape, windows and divisors, for `poolInto` and `explainPlan`. */
export function planAvgPool(shape: readonly number[], options: AvgPoolOptions): PoolPlan {
  return planAvgPoolAs('avgPool', shape, options);
}

/** The plan `maxPool` would run on an input of this shape. */
export function planMaxPool(shape: readonly number[], options: WindowOptions): PoolPlan {
  const o = maxOptions('maxPool', options);
  return maxPlan('maxPool', readShape('maxPool', 'the input shape', shape), o);
}

/** The plan `lpPool` would run on an input of this shape. */
export function planLpPool(shape: readonly number[], options: LpPoolOptions): PoolPlan {
  const o = lpOptions('lpPool', options);
  return lpPlan('lpPool', readShape('lpPool', 'the input shape', shape), o);
}

/**
 * Average pooling. Example: a 4x4 map with kernel 2 and stride 2 gives the 2x2 map of the
 * means of its four 2x2 blocks.
 */
export function avgPool<T extends FloatArray>(x: Tensor<T>, options: AvgPoolOptions): Tensor<T> {
  const op = 'avgPool';
  const o = avgOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(avgPlan(op, t.shape, o), t, o);
}

/** d(avgPool)/dx: `input` is the forward input or its shape. */
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

/** Max pooling. NaN propagates; ties keep the first maximum in scan order. */
export function maxPool<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): Tensor<T> {
  const op = 'maxPool';
  const o = maxOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(maxPlan(op, t.shape, o), t, o);
}

/** Max pooling with PyTorch's indices: the flat spatial index of each maximum within its (n, c) plane. */
export function maxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): ValuesWithIndices<T> {
  const op = 'maxPoolWithIndices';
  const o = maxOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForwardWithIndices(maxPlan(op, t.shape, o), t, o);
}

export function maxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: WindowOptions): Tensor<T> {
  const op = 'maxPoolBackward';
  const o = maxOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(maxPlan(op, t.shape, o), gradient, t, o);
}

/** Lp pooling: (sum over the window of |x|^p)^(1/p); padding contributes zeros. */
export function lpPool<T extends FloatArray>(x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  const op = 'lpPool';
  const o = lpOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(lpPlan(op, t.shape, o), t, o);
}

export function lpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  const op = 'lpPoolBackward';
  const o = lpOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(lpPlan(op, t.shape, o), gradient, t, o);
}
