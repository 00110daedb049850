/**
 * The PyTorch dialect: torch.nn.functional's pooling with PyTorch's own argument names (as an
 * options object) and defaults, and PyTorch's results. Layout (N, C, *spatial) or unbatched
 * (C, *spatial), as PyTorch accepts both.
 *
 * PyTorch's rules (aten/src/ATen/native/Pool.h and AvgPoolKernel.cpp), each reproduced here:
 * - stride defaults to kernel_size; padding is symmetric and at most half the effective kernel.
 * - ceil_mode: the output rounds up, but the last window must start inside the input or the left
 *   padding. With L=5, kernel 2, stride 2, padding 1 that gives 3 outputs, not 4.
 * - count_include_pad=True (the default) divides by the taps inside input + padding, never by the
 *   ceil-mode overhang past the padding; divisor_override replaces the divisor (2-D and 3-D only).
 * - Max pooling propagates NaN; return_indices gives each maximum's flat index inside its own
 *   (n, c) plane, as an Int32Array.
 * - Adaptive bins: output i covers [floor(i*L/O), ceil((i+1)*L/O)); None keeps that axis.
 * - lp_pool computes avg_pool(x^p) * prod(kernel_size), then ^(1/p): x^p keeps its sign (so a
 *   negative sum gives NaN for fractional 1/p) and no padding is allowed.
 * - A kernel larger than the padded input is an error ("Output size is too small"), never an
 *   empty result.
 * - max_unpool: indices are flat inside each (n, c) plane of the output; output_size gives the
 *   spatial sizes (or N, C and them, N and C ignored, as torch.nn.functional's
 *   _unpool_output_size does) and must lie strictly between default - stride and default + stride.
 *
 * Every argument is read once, and every tensor checked, before anything is allocated.
 */
import { PoolingError, show } from '../plan/errors.js';
import { checkInteger } from '../plan/validate.js';
import { planAdaptive, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import { planSlidingSpec } from '../plan/sliding.js';
import { cachedPlan } from '../ops/plan-cache.js';
import { runBackward, runForward, runForwardWithIndices, type IndexTensor } from '../ops/run.js';
import { maxUnpoolAs, maxUnpoolBackwardAs, type MaxUnpoolOptions } from '../ops/unpool.js';
import type { FloatArray, Tensor } from '../tensor.js';
import { readBoolean, readFloatTensor, readList, readOptions, readPerAxis, readTensor } from './common.js';

/** One int for every spatial axis, or one per axis (a 1-element list counts as one int, as in PyTorch). */
export type IntOrTuple = number | readonly number[];

/** The arguments of avg_pool1d (and, with divisor_override, of avg_pool2d and avg_pool3d). */
export interface AvgPoolArgs {
  /** The window. Required. */
  readonly kernel_size: IntOrTuple;
  /** Default (null or []): kernel_size. */
  readonly stride?: IntOrTuple | null;
  /** Zeros on both sides of each axis, at most half the kernel; default 0. */
  readonly padding?: IntOrTuple;
  /** Round the output size up (the last window must still start inside the input or the left padding); default false. */
  readonly ceil_mode?: boolean;
  /** Count the padding in the divisor (never the ceil-mode overhang past it). Default true. */
  readonly count_include_pad?: boolean;
}

/** The arguments of avg_pool2d and avg_pool3d. */
export interface AvgPoolNdArgs extends AvgPoolArgs {
  /** Divide every window's sum by this non-zero integer instead; default null (none). */
  readonly divisor_override?: number | null;
}

/** The arguments of max_pool1d/2d/3d's gradient (the forward pass also takes return_indices: {@link MaxPoolCall}). */
export interface MaxPoolArgs {
  /** The window. Required. */
  readonly kernel_size: IntOrTuple;
  /** Default (null or []): kernel_size. */
  readonly stride?: IntOrTuple | null;
  /** Padding on both sides of each axis (it never wins the maximum), at most half the effective kernel; default 0. */
  readonly padding?: IntOrTuple;
  /** Step between a window's taps; default 1. */
  readonly dilation?: IntOrTuple;
  /** Round the output size up; default false. */
  readonly ceil_mode?: boolean;
}

/** The arguments of lp_pool1d/2d/3d (PyTorch's LPPool takes no padding or dilation). */
export interface LpPoolArgs {
  /** The power p: a positive finite number. Required. */
  readonly norm_type: number;
  /** The window. Required. */
  readonly kernel_size: IntOrTuple;
  /** Default (null or []): kernel_size. */
  readonly stride?: IntOrTuple | null;
  /** Round the output size up; default false. */
  readonly ceil_mode?: boolean;
}

/** The arguments of max_unpool1d/2d/3d: the geometry of the max pooling it undoes. */
export interface MaxUnpoolArgs {
  /** The pooling's window. Required. */
  readonly kernel_size: IntOrTuple;
  /** The pooling's stride; default (null or []): kernel_size. */
  readonly stride?: IntOrTuple | null;
  /** The pooling's padding; default 0. */
  readonly padding?: IntOrTuple;
  /**
   * The spatial output size, or the whole output shape (N and C ignored, as in PyTorch); default
   * (in - 1) * stride - 2 * padding + kernel_size, and each size must lie strictly within one stride
   * of that default.
   */
  readonly output_size?: readonly number[] | null;
}

/** output_size of adaptive pooling: one size for every axis or one per axis; null keeps an axis. */
export type AdaptiveOutputSize = number | readonly (number | null)[];

type Rank = 1 | 2 | 3;
type Args = Readonly<Record<string, unknown>>;

function tuple(op: string, name: string, value: unknown, rank: Rank, min: number): number[] {
  return readPerAxis(op, name, value, rank, min, true);
}

/** stride, read once: None and [] mean kernel_size, as in PyTorch. */
function strideOf(op: string, stride: unknown, kernel: number[], rank: Rank): number[] {
  if (stride === undefined || stride === null) return kernel;
  if (typeof stride === 'number') return tuple(op, 'stride', stride, rank, 1);
  const list = readList(op, 'stride', stride, [0, 1, rank], `one integer or ${rank} integers (one per spatial axis), or None`);
  return list.length === 0 ? kernel : tuple(op, 'stride', list, rank, 1);
}

/** The caller's arguments object, every key read once; kernel_size must be there. */
function readArgs(op: string, args: unknown, known: readonly string[]): Args {
  const a = readOptions(op, args, known, { name: 'arguments', optional: false });
  if (known.includes('kernel_size') && a.kernel_size === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `kernel_size is required`);
  }
  return a;
}

