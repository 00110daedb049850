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
import { runBackward, runForward, runForwardWithIndices, type IndexTensor } from '../ops/run.js';
import { maxUnpoolAs, maxUnpoolBackwardAs, type MaxUnpoolOptions } from '../ops/unpool.js';
import type { FloatArray, Tensor } from '../tensor.js';
import { planSlidingSpec } from '../plan/sliding.js';
import { readBoolean, readFloatTensor, readList, readOptions, readPerAxis, readTensor } from './common.js';

/** One int for every spatial axis, or one per axis (a 1-element list counts as one int, as in PyTorch). */
export type IntOrTuple = number | readonly number[];

export interface AvgPoolArgs {
  readonly kernel_size: IntOrTuple;
  /** Default (null or []): kernel_size. */
  readonly stride?: IntOrTuple | null;
  readonly padding?: IntOrTuple;
  readonly ceil_mode?: boolean;
  /** Default true. */
  readonly count_include_pad?: boolean;
}

export interface AvgPoolNdArgs extends AvgPoolArgs {
  readonly divisor_override?: number | null;
}

export interface MaxPoolArgs {
  readonly kernel_size: IntOrTuple;
  readonly stride?: IntOrTuple | null;
  readonly padding?: IntOrTuple;
  readonly dilation?: IntOrTuple;
  readonly ceil_mode?: boolean;
}

export interface LpPoolArgs {
  readonly norm_type: number;
  readonly kernel_size: IntOrTuple;
  readonly stride?: IntOrTuple | null;
  readonly ceil_mode?: boolean;
}

export interface MaxUnpoolArgs {
  readonly kernel_size: IntOrTuple;
  readonly stride?: IntOrTuple | null;
  readonly padding?: IntOrTuple;
  /** The spatial output size, or the whole output shape; default (in - 1) * stride - 2 * padding + kernel_size. */
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

function planAvg(op: string, shape: readonly number[], rank: Rank, args: unknown): PoolPlan {
  const a = readArgs(op, args, rank === 1 ? AVG_KEYS : [...AVG_KEYS, 'divisor_override']);
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

function planLp(op: string, shape: readonly number[], rank: Rank, args: unknown): PoolPlan {
  const a = readArgs(op, args, ['norm_type', 'kernel_size', 'stride', 'ceil_mode']);
  const p = a.norm_type;
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) {
    throw new PoolingError('INVALID_PARAMETER', op, `norm_type must be a positive finite number; got ${show(p)}`);
  }
  return planWindow(op, shape, rank, a, { op: 'lp', p, signed: true, rescale: true });
}

function planAdaptiveTorch(op: string, shape: readonly number[], rank: Rank, outputSize: unknown, reducer: Reducer): PoolPlan {
  const split = splitShape(op, shape, 'channels-first', rank);
  const expected = `one int or ${rank} ints or None (one per spatial axis)`;
  const sizes =
    typeof outputSize === 'number' ? new Array<unknown>(rank).fill(outputSize) : readList(op, 'output_size', outputSize, [rank], expected);
  const checked = sizes.map((s) => (s === null ? null : checkInteger(op, 'output_size', s, 1, outputSize)));
  return planAdaptive(op, shape, 'channels-first', split, checked, reducer);
}

function input(op: string, x: unknown, name = 'input'): Tensor {
  return readFloatTensor(op, name, x);
}

/** Max pooling results: the values alone, or PyTorch's (output, indices) pair with return_indices. */
function maxResult(plan: PoolPlan, x: Tensor, returnIndices: boolean): Tensor | [Tensor, IndexTensor] {
  if (!returnIndices) return runForward(plan, x);
  const { values, indices } = runForwardWithIndices(plan, x);
  return [values, indices];
}

type MaxOut<T extends FloatArray, R extends boolean | undefined> = R extends true ? [Tensor<T>, IndexTensor] : Tensor<T>;

export interface MaxPoolCall<R extends boolean | undefined> extends MaxPoolArgs {
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
    forward<T extends FloatArray>(input_: Tensor<T>, args: A): Tensor<T> {
      const x = input(op, input_);
      return runForward(planAvg(op, x.shape, rank, args), x) as Tensor<T>;
    },
    /** grad_input of avg_pool: `input` is the forward input (only its shape is read). */
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor, args: A): Tensor<T> {
      const name = `${op}_backward`;
      const dy = input(name, grad_output, 'grad_output');
      return runBackward(planAvg(name, input(name, input_).shape, rank, args), dy, undefined) as Tensor<T>;
    },
  };
}

function maxPoolFor(rank: Rank) {
  const op = `max_pool${rank}d`;
  return {
    /** With return_indices: true, PyTorch's (output, indices) pair; indices are flat per (n, c) plane. */
    forward<T extends FloatArray, R extends boolean | undefined = undefined>(input_: Tensor<T>, args: MaxPoolCall<R>): MaxOut<T, R> {
      const x = input(op, input_);
      const a = readArgs(op, args, MAX_FORWARD_KEYS);
      const returnIndices = readBoolean(op, 'return_indices', a.return_indices, false);
      return maxResult(planWindow(op, x.shape, rank, a, MAX), x, returnIndices) as MaxOut<T, R>;
    },
    /** grad_input of max_pool: each output's gradient goes to its maximum (found again from `input`). */
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor<T>, args: MaxPoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const dy = input(name, grad_output, 'grad_output');
      const x = input(name, input_);
      return runBackward(planWindow(name, x.shape, rank, readArgs(name, args, MAX_KEYS), MAX), dy, x) as Tensor<T>;
    },
  };
}

