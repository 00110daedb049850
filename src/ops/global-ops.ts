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
const ADAPTIVE_KEYS = [...COMMON_KEYS, 'outputSize'] as const;

/** A global plan and the options it was planned from (read once). */
interface Planned {
  readonly plan: PoolPlan;
  readonly options: GlobalLpOptions;
}

function plannedGlobal(op: string, shape: unknown, options: unknown, reducer: (o: GlobalLpOptions) => Reducer, extraKeys: readonly string[] = []): Planned {
  const o = readOptions(op, options, [...GLOBAL_KEYS, ...extraKeys]) as GlobalLpOptions;
  const s = readShape(op, 'the input shape', shape);
  const r = reducer(o);
  // The reducer is the caller's: it is part of what plans the options.
  const plan = cachedPlan(`global ${JSON.stringify(r)}`, op, s, o, () => {
    const layout = layoutOf(op, o);
    const split = splitShape(op, s, layout, spatialRankOf(op, s, o));
    const keepDims = o.keepDims === undefined ? false : checkBoolean(op, 'keepDims', o.keepDims);
    return planGlobal(op, s, layout, split, r, keepDims);
  });
  return { plan, options: o };
}

export function planGlobalOp(op: string, shape: readonly number[], options: GlobalOptions, reducer: Reducer): PoolPlan {
  return plannedGlobal(op, shape, options, () => reducer).plan;
}

function plannedAdaptive(op: string, shape: unknown, options: unknown, reducer: Reducer): { plan: PoolPlan; options: AdaptiveOptions } {
  const o = readOptions(op, options, ADAPTIVE_KEYS) as unknown as AdaptiveOptions;
  const s = readShape(op, 'the input shape', shape);
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
  return { plan: planAdaptive(op, s, layout, split, sizes, reducer), options: o };
}

export function planAdaptiveOp(op: string, shape: readonly number[], options: AdaptiveOptions, reducer: Reducer): PoolPlan {
  return plannedAdaptive(op, shape, options, reducer).plan;
}

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'propagate' };

/** Mean of each channel's whole map: (N, C, H, W) -> (N, C), or (N, C, 1, 1) with keepDims. */
export function globalAvgPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const t = readTensor<T>('globalAvgPool', 'x', x);
  const { plan, options: o } = plannedGlobal('globalAvgPool', t.shape, options, () => AVG);
  return runForward(plan, t, o);
}

export function globalAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: GlobalOptions = {},
): Tensor<T> {
  const op = 'globalAvgPoolBackward';
  const { plan, options: o } = plannedGlobal(op, shapeOfInput(op, input), options, () => AVG);
  return runBackward(plan, dy, undefined, o);
}

export function globalMaxPool<T extends FloatArray>(x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const t = readTensor<T>('globalMaxPool', 'x', x);
  const { plan, options: o } = plannedGlobal('globalMaxPool', t.shape, options, () => MAX);
  return runForward(plan, t, o);
}

export function globalMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalOptions = {}): Tensor<T> {
  const t = readTensor<T>('globalMaxPoolBackward', 'x', x);
  const { plan, options: o } = plannedGlobal('globalMaxPoolBackward', t.shape, options, () => MAX);
  return runBackward(plan, dy, t, o);
}

function lpReducer(op: string): (options: GlobalLpOptions) => Reducer {
  return (options) => ({ op: 'lp', p: options.p === undefined ? 2 : lpPower(op, 'p', options.p), signed: false, rescale: false });
}

export function globalLpPool<T extends FloatArray>(x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPool';
  const t = readTensor<T>(op, 'x', x);
  const { plan, options: o } = plannedGlobal(op, t.shape, options, lpReducer(op), ['p']);
  return runForward(plan, t, o);
}

export function globalLpPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: GlobalLpOptions = {}): Tensor<T> {
  const op = 'globalLpPoolBackward';
  const t = readTensor<T>(op, 'x', x);
  const { plan, options: o } = plannedGlobal(op, t.shape, options, lpReducer(op), ['p']);
  return runBackward(plan, dy, t, o);
}

/** Adaptive average pooling with PyTorch's bins: output i covers [floor(i*L/O), ceil((i+1)*L/O)). */
export function adaptiveAvgPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const t = readTensor<T>('adaptiveAvgPool', 'x', x);
  const { plan, options: o } = plannedAdaptive('adaptiveAvgPool', t.shape, options, AVG);
  return runForward(plan, t, o);
}

export function adaptiveAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: AdaptiveOptions,
): Tensor<T> {
  const op = 'adaptiveAvgPoolBackward';
  const { plan, options: o } = plannedAdaptive(op, shapeOfInput(op, input), options, AVG);
  return runBackward(plan, dy, undefined, o);
}

export function adaptiveMaxPool<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const t = readTensor<T>('adaptiveMaxPool', 'x', x);
  const { plan, options: o } = plannedAdaptive('adaptiveMaxPool', t.shape, options, MAX);
  return runForward(plan, t, o);
}

export function adaptiveMaxPoolWithIndices<T extends FloatArray>(x: Tensor<T>, options: AdaptiveOptions): ValuesWithIndices<T> {
  const t = readTensor<T>('adaptiveMaxPoolWithIndices', 'x', x);
  const { plan, options: o } = plannedAdaptive('adaptiveMaxPoolWithIndices', t.shape, options, MAX);
  return runForwardWithIndices(plan, t, o);
}

export function adaptiveMaxPoolBackward<T extends FloatArray>(dy: Tensor<T>, x: Tensor<T>, options: AdaptiveOptions): Tensor<T> {
  const t = readTensor<T>('adaptiveMaxPoolBackward', 'x', x);
  const { plan, options: o } = plannedAdaptive('adaptiveMaxPoolBackward', t.shape, options, MAX);
  return runBackward(plan, dy, t, o);
}