const AVG_KEYS = ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'];
const MAX_KEYS = ['kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode'];
// Constants, not literals at the call: the option reader keeps one set of names per list.
const AVG_ND_KEYS = [...AVG_KEYS, 'divisor_override'];
const LP_KEYS = ['norm_type', 'kernel_size', 'stride', 'ceil_mode'];
const UNPOOL_KEYS = ['kernel_size', 'stride', 'padding', 'output_size'];

function planWindow(op: string, shape: readonly number[], rank: Rank, a: Args, reducer: Reducer): PoolPlan {
  const kernel = tuple(op, 'kernel_size', a.kernel_size, rank, 1);
  return planSlidingSpec({
    op,
    shape,
    layout: 'channels-first',
    spatialRank: rank,
    allowUnbatched: true,
    kernel,
    stride: strideOf(op, a.stride, kernel, rank),
    dilation: a.dilation === undefined ? kernel.map(() => 1) : tuple(op, 'dilation', a.dilation, rank, 1),
    padding: a.padding === undefined ? 0 : tuple(op, 'padding', a.padding, rank, 0),
    paddingName: 'padding',
    rounding: readBoolean(op, 'ceil_mode', a.ceil_mode, false) ? 'ceil' : 'floor',
    lastWindowStartsInside: true,
    limitPadding: true,
    reducer,
  });
}

/**
 * The plan of a call whose arguments are `a`, from the plan cache when the same op planned the same
 * shape with the same arguments before (as the library's own ops do): a loop of calls plans once
 * and shares the window tables and kernel geometry kept for the plan. `build` reads and checks
 * the arguments themselves, so every error is raised as on a first call, in the same order.
 */
function planned(op: string, shape: readonly number[], a: Args, build: () => PoolPlan): PoolPlan {
  return cachedPlan('torch', op, shape, a, build);
}

function planAvg(op: string, shape: readonly number[], rank: Rank, args: unknown): PoolPlan {
  const a = readArgs(op, args, rank === 1 ? AVG_KEYS : AVG_ND_KEYS);
  return planned(op, shape, a, () => planAvgArgs(op, shape, rank, a));
}

function planAvgArgs(op: string, shape: readonly number[], rank: Rank, a: Args): PoolPlan {
  const override = a.divisor_override;
  // Read whether or not an override makes it moot: a wrong value is the caller's mistake either way.
  const include = readBoolean(op, 'count_include_pad', a.count_include_pad, true);
  let reducer: Reducer;
  if (override !== undefined && override !== null) {
    if (typeof override !== 'number' || !Number.isSafeInteger(override) || override === 0) {
      throw new PoolingError('INVALID_PARAMETER', op, `divisor_override must be a non-zero integer; got ${show(override)}`);
    }
    reducer = { op: 'avg', divisor: override, emptyWindow: 'zero' };
  } else {
    reducer = { op: 'avg', divisor: include ? 'padded' : 'valid', emptyWindow: 'zero' };
  }
  return planWindow(op, shape, rank, a, reducer);
}

const MAX: Reducer = { op: 'max', nan: 'propagate' };

function planMax(op: string, shape: readonly number[], rank: Rank, a: Args): PoolPlan {
  return planned(op, shape, a, () => planWindow(op, shape, rank, a, MAX));
}

