/**
 * The Keras dialect: the pooling layers of Keras 3 as functions of a batched input, with Keras's
 * argument names (pool_size, strides, padding, data_format, keepdims) and defaults.
 *
 * Keras's rules, each reproduced here:
 * - data_format 'channels_last' (N, *spatial, C) by default, or 'channels_first'.
 * - strides default to pool_size; pool_size defaults to 2 on every axis.
 * - padding 'valid' (no padding, floor((L - k) / s) + 1 outputs) or 'same' (ceil(L / s) outputs,
 *   the TF split: the odd pad goes at the end). There is no ceil mode and no numeric padding.
 * - Average pooling never counts padding in the divisor.
 * - GlobalAveragePooling1D takes a mask (N, steps): sum(x * mask) / sum(mask) over the steps, so a
 *   sample whose mask is all zero averages to NaN (0 / 0).
 */
import { PoolingError, show } from '../plan/errors.js';
import { planGlobal, splitShape, type Reducer } from '../plan/plan.js';
import { checkBoolean, checkKnownKeys, perAxis } from '../plan/validate.js';
import { maskedGlobalAvgPool } from '../ops/masked.js';
import { runForward } from '../ops/run.js';
import { checkTensor, type FloatArray, type Layout, type Tensor } from '../tensor.js';
import { planSlidingSpec } from '../plan/sliding.js';

export type DataFormat = 'channels_last' | 'channels_first';

export interface PoolingArgs {
  /** Default 2 on every axis. */
  readonly pool_size?: number | readonly number[];
  /** Default (null): pool_size. */
  readonly strides?: number | readonly number[] | null;
  /** 'valid' (default) or 'same', any case. */
  readonly padding?: string;
  /** Default 'channels_last'. */
  readonly data_format?: DataFormat;
}

export interface GlobalPoolingArgs {
  readonly data_format?: DataFormat;
  /** Keep the spatial axes as size 1. Default false. */
  readonly keepdims?: boolean;
}

/** A Keras mask for GlobalAveragePooling1D: (N, steps), true/1 where a step is real. */
export interface StepMask {
  readonly shape: readonly number[];
  readonly data: Uint8Array | Float32Array | Float64Array;
}

type Rank = 1 | 2 | 3;

function checkArgs(op: string, args: unknown, known: readonly string[]): asserts args is object {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new PoolingError('INVALID_PARAMETER', op, `arguments must be an object of ${known.join(', ')}; got ${show(args)}`);
  }
  checkKnownKeys(op, args, known);
}

function layoutOf(op: string, dataFormat: unknown): Layout {
  if (dataFormat === undefined || dataFormat === 'channels_last') return 'channels-last';
  if (dataFormat === 'channels_first') return 'channels-first';
  throw new PoolingError('INVALID_PARAMETER', op, `data_format must be "channels_last" or "channels_first"; got ${show(dataFormat)}`);
}

function planPooling(op: string, shape: readonly number[], rank: Rank, args: PoolingArgs, reducer: Reducer) {
  checkArgs(op, args, ['pool_size', 'strides', 'padding', 'data_format']);
  const kernel = perAxis(op, 'pool_size', args.pool_size ?? 2, rank, 1);
  const stride = args.strides === undefined || args.strides === null ? kernel : perAxis(op, 'strides', args.strides, rank, 1);
  const padding = typeof args.padding === 'string' ? args.padding.toLowerCase() : (args.padding ?? 'valid');
  if (padding !== 'valid' && padding !== 'same') {
    throw new PoolingError('INVALID_PARAMETER', op, `padding must be "valid" or "same"; got ${show(args.padding)}`);
  }
  return planSlidingSpec({
    op,
    shape,
    layout: layoutOf(op, args.data_format),
    spatialRank: rank,
    allowUnbatched: false,
    kernel,
    stride,
    dilation: kernel.map(() => 1),
    padding,
    paddingName: 'padding',
    rounding: 'floor',
    lastWindowStartsInside: false,
    limitPadding: false,
    reducer,
  });
}

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'propagate' };

function pooling<T extends FloatArray>(op: string, rank: Rank, x: Tensor<T>, args: PoolingArgs, reducer: Reducer): Tensor<T> {
  checkTensor(op, 'inputs', x);
  return runForward(planPooling(op, x.shape, rank, args, reducer), x);
}

export function averagePooling1d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('AveragePooling1D', 1, inputs, args, AVG);
}
export function averagePooling2d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('AveragePooling2D', 2, inputs, args, AVG);
}
export function averagePooling3d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('AveragePooling3D', 3, inputs, args, AVG);
}
export function maxPooling1d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('MaxPooling1D', 1, inputs, args, MAX);
}
export function maxPooling2d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('MaxPooling2D', 2, inputs, args, MAX);
}
export function maxPooling3d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('MaxPooling3D', 3, inputs, args, MAX);
}

function globalPooling<T extends FloatArray>(op: string, rank: Rank, x: Tensor<T>, args: GlobalPoolingArgs, reducer: Reducer): Tensor<T> {
  checkTensor(op, 'inputs', x);
  checkArgs(op, args, ['data_format', 'keepdims']);
  const layout = layoutOf(op, args.data_format);
  const keepDims = args.keepdims === undefined ? false : checkBoolean(op, 'keepdims', args.keepdims);
  const split = splitShape(op, x.shape, layout, rank, false);
  return runForward(planGlobal(op, x.shape, layout, split, reducer, keepDims), x);
}

/** GlobalAveragePooling1D, with Keras's optional (N, steps) mask. */
export function globalAveragePooling1d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}, mask?: StepMask): Tensor<T> {
  const op = 'GlobalAveragePooling1D';
  if (mask === undefined) return globalPooling(op, 1, inputs, args, AVG);
  checkTensor(op, 'inputs', inputs);
  checkArgs(op, args, ['data_format', 'keepdims']);
  const keepDims = args.keepdims === undefined ? false : checkBoolean(op, 'keepdims', args.keepdims);
  const layout = layoutOf(op, args.data_format);
  splitShape(op, inputs.shape, layout, 1, false);
  const y = maskedGlobalAvgPool(inputs, { layout, keepDims, spatialDims: 1, mask });
  // Keras divides by sum(mask) without a guard: an all-zero mask gives 0/0 = NaN, not 0.
  const [batch, steps] = mask.shape as [number, number];
  const perSample = y.data.length / batch;
  for (let n = 0; n < batch; n++) {
    let total = 0;
    for (let s = 0; s < steps; s++) total += mask.data[n * steps + s]!;
    if (total === 0) y.data.fill(NaN, n * perSample, (n + 1) * perSample);
  }
  return y;
}
export function globalAveragePooling2d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalAveragePooling2D', 2, inputs, args, AVG);
}
export function globalAveragePooling3d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalAveragePooling3D', 3, inputs, args, AVG);
}
export function globalMaxPooling1d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalMaxPooling1D', 1, inputs, args, MAX);
}
export function globalMaxPooling2d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalMaxPooling2D', 2, inputs, args, MAX);
}
export function globalMaxPooling3d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalMaxPooling3D', 3, inputs, args, MAX);
}
