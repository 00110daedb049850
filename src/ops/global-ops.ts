/** Global pooling (one window over every spatial axis) and adaptive pooling (a target size per axis). */
import { PoolingError, show } from '../plan/errors.js';
import { planAdaptive, planGlobal, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import { checkBoolean, checkInteger } from '../plan/validate.js';
import { checkTensor, type FloatArray, type Tensor } from '../tensor.js';
import {
  COMMON_KEYS,
  checkKnownKeys,
  checkOptionsObject,
  layoutOf,
  lpPower,
  spatialRankOf,
  type CommonOptions,
} from './options.js';
import { cachedPlan } from './plan-cache.js';
import { runBackward, runForward, runForwardWithIndices, shapeOfInput, type ValuesWithIndices } from './run.js';

export interface GlobalOptions extends CommonOptions {
  /** Keep the spatial axes as size 1: (N, C, 1, 1) instead of (N, C). Default false. */
  readonly keepDims?: boolean;
}

export interface GlobalLpOptions extends GlobalOptions {
  /** Default 2. */
  readonly p?: number;
}

export interface AdaptiveOptions extends CommonOptions {
  /** Output size: one for every spatial axis or one per axis; null keeps that axis's input size. */
  readonly outputSize: number | readonly (number | null)[];
}

const GLOBAL_KEYS = [...COMMON_KEYS, 'keepDims'] as const;

export function planGlobalOp(
  op: string,
  shape: readonly number[],
  options: GlobalOptions,
  reducer: Reducer,
  extraKeys: readonly string[] = [],
): PoolPlan {
  // The reducer is the caller's: it is part of what plans the options.
  return cachedPlan(`global ${JSON.stringify(reducer)}`, op, shape, options, () => {
    checkOptionsObject(op, options);
    checkKnownKeys(op, options, [...GLOBAL_KEYS, ...extraKeys]);
    const layout = layoutOf(op, options);
    const split = splitShape(op, shape, layout, spatialRankOf(op, shape, options));
    const keepDims = options.keepDims === undefined ? false : checkBoolean(op, 'keepDims', options.keepDims);
    return planGlobal(op, shape, layout, split, reducer, keepDims);
  });
}

export function planAdaptiveOp(op: string, shape: readonly number[], options: AdaptiveOptions, reducer: Reducer): PoolPlan {
  checkOptionsObject(op, options);
  checkKnownKeys(op, options, [...COMMON_KEYS, 'outputSize']);
  const layout = layoutOf(op, options);
  const rank = spatialRankOf(op, shape, options, [options.outputSize]);
  const split = splitShape(op, shape, layout, rank);
  const raw = options.outputSize;
  const sizes = typeof raw === 'number' ? new Array<number>(rank).fill(raw) : raw;
  if (!Array.isArray(sizes) || sizes.length !== rank) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `outputSize must be one positive integer or ${rank} (one per spatial axis, null keeps the axis); got ${show(raw)}`,
    );
  }
  for (const s of sizes) if (s !== null) checkInteger(op, 'outputSize', s, 1, raw);
  return planAdaptive(op, shape, layout, split, sizes, reducer);
}

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'propagate' };

/** Mean of each channel's whole map: (N, C, H, W) -> (N, C), or (N, C, 1, 1) with keepDims. */
export function globalAvgPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  checkTensor('globalAvgPool', 'x', x);
  return runForward(planGlobalOp('globalAvgPool', x.shape, options, AVG), x, options);
}

export function globalAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: GlobalOptions = {},
): Tensor<T> {
  const op = 'globalAvgPoolBackward';
  return runBackward(planGlobalOp(op, shapeOfInput(op, input), options, AVG), dy, undefined, options);
}

export function globalMaxPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  checkTensor('globalMaxPool', 'x', x);
  return runForward(planGlobalOp('globalMaxPool', x.shape, options, MAX), x, options);
}

export function globalMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  checkTensor('globalMaxPoolBackward', 'x', x);
  return runBackward(planGlobalOp('globalMaxPoolBackward', x.shape, options, MAX), dy, x, options);
}

function lpReducer(op: string, options: GlobalLpOptions): Reducer {
  return { op: 'lp', p: options.p === undefined ? 2 : lpPower(op, 'p', options.p), signed: false, rescale: false };
}

export function globalLpPool<T extends FloatArray>(x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPool';
  checkTensor(op, 'x', x);
  return runForward(planGlobalOp(op, x.shape, options, lpReducer(op, options), ['p']), x, options);
}

export function globalLpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPoolBackward';
  checkTensor(op, 'x', x);
  return runBackward(planGlobalOp(op, x.shape, options, lpReducer(op, options), ['p']), dy, x, options);
}

/** Adaptive average pooling with PyTorch's bins: output i covers [floor(i*L/O), ceil((i+1)*L/O)). */
export function adaptiveAvgPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  checkTensor('adaptiveAvgPool', 'x', x);
  return runForward(planAdaptiveOp('adaptiveAvgPool', x.shape, options, AVG), x, options);
}

export function adaptiveAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: AdaptiveOptions,
): Tensor<T> {
  const op = 'adaptiveAvgPoolBackward';
  return runBackward(planAdaptiveOp(op, shapeOfInput(op, input), options, AVG), dy, undefined, options);
}

export function adaptiveMaxPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  checkTensor('adaptiveMaxPool', 'x', x);
  return runForward(planAdaptiveOp('adaptiveMaxPool', x.shape, options, MAX), x, options);
}

export function adaptiveMaxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): ValuesWithIndices<T> {
  checkTensor('adaptiveMaxPoolWithIndices', 'x', x);
  return runForwardWithIndices(planAdaptiveOp('adaptiveMaxPoolWithIndices', x.shape, options, MAX), x, options);
}

export function adaptiveMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  checkTensor('adaptiveMaxPoolBackward', 'x', x);
  return runBackward(planAdaptiveOp('adaptiveMaxPoolBackward', x.shape, options, MAX), dy, x, options);
}