function planLp(op: string, shape: readonly number[], rank: Rank, args: unknown): PoolPlan {
  const a = readArgs(op, args, LP_KEYS);
  return planned(op, shape, a, () => {
    const p = a.norm_type;
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) {
      throw new PoolingError('INVALID_PARAMETER', op, `norm_type must be a positive finite number; got ${show(p)}`);
    }
    return planWindow(op, shape, rank, a, { op: 'lp', p, signed: true, rescale: true });
  });
}

function planAdaptiveTorch(op: string, shape: readonly number[], rank: Rank, outputSize: unknown, reducer: Reducer): PoolPlan {
  const split = splitShape(op, shape, 'channels-first', rank);
  const expected = `one int or ${rank} ints or None (one per spatial axis)`;
  const sizes =
    typeof outputSize === 'number' ? new Array<unknown>(rank).fill(outputSize) : readList(op, 'output_size', outputSize, [rank], expected);
  const checked = sizes.map((s) => (s === null ? null : checkInteger(op, 'output_size', s, 1, outputSize)));
  return planned(op, shape, { output_size: checked }, () => planAdaptive(op, shape, 'channels-first', split, checked, reducer));
}

function readInput(op: string, x: unknown, name = 'input'): Tensor {
  return readFloatTensor(op, name, x);
}

/** Max pooling results: the values alone, or PyTorch's (output, indices) pair with return_indices. */
function maxResult(plan: PoolPlan, x: Tensor, returnIndices: boolean): Tensor | [Tensor, IndexTensor] {
  if (!returnIndices) return runForward(plan, x);
  const { values, indices } = runForwardWithIndices(plan, x);
  return [values, indices];
}

/** What max pooling returns: the output, or with `return_indices: true` PyTorch's (output, indices) pair. */
export type MaxOut<T extends FloatArray, R extends boolean | undefined> = R extends true ? [Tensor<T>, IndexTensor] : Tensor<T>;

/** The arguments of max_pool1d/2d/3d. */
export interface MaxPoolCall<R extends boolean | undefined> extends MaxPoolArgs {
  /** Also return the indices of the maxima (flat per (n, c) plane, an Int32Array); default false. */
  readonly return_indices?: R;
}

const MAX_FORWARD_KEYS = [...MAX_KEYS, 'return_indices'];
const ADAPTIVE_AVG: Reducer = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' };

/*
 * PyTorch has one function per rank (avg_pool1d, avg_pool2d, avg_pool3d, ...); each family below is
 * built once from the op's name and spatial rank.
 */

function avgPoolFor<A extends AvgPoolArgs>(rank: Rank) {
  const op = `avg_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input: Tensor<T>, args: A): Tensor<T> {
      const x = readInput(op, input);
      return runForward(planAvg(op, x.shape, rank, args), x) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input: Tensor, args: A): Tensor<T> {
      const name = `${op}_backward`;
      const dy = readInput(name, grad_output, 'grad_output');
      return runBackward(planAvg(name, readInput(name, input).shape, rank, args), dy, undefined) as Tensor<T>;
    },
  };
}

function maxPoolFor(rank: Rank) {
  const op = `max_pool${rank}d`;
  return {
    forward<T extends FloatArray, R extends boolean | undefined = undefined>(input: Tensor<T>, args: MaxPoolCall<R>): MaxOut<T, R> {
      const x = readInput(op, input);
      const a = readArgs(op, args, MAX_FORWARD_KEYS);
      const returnIndices = readBoolean(op, 'return_indices', a.return_indices, false);
      return maxResult(planMax(op, x.shape, rank, a), x, returnIndices) as MaxOut<T, R>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input: Tensor<T>, args: MaxPoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const dy = readInput(name, grad_output, 'grad_output');
      const x = readInput(name, input);
      return runBackward(planMax(name, x.shape, rank, readArgs(name, args, MAX_KEYS)), dy, x) as Tensor<T>;
    },
  };
}

function adaptiveAvgPoolFor(rank: Rank) {
  const op = `adaptive_avg_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input: Tensor<T>, output_size: AdaptiveOutputSize): Tensor<T> {
      const x = readInput(op, input);
      return runForward(planAdaptiveTorch(op, x.shape, rank, output_size, ADAPTIVE_AVG), x) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input: Tensor, output_size: AdaptiveOutputSize): Tensor<T> {
      const name = `${op}_backward`;
      const dy = readInput(name, grad_output, 'grad_output');
      return runBackward(planAdaptiveTorch(name, readInput(name, input).shape, rank, output_size, ADAPTIVE_AVG), dy, undefined) as Tensor<T>;
    },
  };
}

