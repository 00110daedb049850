/** Sliding-window pooling: average, max and Lp, forward and backward. */
import { checkTensor, type FloatArray, type Tensor } from '../tensor.js';
import type { PoolPlan } from '../plan/plan.js';
import {
  AVG_KEYS,
  LP_KEYS,
  MAX_KEYS,
  avgReducer,
  checkKnownKeys,
  checkOptionsObject,
  lpPower,
  planWindowOp,
  type AvgPoolOptions,
  type LpPoolOptions,
  type WindowOptions,
} from './options.js';
import { cachedPlan } from './plan-cache.js';
import { runBackward, runForward, runForwardWithIndices, shapeOfInput, type ValuesWithIndices } from './run.js';

export function planAvgPool(shape: readonly number[], options: AvgPoolOptions, op = 'avgPool'): PoolPlan {
  return cachedPlan('avg', op, shape, options, () => {
    checkOptionsObject(op, options);
    checkKnownKeys(op, options, AVG_KEYS);
    return planWindowOp(op, shape, options, avgReducer(op, options, false));
  });
}

export function planMaxPool(shape: readonly number[], options: WindowOptions, op = 'maxPool'): PoolPlan {
  return cachedPlan('max', op, shape, options, () => {
    checkOptionsObject(op, options);
    checkKnownKeys(op, options, MAX_KEYS);
    return planWindowOp(op, shape, options, { op: 'max', nan: 'propagate' });
  });
}

export function planLpPool(shape: readonly number[], options: LpPoolOptions, op = 'lpPool'): PoolPlan {
  return cachedPlan('lp', op, shape, options, () => {
    checkOptionsObject(op, options);
    checkKnownKeys(op, options, LP_KEYS);
    const p = options.p === undefined ? 2 : lpPower(op, 'p', options.p);
    return planWindowOp(op, shape, options, { op: 'lp', p, signed: false, rescale: false });
  });
}

/**
 * Average pooling. Example: a 4x4 map with kernel 2 and stride 2 gives the 2x2 map of the
 * means of its four 2x2 blocks.
 */
export function avgPool<T extends FloatArray>(x: Tensor<T>, options: AvgPoolOptions): Tensor<T> {
  checkTensor('avgPool', 'x', x);
  return runForward(planAvgPool(x.shape, options), x, options);
}

/** d(avgPool)/dx: `input` is the forward input or its shape. */
export function avgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: AvgPoolOptions,
): Tensor<T> {
  const op = 'avgPoolBackward';
  return runBackward(planAvgPool(shapeOfInput(op, input), options, op), dy, undefined, options);
}

/** Max pooling. NaN propagates; ties keep the first maximum in scan order. */
export function maxPool<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): Tensor<T> {
  checkTensor('maxPool', 'x', x);
  return runForward(planMaxPool(x.shape, options), x, options);
}

/** Max pooling with PyTorch's indices: the flat spatial index of each maximum within its (n, c) plane. */
export function maxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: WindowOptions): ValuesWithIndices<T> {
  checkTensor('maxPoolWithIndices', 'x', x);
  return runForwardWithIndices(planMaxPool(x.shape, options, 'maxPoolWithIndices'), x, options);
}

export function maxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: WindowOptions): Tensor<T> {
  checkTensor('maxPoolBackward', 'x', x);
  return runBackward(planMaxPool(x.shape, options, 'maxPoolBackward'), dy, x, options);
}

/** Lp pooling: (sum over the window of |x|^p)^(1/p); padding contributes zeros. */
export function lpPool<T extends FloatArray>(x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  checkTensor('lpPool', 'x', x);
  return runForward(planLpPool(x.shape, options), x, options);
}

export function lpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: LpPoolOptions): Tensor<T> {
  checkTensor('lpPoolBackward', 'x', x);
  return runBackward(planLpPool(x.shape, options, 'lpPoolBackward'), dy, x, options);
}
