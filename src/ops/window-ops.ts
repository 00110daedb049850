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
  type CommonOptions,
  type LpPoolOptions,
  type WindowOptions,
} from './options.js';
import { cachedPlan } from './plan-cache.js';
import { runBackward, runForward, runForwardWithIndices, shapeOfInput, type ValuesWithIndices } from './run.js';

/** A plan and the options it was planned from, read once (see readOptions). */
export interface Planned {
  readonly plan: PoolPlan;
  readonly options: CommonOptions;
}

function plannedAvg(shape: unknown, options: unknown, op: string): Planned {
  const o = readOptions(op, options, AVG_KEYS) as unknown as AvgPoolOptions;
  const s = readShape(op, 'the input shape', shape);
  return { plan: cachedPlan('avg', op, s, o, () => planWindowOp(op, s, o, avgReducer(op, o, false))), options: o };
}

function plannedMax(shape: unknown, options: unknown, op: string): Planned {
  const o = readOptions(op, options, MAX_KEYS) as unknown as WindowOptions;
  const s = readShape(op, 'the input shape', shape);
  return { plan: cachedPlan('max', op, s, o, () => planWindowOp(op, s, o, { op: 'max', nan: 'propagate' })), options: o };
}

function plannedLp(shape: unknown, options: unknown, op: string): Planned {
  const o = readOptions(op, options, LP_KEYS) as unknown as LpPoolOptions;
  const s = readShape(op, 'the input shape', shape);
  const build = () => planWindowOp(op, s, o, { op: 'lp', p: o.p === undefined ? 2 : lpPower(op, 'p', o.p), signed: false, rescale: false });
  return { plan: cachedPlan('lp', op, s, o, build), options: o };
}

/** An average plan for an op of another name (poolOutputShape's messages name poolOutputShape). */
export function planAvgPoolAs(op: string, shape: readonly number[], options: AvgPoolOptions): PoolPlan {
  return plannedAvg(shape, options, op).plan;
}

/** The plan `avgPool` would run on an input of this shape: its output shape, windows and divisors, for `poolInto` and `explainPlan`. */
export function planAvgPool(shape: readonly number[], options: AvgPoolOptions): PoolPlan {
  return plannedAvg(shape, options, 'avgPool').plan;
}

/** The plan `maxPool` would run on an input of this shape. */
export function planMaxPool(shape: readonly number[], options: WindowOptions): PoolPlan {
  return plannedMax(shape, options, 'maxPool').plan;
}

/** The plan `lpPool` would run on an input of this shape. */
export function planLpPool(shape: readonly number[], options: LpPoolOptions): PoolPlan {
  return plannedLp(shape, options, 'lpPool').plan;
}

/**
 * Average pooling. Example: a 4x4 map with kernel 2 and stride 2 gives the 2x2 map of the
 * means of its four 2x2 blocks.
 */
export function avgPool<T extends FloatArray>(x: Tensor<T>, options: AvgPoolOptions): Tensor<T> {
  const t = readTensor<T>('avgPool', 'x', x);
  const { plan, options: o } = plannedAvg(t.shape, options, 'avgPool');
  return runForward(plan, t, o);
}

/** d(avgPool)/dx: `input` is the forward input or its shape. */
export function avgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: AvgPoolOptions,
): Tensor<T> {
  const op = 'avgPoolBackward';
  const { plan, options: o } = plannedAvg(shapeOfInput(op, input), options, op);
  return runBackward(plan, dy, undefined, o);
}

/** Max pooling. NaN propagates; ties keep the first maximum in scan order. */
export function maxPool<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): Tensor<T> {
  const t = readTensor<T>('maxPool', 'x', x);
  const { plan, options: o } = plannedMax(t.shape, options, 'maxPool');
  return runForward(plan, t, o);
}

/** Max pooling with PyTorch's indices: the flat spatial index of each maximum within its (n, c) plane. */
export function maxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): ValuesWithIndices<T> {
  const op = 'maxPoolWithIndices';
  const t = readTensor<T>(op, 'x', x);
  const { plan, options: o } = plannedMax(t.shape, options, op);
  return runForwardWithIndices(plan, t, o);
}

export function maxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: WindowOptions): Tensor<T> {
  const op = 'maxPoolBackward';
  const t = readTensor<T>(op, 'x', x);
  const { plan, options: o } = plannedMax(t.shape, options, op);
  return runBackward(plan, dy, t, o);
}

/** Lp pooling: (sum over the window of |x|^p)^(1/p); padding contributes zeros. */
export function lpPool<T extends FloatArray>(x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  const t = readTensor<T>('lpPool', 'x', x);
  const { plan, options: o } = plannedLp(t.shape, options, 'lpPool');
  return runForward(plan, t, o);
}

export function lpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  const op = 'lpPoolBackward';
  const t = readTensor<T>(op, 'x', x);
  const { plan, options: o } = plannedLp(t.shape, options, op);
  return runBackward(plan, dy, t, o);
}