function adaptiveMaxPoolFor(rank: Rank) {
  const op = `adaptive_max_pool${rank}d`;
  return {
    forward<T extends FloatArray, R extends boolean | undefined = undefined>(
      input: Tensor<T>,
      output_size: AdaptiveOutputSize,
      return_indices?: R,
    ): MaxOut<T, R> {
      const x = readInput(op, input);
      const returnIndices = readBoolean(op, 'return_indices', return_indices, false);
      return maxResult(planAdaptiveTorch(op, x.shape, rank, output_size, MAX), x, returnIndices) as MaxOut<T, R>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input: Tensor<T>, output_size: AdaptiveOutputSize): Tensor<T> {
      const name = `${op}_backward`;
      const dy = readInput(name, grad_output, 'grad_output');
      const x = readInput(name, input);
      return runBackward(planAdaptiveTorch(name, x.shape, rank, output_size, MAX), dy, x) as Tensor<T>;
    },
  };
}

function lpPoolFor(rank: Rank) {
  const op = `lp_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input: Tensor<T>, args: LpPoolArgs): Tensor<T> {
      const x = readInput(op, input);
      return runForward(planLp(op, x.shape, rank, args), x) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input: Tensor<T>, args: LpPoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const dy = readInput(name, grad_output, 'grad_output');
      const x = readInput(name, input);
      return runBackward(planLp(name, x.shape, rank, args), dy, x) as Tensor<T>;
    },
  };
}

/**
 * max_unpool's options for the core, from PyTorch's arguments and the shape of the pooled tensor:
 * output_size reduced to its spatial sizes and held to _unpool_output_size's open interval.
 */
function unpoolOptions(op: string, rank: Rank, pooledShape: readonly number[], args: unknown): MaxUnpoolOptions {
  const a = readArgs(op, args, UNPOOL_KEYS);
  const kernel = tuple(op, 'kernel_size', a.kernel_size, rank, 1);
  const stride = strideOf(op, a.stride, kernel, rank);
  const padding = a.padding === undefined ? kernel.map(() => 0) : tuple(op, 'padding', a.padding, rank, 0);
  if (a.output_size === undefined || a.output_size === null) return { kernel, stride, padding, spatialDims: rank };
  const given = readList(op, 'output_size', a.output_size, [rank, rank + 2], `${rank} or ${rank + 2} sizes`);
  const spatial = given.slice(given.length - rank).map((s) => checkInteger(op, 'output_size', s, 0, given));
  const inputSpatial = pooledShape.slice(pooledShape.length - rank);
  spatial.forEach((size, d) => {
    const fallback = (inputSpatial[d]! - 1) * stride[d]! + kernel[d]! - 2 * padding[d]!;
    const [min, max] = [fallback - stride[d]!, fallback + stride[d]!];
    if (!(min < size && size < max)) {
      throw new PoolingError(
        'INVALID_PARAMETER',
        op,
        `invalid output_size ${show(given)} (dim ${d} must be between ${min} and ${max}, exclusive; the default is ${fallback})`,
      );
    }
  });
  return { kernel, stride, padding, outputSize: spatial, spatialDims: rank };
}

function indexInput(op: string, indices: unknown): IndexTensor {
  const t = readTensor(op, 'indices', indices, ['Int32Array'], 'an Int32Array');
  return { shape: t.shape, data: t.data as Int32Array };
}

function maxUnpoolFor(rank: Rank) {
  const op = `max_unpool${rank}d`;
  return {
    forward<T extends FloatArray>(input: Tensor<T>, indices: IndexTensor, args: MaxUnpoolArgs): Tensor<T> {
      const x = readInput(op, input);
      const at = indexInput(op, indices);
      return maxUnpoolAs(op, x, at, unpoolOptions(op, rank, x.shape, args)) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, indices: IndexTensor, args: MaxUnpoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const dy = readInput(name, grad_output, 'grad_output');
      const at = indexInput(name, indices);
      return maxUnpoolBackwardAs(name, dy, at, unpoolOptions(name, rank, at.shape, args)) as Tensor<T>;
    },
  };
}

const avgPool1dPair = avgPoolFor<AvgPoolArgs>(1);

/**
 * PyTorch's `torch.nn.functional.avg_pool1d` on (N, C, L) or (C, L), with PyTorch's defaults: stride =
 * kernel_size, count_include_pad=True (the padding counts in the divisor, the ceil-mode overhang
 * never), and ceil mode's last window starting inside the input or the left padding.
 *
 * @param input - (N, C, L) or (C, L).
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `ceil_mode`,
 *   `count_include_pad`.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const avgPool1d = avgPool1dPair.forward;

/**
 * The gradient of {@link avgPool1d} (PyTorch's `avg_pool1d_backward`): each output's gradient
 * spread over its window's taps with the forward divisor.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input (only its shape is read).
 * @param args - The forward call's arguments.
 * @returns grad_input, of `input`'s shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link avgPool1d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's.
 * @function
 */

export const avgPool1dBackward = avgPool1dPair.backward;

const avgPool2dPair = avgPoolFor<AvgPoolNdArgs>(2);

/**
 * PyTorch's `torch.nn.functional.avg_pool2d` on (N, C, H, W) or (C, H, W), with PyTorch's defaults: stride =
 * kernel_size, count_include_pad=True (the padding counts in the divisor, the ceil-mode overhang
 * never), and ceil mode's last window starting inside the input or the left padding. `divisor_override` replaces the divisor.
 *
 * @param input - (N, C, H, W) or (C, H, W).
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `ceil_mode`,
 *   `count_include_pad`, `divisor_override`.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * PyTorch's defaults: stride = kernel_size, and count_include_pad=True (padding counted in the divisor):
 * ```js
 * import { tensor, torch } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));
 * console.log(Array.from(torch.avgPool2d(x, { kernel_size: 2 }).data));
 * // prints: [ 2.5, 4.5, 10.5, 12.5 ]
 * const padded = torch.avgPool2d(x, { kernel_size: 3, stride: 2, padding: 1 });
 * console.log(Array.from(padded.data, (v) => v.toFixed(3)));
 * // prints: [ '1.111', '2.667', '5.667', '10.000' ]
 * const ceil = torch.avgPool2d(tensor([1, 1, 5, 5], new Float32Array(25).fill(1)), { kernel_size: 2, stride: 2, padding: 1, ceil_mode: true });
 * console.log(ceil.shape);
 * // prints: [ 1, 1, 3, 3 ]
 * ```
 * @function
 */

export const avgPool2d = avgPool2dPair.forward;

/**
 * The gradient of {@link avgPool2d} (PyTorch's `avg_pool2d_backward`): each output's gradient
 * spread over its window's taps with the forward divisor.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input (only its shape is read).
 * @param args - The forward call's arguments.
 * @returns grad_input, of `input`'s shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link avgPool2d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's.
 * @function
 */

export const avgPool2dBackward = avgPool2dPair.backward;

const avgPool3dPair = avgPoolFor<AvgPoolNdArgs>(3);

/**
 * PyTorch's `torch.nn.functional.avg_pool3d` on (N, C, D, H, W) or (C, D, H, W), with PyTorch's defaults: stride =
 * kernel_size, count_include_pad=True (the padding counts in the divisor, the ceil-mode overhang
 * never), and ceil mode's last window starting inside the input or the left padding. `divisor_override` replaces the divisor.
 *
 * @param input - (N, C, D, H, W) or (C, D, H, W).
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `ceil_mode`,
 *   `count_include_pad`, `divisor_override`.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const avgPool3d = avgPool3dPair.forward;

/**
 * The gradient of {@link avgPool3d} (PyTorch's `avg_pool3d_backward`): each output's gradient
 * spread over its window's taps with the forward divisor.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input (only its shape is read).
 * @param args - The forward call's arguments.
 * @returns grad_input, of `input`'s shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link avgPool3d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's.
 * @function
 */

export const avgPool3dBackward = avgPool3dPair.backward;

const maxPool1dPair = maxPoolFor(1);

/**
 * PyTorch's `torch.nn.functional.max_pool1d` on (N, C, L) or (C, L): the maximum of each window
 * (padding never wins; NaN propagates; ties keep the first). With `return_indices: true`, PyTorch's
 * (output, indices) pair, the indices flat inside each (n, c) plane.
 *
 * @param input - (N, C, L) or (C, L).
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `dilation`,
 *   `ceil_mode`, `return_indices`.
 * @returns The output, or `[output, indices]` with `return_indices: true`.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const maxPool1d = maxPool1dPair.forward;

/**
 * The gradient of {@link maxPool1d}: each output's gradient goes to its window's maximum (found
 * again from `input`).
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param args - The forward call's arguments (without `return_indices`).
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link maxPool1d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const maxPool1dBackward = maxPool1dPair.backward;

const maxPool2dPair = maxPoolFor(2);

/**
 * PyTorch's `torch.nn.functional.max_pool2d` on (N, C, H, W) or (C, H, W): the maximum of each window
 * (padding never wins; NaN propagates; ties keep the first). With `return_indices: true`, PyTorch's
 * (output, indices) pair, the indices flat inside each (n, c) plane.
 *
 * @param input - (N, C, H, W) or (C, H, W).
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `dilation`,
 *   `ceil_mode`, `return_indices`.
 * @returns The output, or `[output, indices]` with `return_indices: true`.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * ```js
 * import { tensor, torch } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 2, 4], Float32Array.of(1, 5, 2, 0, 3, 4, 8, 7));
 * const [output, indices] = torch.maxPool2d(x, { kernel_size: 2, return_indices: true });
 * console.log(Array.from(output.data), Array.from(indices.data));
 * // prints: [ 5, 8 ] [ 1, 6 ]
 * console.log(Array.from(torch.maxUnpool2d(output, indices, { kernel_size: 2 }).data).join(' '));
 * // prints: 0 5 0 0 0 0 8 0
 * ```
 * @function
 */

export const maxPool2d = maxPool2dPair.forward;

/**
 * The gradient of {@link maxPool2d}: each output's gradient goes to its window's maximum (found
 * again from `input`).
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param args - The forward call's arguments (without `return_indices`).
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link maxPool2d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const maxPool2dBackward = maxPool2dPair.backward;

const maxPool3dPair = maxPoolFor(3);

/**
 * PyTorch's `torch.nn.functional.max_pool3d` on (N, C, D, H, W) or (C, D, H, W): the maximum of each window
 * (padding never wins; NaN propagates; ties keep the first). With `return_indices: true`, PyTorch's
 * (output, indices) pair, the indices flat inside each (n, c) plane.
 *
 * @param input - (N, C, D, H, W) or (C, D, H, W).
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `dilation`,
 *   `ceil_mode`, `return_indices`.
 * @returns The output, or `[output, indices]` with `return_indices: true`.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `PAD_TOO_LARGE`: padding over half the effective kernel;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the padded input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const maxPool3d = maxPool3dPair.forward;

/**
 * The gradient of {@link maxPool3d}: each output's gradient goes to its window's maximum (found
 * again from `input`).
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param args - The forward call's arguments (without `return_indices`).
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link maxPool3d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const maxPool3dBackward = maxPool3dPair.backward;

const adaptiveAvgPool1dPair = adaptiveAvgPoolFor(1);

/**
 * PyTorch's `torch.nn.functional.adaptive_avg_pool1d` on (N, C, L) or (C, L): output i of an axis of
 * length L covers [floor(i*L/O), ceil((i+1)*L/O)) and is its mean.
 *
 * @param input - (N, C, L) or (C, L).
 * @param output_size - One size for every spatial axis or one per axis; null keeps that axis.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const adaptiveAvgPool1d = adaptiveAvgPool1dPair.forward;

/**
 * The gradient of {@link adaptiveAvgPool1d}: each output's gradient spread over its bin.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input (only its shape is read).
 * @param output_size - The forward call's output_size.
 * @returns grad_input, of `input`'s shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link adaptiveAvgPool1d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's.
 * @function
 */

export const adaptiveAvgPool1dBackward = adaptiveAvgPool1dPair.backward;

const adaptiveAvgPool2dPair = adaptiveAvgPoolFor(2);

/**
 * PyTorch's `torch.nn.functional.adaptive_avg_pool2d` on (N, C, H, W) or (C, H, W): output i of an axis of
 * length L covers [floor(i*L/O), ceil((i+1)*L/O)) and is its mean.
 *
 * @param input - (N, C, H, W) or (C, H, W).
 * @param output_size - One size for every spatial axis or one per axis; null keeps that axis.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * ```js
 * import { tensor, torch } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 5, 5], Float32Array.from({ length: 25 }, (_, i) => i));
 * console.log(torch.adaptiveAvgPool2d(x, 3).shape, torch.adaptiveAvgPool2d(x, [null, 2]).shape);
 * // prints: [ 1, 1, 3, 3 ] [ 1, 1, 5, 2 ]
 * ```
 * @function
 */

export const adaptiveAvgPool2d = adaptiveAvgPool2dPair.forward;

/**
 * The gradient of {@link adaptiveAvgPool2d}: each output's gradient spread over its bin.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input (only its shape is read).
 * @param output_size - The forward call's output_size.
 * @returns grad_input, of `input`'s shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link adaptiveAvgPool2d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's.
 * @function
 */

export const adaptiveAvgPool2dBackward = adaptiveAvgPool2dPair.backward;

const adaptiveAvgPool3dPair = adaptiveAvgPoolFor(3);

/**
 * PyTorch's `torch.nn.functional.adaptive_avg_pool3d` on (N, C, D, H, W) or (C, D, H, W): output i of an axis of
 * length L covers [floor(i*L/O), ceil((i+1)*L/O)) and is its mean.
 *
 * @param input - (N, C, D, H, W) or (C, D, H, W).
 * @param output_size - One size for every spatial axis or one per axis; null keeps that axis.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const adaptiveAvgPool3d = adaptiveAvgPool3dPair.forward;

/**
 * The gradient of {@link adaptiveAvgPool3d}: each output's gradient spread over its bin.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input (only its shape is read).
 * @param output_size - The forward call's output_size.
 * @returns grad_input, of `input`'s shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link adaptiveAvgPool3d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's.
 * @function
 */

export const adaptiveAvgPool3dBackward = adaptiveAvgPool3dPair.backward;

const adaptiveMaxPool1dPair = adaptiveMaxPoolFor(1);

/**
 * PyTorch's `torch.nn.functional.adaptive_max_pool1d` on (N, C, L) or (C, L): the maximum of each
 * adaptive bin (see {@link adaptiveAvgPool1d}); NaN propagates.
 *
 * @param input - (N, C, L) or (C, L).
 * @param output_size - One size for every spatial axis or one per axis; null keeps that axis.
 * @param return_indices - Also return the indices of the maxima (flat per (n, c) plane); default false.
 * @returns The output, or `[output, indices]` with `return_indices` true.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const adaptiveMaxPool1d = adaptiveMaxPool1dPair.forward;

/**
 * The gradient of {@link adaptiveMaxPool1d}: each output's gradient goes to its bin's maximum.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param output_size - The forward call's output_size.
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link adaptiveMaxPool1d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const adaptiveMaxPool1dBackward = adaptiveMaxPool1dPair.backward;

const adaptiveMaxPool2dPair = adaptiveMaxPoolFor(2);

/**
 * PyTorch's `torch.nn.functional.adaptive_max_pool2d` on (N, C, H, W) or (C, H, W): the maximum of each
 * adaptive bin (see {@link adaptiveAvgPool2d}); NaN propagates.
 *
 * @param input - (N, C, H, W) or (C, H, W).
 * @param output_size - One size for every spatial axis or one per axis; null keeps that axis.
 * @param return_indices - Also return the indices of the maxima (flat per (n, c) plane); default false.
 * @returns The output, or `[output, indices]` with `return_indices` true.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const adaptiveMaxPool2d = adaptiveMaxPool2dPair.forward;

/**
 * The gradient of {@link adaptiveMaxPool2d}: each output's gradient goes to its bin's maximum.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param output_size - The forward call's output_size.
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link adaptiveMaxPool2d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const adaptiveMaxPool2dBackward = adaptiveMaxPool2dPair.backward;

const adaptiveMaxPool3dPair = adaptiveMaxPoolFor(3);

/**
 * PyTorch's `torch.nn.functional.adaptive_max_pool3d` on (N, C, D, H, W) or (C, D, H, W): the maximum of each
 * adaptive bin (see {@link adaptiveAvgPool3d}); NaN propagates.
 *
 * @param input - (N, C, D, H, W) or (C, D, H, W).
 * @param output_size - One size for every spatial axis or one per axis; null keeps that axis.
 * @param return_indices - Also return the indices of the maxima (flat per (n, c) plane); default false.
 * @returns The output, or `[output, indices]` with `return_indices` true.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const adaptiveMaxPool3d = adaptiveMaxPool3dPair.forward;

/**
 * The gradient of {@link adaptiveMaxPool3d}: each output's gradient goes to its bin's maximum.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param output_size - The forward call's output_size.
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link adaptiveMaxPool3d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const adaptiveMaxPool3dBackward = adaptiveMaxPool3dPair.backward;

const lpPool1dPair = lpPoolFor(1);

/**
 * PyTorch's `torch.nn.functional.lp_pool1d` on (N, C, L) or (C, L), with PyTorch's formula:
 * (sum of x^p over the window)^(1/p), computed as avg_pool(x^p) * prod(kernel_size), so x^p keeps
 * its sign and a negative sum gives NaN for fractional 1/p. No padding.
 *
 * @param input - (N, C, L) or (C, L).
 * @param args - PyTorch's arguments by name: `norm_type` and `kernel_size` (required), `stride`, `ceil_mode`.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`norm_type`, `kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const lpPool1d = lpPool1dPair.forward;

