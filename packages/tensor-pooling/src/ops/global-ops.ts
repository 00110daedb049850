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

/** Mean of each channel's whole map: (N, C, H, W) -> (N, C), or (N, C, 1, 1) with keepDims. */
export function globalAvgPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const op = 'globalAvgPool';
  const o = globalOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(globalPlan(op, t.shape, o, AVG), t, o);
}

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

export function globalMaxPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const op = 'globalMaxPool';
  const o = globalOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(globalPlan(op, t.shape, o, MAX), t, o);
}

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

export function globalLpPool<T extends FloatArray>(x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPool';
  const o = globalOptions(op, options, GLOBAL_LP_KEYS);
  const t = readTensor<T>(op, 'x', x);
  return runForward(globalPlan(op, t.shape, o, lpReducer(op, o)), t, o);
}

export function globalLpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPoolBackward';
  const o = globalOptions(op, options, GLOBAL_LP_KEYS);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(globalPlan(op, t.shape, o, lpReducer(op, o)), gradient, t, o);
}

/** Adaptive average pooling with PyTorch's bins: output i covers [floor(i*L/O), ceil((i+1)*L/O)). */
export function adaptiveAvgPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const op = 'adaptiveAvgPool';
  const o = adaptiveOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(adaptivePlan(op, t.shape, o, AVG), t, o);
}

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

export function adaptiveMaxPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const op = 'adaptiveMaxPool';
  const o = adaptiveOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForward(adaptivePlan(op, t.shape, o, MAX), t, o);
}

export function adaptiveMaxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): ValuesWithIndices<T> {
  const op = 'adaptiveMaxPoolWithIndices';
  const o = adaptiveOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  return runForwardWithIndices(adaptivePlan(op, t.shape, o, MAX), t, o);
}

export function adaptiveMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const op = 'adaptiveMaxPoolBackward';
  const o = adaptiveOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const t = readTensor<T>(op, 'x', x);
  return runBackward(adaptivePlan(op, t.shape, o, MAX), gradient, t, o);
}
