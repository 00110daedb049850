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
 * - A 'valid' window larger than the input: Keras's compute_pooling_output_shape gives
 *   floor((L - k) / s) + 1 outputs and refuses only a negative count ("Computed output size would
 *   be negative"), so when that is 0 the result is an empty tensor (shape with a 0).
 * - GlobalAveragePooling1D takes a mask (N, steps): sum(x * mask) / sum(mask) over the steps, so a
 *   sample whose mask is all zero averages to NaN (0 / 0). Keras expands the mask to (N, steps, 1)
 *   (channels_first: (N, 1, steps)) before multiplying: any other mask shape is refused
 *   (MASK_SHAPE_MISMATCH), not broadcast.
 *
 * Every argument is read once, and every tensor checked, before anything is allocated.
 */
import { PoolingError, show } from '../plan/errors.js';
import { axisName, planGlobal, splitShape, type Reducer } from '../plan/plan.js';
import { maskedGlobalAvgPool } from '../ops/masked.js';
import { runForward } from '../ops/run.js';
import type { FloatArray, Layout, Tensor } from '../tensor.js';
import { planSlidingSpec } from '../plan/sliding.js';
import { emptyLike, readBoolean, readFloatTensor, readOptions, readPerAxis, readTensor } from './common.js';

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

function layoutOf(op: string, dataFormat: unknown): Layout {
  if (dataFormat === undefined || dataFormat === 'channels_last') return 'channels-last';
  if (dataFormat === 'channels_first') return 'channels-first';
  throw new PoolingError('INVALID_PARAMETER', op, `data_format must be "channels_last" or "channels_first"; got ${show(dataFormat)}`);
}

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'propagate' };

function pooling<T extends FloatArray>(op: string, rank: Rank, inputs: Tensor<T>, args: PoolingArgs, reducer: Reducer): Tensor<T> {
  const x = readFloatTensor(op, 'inputs', inputs);
  const a = readOptions(op, args, ['pool_size', 'strides', 'padding', 'data_format'], { name: 'arguments' });
  // Keras's default; None (null) is no pool size there, and an error here too.
  const kernel = readPerAxis(op, 'pool_size', a.pool_size === undefined ? 2 : a.pool_size, rank, 1);
  const stride = a.strides === undefined || a.strides === null ? kernel : readPerAxis(op, 'strides', a.strides, rank, 1);
  // Any case is accepted; a string longer than "valid" cannot be either, whatever its case.
  const padding = typeof a.padding === 'string' && a.padding.length <= 5 ? a.padding.toLowerCase() : (a.padding ?? 'valid');
  if (padding !== 'valid' && padding !== 'same') {
    throw new PoolingError('INVALID_PARAMETER', op, `padding must be "valid" or "same"; got ${show(a.padding)}`);
  }
  const layout = layoutOf(op, a.data_format);
  const split = splitShape(op, x.shape, layout, rank, false);
  // compute_pooling_output_shape: 'same' gives floor((L - 1) / s) + 1, 'valid' floor((L - k) / s) + 1.
  const sizes = split.spatial.map((size, i) => Math.floor((size - (padding === 'same' ? 1 : kernel[i]!)) / stride[i]!) + 1);
  sizes.forEach((out, i) => {
    if (out < 0) {
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `output size on axis ${axisName(i, rank)} would be ${out} (input ${split.spatial[i]}, pool_size ${kernel[i]}, strides ${stride[i]}, padding "valid"); ` +
          `Keras: "Computed output size would be negative". Given inputs.shape ${show(x.shape)}`,
      );
    }
  });
  const rest = layout === 'channels-first' ? [split.channels, ...sizes] : [...sizes, split.channels];
  const outputShape = [split.batch, ...rest];
  if (outputShape.includes(0)) return emptyLike(outputShape, x.data) as Tensor<T>;
  const plan = planSlidingSpec({
    op,
    shape: x.shape,
    layout,
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
  return runForward(plan, x) as Tensor<T>;
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

interface GlobalArgs {
  readonly layout: Layout;
  readonly keepDims: boolean;
}

function readGlobalArgs(op: string, args: unknown): GlobalArgs {
  const a = readOptions(op, args, ['data_format', 'keepdims'], { name: 'arguments' });
  return { layout: layoutOf(op, a.data_format), keepDims: readBoolean(op, 'keepdims', a.keepdims, false) };
}

function globalPooling<T extends FloatArray>(op: string, rank: Rank, inputs: Tensor<T>, args: GlobalPoolingArgs, reducer: Reducer): Tensor<T> {
  const x = readFloatTensor(op, 'inputs', inputs);
  const { layout, keepDims } = readGlobalArgs(op, args);
  const split = splitShape(op, x.shape, layout, rank, false);
  return runForward(planGlobal(op, x.shape, layout, split, reducer, keepDims), x) as Tensor<T>;
}

const MASK_DATA = 'a Uint8Array (booleans), Float32Array or Float64Array';

/** GlobalAveragePooling1D, with Keras's optional (N, steps) mask. */
export function globalAveragePooling1d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}, mask?: StepMask): Tensor<T> {
  const op = 'GlobalAveragePooling1D';
  if (mask === undefined) return globalPooling(op, 1, inputs, args, AVG);
  const x = readFloatTensor(op, 'inputs', inputs);
  const { layout, keepDims } = readGlobalArgs(op, args);
  const split = splitShape(op, x.shape, layout, 1, false);
  const m = readTensor(op, 'mask', mask, ['Uint8Array', 'Float32Array', 'Float64Array'], MASK_DATA);
  const [batch, steps] = [split.batch, split.spatial[0]!];
  if (m.shape.length !== 2 || m.shape[0] !== batch || m.shape[1] !== steps) {
    throw new PoolingError(
      'MASK_SHAPE_MISMATCH',
      op,
      `mask must have shape [${batch}, ${steps}] (batch, steps of inputs ${show(x.shape)}); got ${show(m.shape)}`,
    );
  }
  const weights = m.data as StepMask['data'];
  const y = maskedGlobalAvgPool(x, { layout, keepDims, spatialDims: 1, mask: { shape: m.shape, data: weights } });
  // Keras divides by sum(mask) without a guard: an all-zero mask gives 0/0 = NaN, not 0.
  const perSample = y.data.length / batch;
  for (let n = 0; n < batch; n++) {
    let total = 0;
    for (let s = 0; s < steps; s++) total += weights[n * steps + s]!;
    if (total === 0) y.data.fill(NaN, n * perSample, (n + 1) * perSample);
  }
  return y as Tensor<T>;
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