/**
 * The gradient of {@link lpPool1d}.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param args - The forward call's arguments.
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link lpPool1d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const lpPool1dBackward = lpPool1dPair.backward;

const lpPool2dPair = lpPoolFor(2);

/**
 * PyTorch's `torch.nn.functional.lp_pool2d` on (N, C, H, W) or (C, H, W), with PyTorch's formula:
 * (sum of x^p over the window)^(1/p), computed as avg_pool(x^p) * prod(kernel_size), so x^p keeps
 * its sign and a negative sum gives NaN for fractional 1/p. No padding.
 *
 * @param input - (N, C, H, W) or (C, H, W).
 * @param args - PyTorch's arguments by name: `norm_type` and `kernel_size` (required), `stride`, `ceil_mode`.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`norm_type`, `kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const lpPool2d = lpPool2dPair.forward;

/**
 * The gradient of {@link lpPool2d}.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param args - The forward call's arguments.
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link lpPool2d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const lpPool2dBackward = lpPool2dPair.backward;

const lpPool3dPair = lpPoolFor(3);

/**
 * PyTorch's `torch.nn.functional.lp_pool3d` on (N, C, D, H, W) or (C, D, H, W), with PyTorch's formula:
 * (sum of x^p over the window)^(1/p), computed as avg_pool(x^p) * prod(kernel_size), so x^p keeps
 * its sign and a negative sum gives NaN for fractional 1/p. No padding.
 *
 * @param input - (N, C, D, H, W) or (C, D, H, W).
 * @param args - PyTorch's arguments by name: `norm_type` and `kernel_size` (required), `stride`, `ceil_mode`.
 * @returns The output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`norm_type`, `kernel_size`);
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or a window larger than the input;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const lpPool3d = lpPool3dPair.forward;

/**
 * The gradient of {@link lpPool3d}.
 *
 * @param grad_output - The gradient of the forward output.
 * @param input - The forward input.
 * @param args - The forward call's arguments.
 * @returns grad_input, of `input`'s shape and dtype.
 * @throws {@link PoolingError} the codes {@link lpPool3d} throws for these arguments (for
 * `grad_output` too); `SHAPE_MISMATCH` when `grad_output`'s shape is not the forward output's, and
 * `UNSUPPORTED_DTYPE` when its dtype is not `input`'s.
 * @function
 */