function adaptiveAvgPoolFor(rank: Rank) {
  const op = `adaptive_avg_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input_: Tensor<T>, output_size: AdaptiveOutputSize): Tensor<T> {
      const x = input(op, input_);
      return runForward(planAdaptiveTorch(op, x.shape, rank, output_size, ADAPTIVE_AVG), x) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor, output_size: AdaptiveOutputSize): Tensor<T> {
      const name = `${op}_backward`;
      const dy = input(name, grad_output, 'grad_output');
      return runBackward(planAdaptiveTorch(name, input(name, input_).shape, rank, output_size, ADAPTIVE_AVG), dy, undefined) as Tensor<T>;
    },
  };
}

function adaptiveMaxPoolFor(rank: Rank) {
  const op = `adaptive_max_pool${rank}d`;
  return {
    forward<T extends FloatArray, R extends boolean | undefined = undefined>(
      input_: Tensor<T>,
      output_size: AdaptiveOutputSize,
      return_indices?: R,
    ): MaxOut<T, R> {
      const x = input(op, input_);
      const returnIndices = readBoolean(op, 'return_indices', return_indices, false);
      return maxResult(planAdaptiveTorch(op, x.shape, rank, output_size, MAX), x, returnIndices) as MaxOut<T, R>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor<T>, output_size: AdaptiveOutputSize): Tensor<T> {
      const name = `${op}_backward`;
      const dy = input(name, grad_output, 'grad_output');
      const x = input(name, input_);
      return runBackward(planAdaptiveTorch(name, x.shape, rank, output_size, MAX), dy, x) as Tensor<T>;
    },
  };
}

function lpPoolFor(rank: Rank) {
  const op = `lp_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input_: Tensor<T>, args: LpPoolArgs): Tensor<T> {
      const x = input(op, input_);
      return runForward(planLp(op, x.shape, rank, args), x) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor<T>, args: LpPoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const dy = input(name, grad_output, 'grad_output');
      const x = input(name, input_);
      return runBackward(planLp(name, x.shape, rank, args), dy, x) as Tensor<T>;
    },
  };
}

/**
 * max_unpool's options for the core, from PyTorch's arguments and the shape of the pooled tensor:
 * output_size reduced to its spatial sizes and held to _unpool_output_size's open interval.
 */
function unpoolOptions(op: string, rank: Rank, pooledShape: readonly number[], args: unknown): MaxUnpoolOptions {
  const a = readArgs(op, args, ['kernel_size', 'stride', 'padding', 'output_size']);
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
    /** Each value goes back to the per-plane position its index names; every other position is 0. */
    forward<T extends FloatArray>(input_: Tensor<T>, indices: IndexTensor, args: MaxUnpoolArgs): Tensor<T> {
      const x = input(op, input_);
      const at = indexInput(op, indices);
      return maxUnpoolAs(op, x, at, unpoolOptions(op, rank, x.shape, args)) as Tensor<T>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, indices: IndexTensor, args: MaxUnpoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const dy = input(name, grad_output, 'grad_output');
      const at = indexInput(name, indices);
      return maxUnpoolBackwardAs(name, dy, at, unpoolOptions(name, rank, at.shape, args)) as Tensor<T>;
    },
  };
}

export const { forward: avgPool1d, backward: avgPool1dBackward } = avgPoolFor<AvgPoolArgs>(1);
export const { forward: avgPool2d, backward: avgPool2dBackward } = avgPoolFor<AvgPoolNdArgs>(2);
export const { forward: avgPool3d, backward: avgPool3dBackward } = avgPoolFor<AvgPoolNdArgs>(3);
export const { forward: maxPool1d, backward: maxPool1dBackward } = maxPoolFor(1);
export const { forward: maxPool2d, backward: maxPool2dBackward } = maxPoolFor(2);
export const { forward: maxPool3d, backward: maxPool3dBackward } = maxPoolFor(3);
export const { forward: adaptiveAvgPool1d, backward: adaptiveAvgPool1dBackward } = adaptiveAvgPoolFor(1);
export const { forward: adaptiveAvgPool2d, backward: adaptiveAvgPool2dBackward } = adaptiveAvgPoolFor(2);
export const { forward: adaptiveAvgPool3d, backward: adaptiveAvgPool3dBackward } = adaptiveAvgPoolFor(3);
export const { forward: adaptiveMaxPool1d, backward: adaptiveMaxPool1dBackward } = adaptiveMaxPoolFor(1);
export const { forward: adaptiveMaxPool2d, backward: adaptiveMaxPool2dBackward } = adaptiveMaxPoolFor(2);
export const { forward: adaptiveMaxPool3d, backward: adaptiveMaxPool3dBackward } = adaptiveMaxPoolFor(3);
export const { forward: lpPool1d, backward: lpPool1dBackward } = lpPoolFor(1);
export const { forward: lpPool2d, backward: lpPool2dBackward } = lpPoolFor(2);
export const { forward: lpPool3d, backward: lpPool3dBackward } = lpPoolFor(3);
export const { forward: maxUnpool1d, backward: maxUnpool1dBackward } = maxUnpoolFor(1);
export const { forward: maxUnpool2d, backward: maxUnpool2dBackward } = maxUnpoolFor(2);
export const { forward: maxUnpool3d, backward: maxUnpool3dBackward } = maxUnpoolFor(3);
