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
import { axisName, isPlan, planGlobal, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import { planSlidingSpec } from '../plan/sliding.js';
import { cachedPlan } from '../ops/plan-cache.js';
import { maskedGlobalAvgPool } from '../ops/masked.js';
import { runForward } from '../ops/run.js';
import type { FloatArray, Layout, Tensor } from '../tensor.js';
import { emptyLike, readBoolean, readFloatTensor, readOptions, readPerAxis, readTensor } from './common.js';

/** Keras's name for the layout: (N, *spatial, C) or (N, C, *spatial). */
export type DataFormat = 'channels_last' | 'channels_first';

/** The arguments of the Keras pooling layers (AveragePooling2D, MaxPooling1D, ...). */
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

/** The arguments of the Keras global pooling layers. */
export interface GlobalPoolingArgs {
  /** Default 'channels_last'. */
  readonly data_format?: DataFormat;
  /** Keep the spatial axes as size 1. Default false. */
  readonly keepdims?: boolean;
}

/** A Keras mask for GlobalAveragePooling1D: (N, steps), true/1 where a step is real. */
export interface StepMask {
  /** (N, steps). */
  readonly shape: readonly number[];
  /** 1 (or any weight) where a step is real, 0 where it is padding. */
  readonly data: Uint8Array | Float32Array | Float64Array;
}

type Rank = 1 | 2 | 3;

function layoutOf(op: string, dataFormat: unknown): Layout {
  if (dataFormat === undefined || dataFormat === 'channels_last') return 'channels-last';
  if (dataFormat === 'channels_first') return 'channels-first';
  throw new PoolingError('INVALID_PARAMETER', op, `data_format must be "channels_last" or "channels_first"; got ${show(dataFormat)}`);
}

// Constants, not literals at the call: the option reader keeps one set of names per list.
const POOLING_KEYS = ['pool_size', 'strides', 'padding', 'data_format'];
const GLOBAL_POOLING_KEYS = ['data_format', 'keepdims'];

const AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };
const MAX: Reducer = { op: 'max', nan: 'propagate' };

/**
 * The plan of a call whose arguments are `a`, from the plan cache when the same layer planned the
 * same shape with the same arguments before (as the library's own ops do): a loop of calls plans
 * once and shares the window tables and kernel geometry kept for the plan. `build` reads and checks
 * the arguments itself, so every error is raised as on a first call, in the same order; an empty
 * result (its shape) is not kept.
 */
function planned<Other = never>(op: string, shape: readonly number[], a: Readonly<Record<string, unknown>>, build: () => PoolPlan | Other): PoolPlan | Other {
  return cachedPlan('keras', op, shape, a, build);
}

function pooling<T extends FloatArray>(op: string, rank: Rank, inputs: Tensor<T>, args: PoolingArgs, reducer: Reducer): Tensor<T> {
  const x = readFloatTensor(op, 'inputs', inputs);
  const a = readOptions(op, args, POOLING_KEYS, { name: 'arguments' });
  const plan = planned(op, x.shape, a, () => planPooling(op, rank, x.shape, a, reducer));
  if (!isPlan(plan)) return emptyLike(plan.emptyShape, x.data) as Tensor<T>;
  return runForward(plan, x) as Tensor<T>;
}