export const lpPool3dBackward = lpPool3dPair.backward;

const maxUnpool1dPair = maxUnpoolFor(1);

/**
 * PyTorch's `torch.nn.functional.max_unpool1d` on (N, C, L) or (C, L): each value goes back to the
 * position its index names inside its (n, c) plane (as {@link maxPool1d} returns them with
 * `return_indices`); every other position is 0.
 *
 * @param input - The pooled values, (N, C, L) or (C, L).
 * @param indices - An Int32Array tensor of `input`'s shape.
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `output_size`.
 * @returns The unpooled output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`), or `output_size` is not within one stride of the default;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `indices.data` not an Int32Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `SHAPE_MISMATCH`: `indices` does not have `input`'s shape;
 * - `INDEX_OUT_OF_RANGE`: an index lies outside its output plane;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const maxUnpool1d = maxUnpool1dPair.forward;

/**
 * The gradient of {@link maxUnpool1d}: each input takes the gradient at the position its index
 * sent it to.
 *
 * @param grad_output - The gradient of the unpooled output.
 * @param indices - The forward call's indices.
 * @param args - The forward call's arguments.
 * @returns grad_input, of `indices`' shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link maxUnpool1d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the unpooled output's.
 * @function
 */

export const maxUnpool1dBackward = maxUnpool1dPair.backward;

const maxUnpool2dPair = maxUnpoolFor(2);

/**
 * PyTorch's `torch.nn.functional.max_unpool2d` on (N, C, H, W) or (C, H, W): each value goes back to the
 * position its index names inside its (n, c) plane (as {@link maxPool2d} returns them with
 * `return_indices`); every other position is 0.
 *
 * @param input - The pooled values, (N, C, H, W) or (C, H, W).
 * @param indices - An Int32Array tensor of `input`'s shape.
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `output_size`.
 * @returns The unpooled output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`), or `output_size` is not within one stride of the default;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `indices.data` not an Int32Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `SHAPE_MISMATCH`: `indices` does not have `input`'s shape;
 * - `INDEX_OUT_OF_RANGE`: an index lies outside its output plane;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const maxUnpool2d = maxUnpool2dPair.forward;

/**
 * The gradient of {@link maxUnpool2d}: each input takes the gradient at the position its index
 * sent it to.
 *
 * @param grad_output - The gradient of the unpooled output.
 * @param indices - The forward call's indices.
 * @param args - The forward call's arguments.
 * @returns grad_input, of `indices`' shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link maxUnpool2d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the unpooled output's.
 * @function
 */

export const maxUnpool2dBackward = maxUnpool2dPair.backward;

const maxUnpool3dPair = maxUnpoolFor(3);