/** Keras's sizing of a window layer's output: the plan, or the shape of the empty result it gives. */
function planPooling(
  op: string,
  rank: Rank,
  shape: readonly number[],
  a: Readonly<Record<string, unknown>>,
  reducer: Reducer,
): PoolPlan | { readonly emptyShape: readonly number[] } {
  // Keras's default; None (null) is no pool size there, and an error here too.
  const kernel = readPerAxis(op, 'pool_size', a.pool_size === undefined ? 2 : a.pool_size, rank, 1);
  const stride = a.strides === undefined || a.strides === null ? kernel : readPerAxis(op, 'strides', a.strides, rank, 1);
  // Any case is accepted; a string longer than "valid" cannot be either, whatever its case.
  const padding = typeof a.padding === 'string' && a.padding.length <= 5 ? a.padding.toLowerCase() : (a.padding ?? 'valid');
  if (padding !== 'valid' && padding !== 'same') {
    throw new PoolingError('INVALID_PARAMETER', op, `padding must be "valid" or "same"; got ${show(a.padding)}`);
  }
  const layout = layoutOf(op, a.data_format);
  const split = splitShape(op, shape, layout, rank, false);
  // compute_pooling_output_shape: 'same' gives floor((L - 1) / s) + 1, 'valid' floor((L - k) / s) + 1.
  const sizes = split.spatial.map((size, i) => Math.floor((size - (padding === 'same' ? 1 : kernel[i]!)) / stride[i]!) + 1);
  sizes.forEach((out, i) => {
    if (out < 0) {
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `output size on axis ${axisName(i, rank)} would be ${out} (input ${split.spatial[i]}, pool_size ${kernel[i]}, strides ${stride[i]}, padding "valid"); ` +
          `Keras: "Computed output size would be negative". Given inputs.shape ${show(shape)}`,
      );
    }
  });
  const rest = layout === 'channels-first' ? [split.channels, ...sizes] : [...sizes, split.channels];
  const outputShape = [split.batch, ...rest];
  if (outputShape.includes(0)) return { emptyShape: outputShape };
  return planSlidingSpec({
    op,
    shape,
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
}

/**
 * Keras's `AveragePooling1D` as a function of a batched input: the mean of each window (padding never counts). Keras's defaults:
 * pool_size 2, strides = pool_size, padding 'valid', data_format 'channels_last' (N, steps, C).
 * A 'valid' window larger than the input gives an empty tensor, as in Keras.
 *
 * @param inputs - (N, steps, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `pool_size`, `strides`, `padding`, `data_format`.
 * @returns The output, of `inputs`' dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`padding` other than 'valid' or 'same', `data_format` other than Keras's two);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a negative output size (Keras: "Computed output size would be negative");
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function averagePooling1d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('AveragePooling1D', 1, inputs, args, AVG);
}
/**
 * Keras's `AveragePooling2D` as a function of a batched input: the mean of each window (padding never counts). Keras's defaults:
 * pool_size 2, strides = pool_size, padding 'valid', data_format 'channels_last' (N, H, W, C).
 * A 'valid' window larger than the input gives an empty tensor, as in Keras.
 *
 * @param inputs - (N, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `pool_size`, `strides`, `padding`, `data_format`.
 * @returns The output, of `inputs`' dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`padding` other than 'valid' or 'same', `data_format` other than Keras's two);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a negative output size (Keras: "Computed output size would be negative");
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * ```js
 * import { keras, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 3, 3, 1], Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
 * const valid = keras.averagePooling2d(x, { pool_size: 2, strides: 1 });
 * console.log(valid.shape, Array.from(valid.data));
 * // prints: [ 1, 2, 2, 1 ] [ 3, 4, 6, 7 ]
 * const same = keras.averagePooling2d(x, { pool_size: 2, padding: 'same' });
 * console.log(same.shape, Array.from(same.data));
 * // prints: [ 1, 2, 2, 1 ] [ 3, 4.5, 7.5, 9 ]
 * ```
 */
export function averagePooling2d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('AveragePooling2D', 2, inputs, args, AVG);
}
/**
 * Keras's `AveragePooling3D` as a function of a batched input: the mean of each window (padding never counts). Keras's defaults:
 * pool_size 2, strides = pool_size, padding 'valid', data_format 'channels_last' (N, D, H, W, C).
 * A 'valid' window larger than the input gives an empty tensor, as in Keras.
 *
 * @param inputs - (N, D, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `pool_size`, `strides`, `padding`, `data_format`.
 * @returns The output, of `inputs`' dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`padding` other than 'valid' or 'same', `data_format` other than Keras's two);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a negative output size (Keras: "Computed output size would be negative");
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function averagePooling3d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('AveragePooling3D', 3, inputs, args, AVG);
}
/**
 * Keras's `MaxPooling1D` as a function of a batched input: the maximum of each window. Keras's defaults:
 * pool_size 2, strides = pool_size, padding 'valid', data_format 'channels_last' (N, steps, C).
 * A 'valid' window larger than the input gives an empty tensor, as in Keras.
 *
 * @param inputs - (N, steps, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `pool_size`, `strides`, `padding`, `data_format`.
 * @returns The output, of `inputs`' dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`padding` other than 'valid' or 'same', `data_format` other than Keras's two);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a negative output size (Keras: "Computed output size would be negative");
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function maxPooling1d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('MaxPooling1D', 1, inputs, args, MAX);
}
/**
 * Keras's `MaxPooling2D` as a function of a batched input: the maximum of each window. Keras's defaults:
 * pool_size 2, strides = pool_size, padding 'valid', data_format 'channels_last' (N, H, W, C).
 * A 'valid' window larger than the input gives an empty tensor, as in Keras.
 *
 * @param inputs - (N, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `pool_size`, `strides`, `padding`, `data_format`.
 * @returns The output, of `inputs`' dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`padding` other than 'valid' or 'same', `data_format` other than Keras's two);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a negative output size (Keras: "Computed output size would be negative");
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function maxPooling2d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('MaxPooling2D', 2, inputs, args, MAX);
}
/**
 * Keras's `MaxPooling3D` as a function of a batched input: the maximum of each window. Keras's defaults:
 * pool_size 2, strides = pool_size, padding 'valid', data_format 'channels_last' (N, D, H, W, C).
 * A 'valid' window larger than the input gives an empty tensor, as in Keras.
 *
 * @param inputs - (N, D, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `pool_size`, `strides`, `padding`, `data_format`.
 * @returns The output, of `inputs`' dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`padding` other than 'valid' or 'same', `data_format` other than Keras's two);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a negative output size (Keras: "Computed output size would be negative");
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function maxPooling3d<T extends FloatArray>(inputs: Tensor<T>, args: PoolingArgs = {}): Tensor<T> {
  return pooling('MaxPooling3D', 3, inputs, args, MAX);
}

interface GlobalArgs {
  readonly layout: Layout;
  readonly keepDims: boolean;
}

function readGlobalArgs(op: string, args: unknown): GlobalArgs {
  return checkGlobalArgs(op, readOptions(op, args, GLOBAL_POOLING_KEYS, { name: 'arguments' }));
}

function checkGlobalArgs(op: string, a: Readonly<Record<string, unknown>>): GlobalArgs {
  return { layout: layoutOf(op, a.data_format), keepDims: readBoolean(op, 'keepdims', a.keepdims, false) };
}

function globalPooling<T extends FloatArray>(op: string, rank: Rank, inputs: Tensor<T>, args: GlobalPoolingArgs, reducer: Reducer): Tensor<T> {
  const x = readFloatTensor(op, 'inputs', inputs);
  const a = readOptions(op, args, GLOBAL_POOLING_KEYS, { name: 'arguments' });
  const plan = planned(op, x.shape, a, () => {
    const { layout, keepDims } = checkGlobalArgs(op, a);
    return planGlobal(op, x.shape, layout, splitShape(op, x.shape, layout, rank, false), reducer, keepDims);
  });
  return runForward(plan, x) as Tensor<T>;
}

const MASK_DATA = 'a Uint8Array (booleans), Float32Array or Float64Array';

/**
 * Keras's `GlobalAveragePooling1D` as a function: the mean over the steps of each channel, with
 * Keras's optional (N, steps) mask: sum(x * mask) / sum(mask), so a sample whose mask is all zero
 * averages to NaN, as in Keras.
 *
 * @param inputs - (N, steps, C), or (N, C, steps) with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `data_format`, `keepdims`.
 * @param mask - Optional: (N, steps), 1 where a step is real.
 * @returns (N, C), or with `keepdims` (N, 1, C) (channels-first: (N, C, 1)).
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`data_format` other than Keras's two, `keepdims` not a boolean);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `MASK_SHAPE_MISMATCH`: `mask` is not (N, steps) for `inputs`;
 * - `UNSUPPORTED_DTYPE` also when `mask.data` is not a Uint8Array, Float32Array or Float64Array;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * ```js
 * import { keras, tensor } from 'tensor-pooling';
 *
 * const x = tensor([2, 3, 1], Float32Array.of(1, 2, 0, 4, 5, 6));
 * const mask = tensor([2, 3], Float32Array.of(1, 1, 0, 0, 0, 0));
 * console.log(Array.from(keras.globalAveragePooling1d(x, {}, mask).data));
 * // prints: [ 1.5, NaN ]
 * ```
 */
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
/**
 * Keras's `GlobalAveragePooling2D` as a function: the mean over every spatial axis of each channel.
 *
 * @param inputs - (N, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `data_format`, `keepdims`.
 * @returns (N, C), or with `keepdims` the spatial axes kept as size 1.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`data_format` other than Keras's two, `keepdims` not a boolean);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * ```js
 * import { keras, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 2, 2, 2], Float32Array.of(1, 10, 2, 20, 3, 30, 4, 40));
 * console.log(Array.from(keras.globalAveragePooling2d(x).data));
 * // prints: [ 2.5, 25 ]
 * console.log(keras.globalAveragePooling2d(x, { keepdims: true }).shape);
 * // prints: [ 1, 1, 1, 2 ]
 * ```
 */