/**
 * PyTorch's `torch.nn.functional.max_unpool3d` on (N, C, D, H, W) or (C, D, H, W): each value goes back to the
 * position its index names inside its (n, c) plane (as {@link maxPool3d} returns them with
 * `return_indices`); every other position is 0.
 *
 * @param input - The pooled values, (N, C, D, H, W) or (C, D, H, W).
 * @param indices - An Int32Array tensor of `input`'s shape.
 * @param args - PyTorch's arguments by name: `kernel_size` (required), `stride`, `padding`, `output_size`.
 * @returns The unpooled output, of `input`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: a tensor is not `{ shape, data }`, or an argument has the wrong type or
 *   value, is unknown, or is missing (`kernel_size`), or `output_size` is not within one stride of the default;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `indices.data` not an Int32Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `INVALID_RANK`: `input` is neither (N, C, *spatial) nor unbatched (C, *spatial) for this rank;
 * - `SHAPE_MISMATCH`: `indices` does not have `input`'s shape;
 * - `INDEX_OUT_OF_RANGE`: an index lies outside its output plane;
 * - `OUTPUT_EMPTY`: a spatial axis of size 0, or an output size that is not positive;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @function
 */

export const maxUnpool3d = maxUnpool3dPair.forward;

/**
 * The gradient of {@link maxUnpool3d}: each input takes the gradient at the position its index
 * sent it to.
 *
 * @param grad_output - The gradient of the unpooled output.
 * @param indices - The forward call's indices.
 * @param args - The forward call's arguments.
 * @returns grad_input, of `indices`' shape and `grad_output`'s dtype.
 * @throws {@link PoolingError} the codes {@link maxUnpool3d} throws for these arguments (for
 * `grad_output` too), and `SHAPE_MISMATCH` when `grad_output`'s shape is not the unpooled output's.
 * @function
 */

export const maxUnpool3dBackward = maxUnpool3dPair.backward;