export function globalAveragePooling2d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalAveragePooling2D', 2, inputs, args, AVG);
}
/**
 * Keras's `GlobalAveragePooling3D` as a function: the mean over every spatial axis of each channel.
 *
 * @param inputs - (N, D, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `data_format`, `keepdims`.
 * @returns (N, C), or with `keepdims` the spatial axes kept as size 1.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`data_format` other than Keras's two, `keepdims` not a boolean);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function globalAveragePooling3d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalAveragePooling3D', 3, inputs, args, AVG);
}
/**
 * Keras's `GlobalMaxPooling1D` as a function: the maximum over every spatial axis of each channel.
 *
 * @param inputs - (N, steps, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `data_format`, `keepdims`.
 * @returns (N, C), or with `keepdims` the spatial axes kept as size 1.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`data_format` other than Keras's two, `keepdims` not a boolean);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function globalMaxPooling1d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalMaxPooling1D', 1, inputs, args, MAX);
}
/**
 * Keras's `GlobalMaxPooling2D` as a function: the maximum over every spatial axis of each channel.
 *
 * @param inputs - (N, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `data_format`, `keepdims`.
 * @returns (N, C), or with `keepdims` the spatial axes kept as size 1.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`data_format` other than Keras's two, `keepdims` not a boolean);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function globalMaxPooling2d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalMaxPooling2D', 2, inputs, args, MAX);
}
/**
 * Keras's `GlobalMaxPooling3D` as a function: the maximum over every spatial axis of each channel.
 *
 * @param inputs - (N, D, H, W, C), or channels-first with `data_format: 'channels_first'`.
 * @param args - Keras's arguments by name: `data_format`, `keepdims`.
 * @returns (N, C), or with `keepdims` the spatial axes kept as size 1.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `inputs` is not `{ shape, data }`, or an argument has the wrong type or
 *   value or is unknown (`data_format` other than Keras's two, `keepdims` not a boolean);
 * - `UNSUPPORTED_DTYPE`: `inputs.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `inputs.data` does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `inputs` is not batched with this many spatial axes;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 */
export function globalMaxPooling3d<T extends FloatArray>(inputs: Tensor<T>, args: GlobalPoolingArgs = {}): Tensor<T> {
  return globalPooling('GlobalMaxPooling3D', 3, inputs, args, MAX);
}
