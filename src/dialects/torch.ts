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
 */
import { PoolingError, show } from '../plan/errors.js';
import { planAdaptive, splitShape, type PoolPlan, type Reducer } from '../plan/plan.js';
import { checkBoolean, checkKnownKeys, perAxis } from '../plan/validate.js';
import { runBackward, runForward, runForwardWithIndices, type IndexTensor } from '../ops/run.js';
import { maxUnpool, maxUnpoolBackward } from '../ops/unpool.js';
import { checkTensor, type FloatArray, type Tensor } from '../tensor.js';
import { planSlidingSpec } from '../plan/sliding.js';

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

function tuple(op: string, name: string, value: unknown, rank: Rank, min: number): number[] {
  const unwrapped = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return perAxis(op, name, unwrapped as IntOrTuple, rank, min);
}

function strideOf(op: string, stride: IntOrTuple | null | undefined, kernel: number[], rank: Rank): number[] {
  const absent = stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0);
  return absent ? kernel : tuple(op, 'stride', stride, rank, 1);
}

function flag(op: string, name: string, value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : checkBoolean(op, name, value);
}

function checkArgs(op: string, args: unknown, known: readonly string[]): asserts args is object {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new PoolingError('INVALID_PARAMETER', op, `arguments must be an object of ${known.join(', ')}; got ${show(args)}`);
  }
  checkKnownKeys(op, args, known);
  if ((args as { kernel_size?: unknown }).kernel_size === undefined && known.includes('kernel_size')) {
    throw new PoolingError('INVALID_PARAMETER', op, `kernel_size is required`);
  }
}

const AVG_KEYS = ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'];
const MAX_KEYS = ['kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode'];

function planWindow(
  op: string,
  shape: readonly number[],
  rank: Rank,
  args: { kernel_size: IntOrTuple; stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceil_mode?: boolean },
  reducer: Reducer,
): PoolPlan {
  const kernel = tuple(op, 'kernel_size', args.kernel_size, rank, 1);
  return planSlidingSpec({
    op,
    shape,
    layout: 'channels-first',
    spatialRank: rank,
    allowUnbatched: true,
    kernel,
    stride: strideOf(op, args.stride, kernel, rank),
    dilation: args.dilation === undefined ? kernel.map(() => 1) : tuple(op, 'dilation', args.dilation, rank, 1),
    padding: args.padding === undefined ? 0 : tuple(op, 'padding', args.padding, rank, 0),
    paddingName: 'padding',
    rounding: flag(op, 'ceil_mode', args.ceil_mode, false) ? 'ceil' : 'floor',
    lastWindowStartsInside: true,
    limitPadding: true,
    reducer,
  });
}

function planAvg(op: string, shape: readonly number[], rank: Rank, args: AvgPoolNdArgs): PoolPlan {
  checkArgs(op, args, rank === 1 ? AVG_KEYS : [...AVG_KEYS, 'divisor_override']);
  const override = args.divisor_override;
  let reducer: Reducer;
  if (override !== undefined && override !== null) {
    if (!Number.isInteger(override) || override === 0) {
      throw new PoolingError('INVALID_PARAMETER', op, `divisor_override must be a non-zero integer; got ${show(override)}`);
    }
    reducer = { op: 'avg', divisor: override, emptyWindow: 'zero' };
  } else {
    const include = flag(op, 'count_include_pad', args.count_include_pad, true);
    reducer = { op: 'avg', divisor: include ? 'padded' : 'valid', emptyWindow: 'zero' };
  }
  return planWindow(op, shape, rank, args, reducer);
}

const MAX: Reducer = { op: 'max', nan: 'propagate' };

function planMax(op: string, shape: readonly number[], rank: Rank, args: MaxPoolArgs): PoolPlan {
  checkArgs(op, args, MAX_KEYS);
  return planWindow(op, shape, rank, args, MAX);
}

function planLp(op: string, shape: readonly number[], rank: Rank, args: LpPoolArgs): PoolPlan {
  checkArgs(op, args, ['norm_type', 'kernel_size', 'stride', 'ceil_mode']);
  const p = args.norm_type;
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) {
    throw new PoolingError('INVALID_PARAMETER', op, `norm_type must be a positive finite number; got ${show(p)}`);
  }
  return planWindow(op, shape, rank, args, { op: 'lp', p, signed: true, rescale: true });
}

function planAdaptiveTorch(op: string, shape: readonly number[], rank: Rank, outputSize: AdaptiveOutputSize, reducer: Reducer): PoolPlan {
  const split = splitShape(op, shape, 'channels-first', rank);
  const sizes = typeof outputSize === 'number' ? new Array<number>(rank).fill(outputSize) : outputSize;
  if (!Array.isArray(sizes) || sizes.length !== rank) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `output_size must be one int or ${rank} ints or None (one per spatial axis); got ${show(outputSize)}`,
    );
  }
  sizes.forEach((s) => {
    if (s !== null && (typeof s !== 'number' || !Number.isInteger(s) || s < 1)) {
      throw new PoolingError('INVALID_PARAMETER', op, `output_size must hold positive integers or None; got ${show(outputSize)}`);
    }
  });
  return planAdaptive(op, shape, 'channels-first', split, sizes, reducer);
}

function input<T extends FloatArray>(op: string, x: Tensor<T>): Tensor<T> {
  checkTensor(op, 'input', x);
  return x;
}

/** Max pooling results: the values alone, or PyTorch's (output, indices) pair with return_indices. */
function maxResult<T extends FloatArray>(plan: PoolPlan, x: Tensor<T>, returnIndices: unknown): Tensor<T> | [Tensor<T>, IndexTensor] {
  if (!flag(plan.op, 'return_indices', returnIndices, false)) return runForward(plan, x);
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
      return runForward(planAvg(op, x.shape, rank, args), x);
    },
    /** grad_input of avg_pool: `input` is the forward input (only its shape is read). */
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor, args: A): Tensor<T> {
      const name = `${op}_backward`;
      return runBackward(planAvg(name, input(name, input_).shape, rank, args), grad_output, undefined);
    },
  };
}

function maxPoolFor(rank: Rank) {
  const op = `max_pool${rank}d`;
  return {
    /** With return_indices: true, PyTorch's (output, indices) pair; indices are flat per (n, c) plane. */
    forward<T extends FloatArray, R extends boolean | undefined = undefined>(input_: Tensor<T>, args: MaxPoolCall<R>): MaxOut<T, R> {
      const x = input(op, input_);
      checkArgs(op, args, MAX_FORWARD_KEYS);
      const { return_indices, ...rest } = args;
      return maxResult(planMax(op, x.shape, rank, rest), x, return_indices) as MaxOut<T, R>;
    },
    /** grad_input of max_pool: each output's gradient goes to its maximum (found again from `input`). */
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor<T>, args: MaxPoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const x = input(name, input_);
      return runBackward(planMax(name, x.shape, rank, args), grad_output, x);
    },
  };
}

function adaptiveAvgPoolFor(rank: Rank) {
  const op = `adaptive_avg_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input_: Tensor<T>, output_size: AdaptiveOutputSize): Tensor<T> {
      const x = input(op, input_);
      return runForward(planAdaptiveTorch(op, x.shape, rank, output_size, ADAPTIVE_AVG), x);
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor, output_size: AdaptiveOutputSize): Tensor<T> {
      const name = `${op}_backward`;
      return runBackward(planAdaptiveTorch(name, input(name, input_).shape, rank, output_size, ADAPTIVE_AVG), grad_output, undefined);
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
      return maxResult(planAdaptiveTorch(op, x.shape, rank, output_size, MAX), x, return_indices) as MaxOut<T, R>;
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor<T>, output_size: AdaptiveOutputSize): Tensor<T> {
      const name = `${op}_backward`;
      const x = input(name, input_);
      return runBackward(planAdaptiveTorch(name, x.shape, rank, output_size, MAX), grad_output, x);
    },
  };
}

function lpPoolFor(rank: Rank) {
  const op = `lp_pool${rank}d`;
  return {
    forward<T extends FloatArray>(input_: Tensor<T>, args: LpPoolArgs): Tensor<T> {
      const x = input(op, input_);
      return runForward(planLp(op, x.shape, rank, args), x);
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, input_: Tensor<T>, args: LpPoolArgs): Tensor<T> {
      const name = `${op}_backward`;
      const x = input(name, input_);
      return runBackward(planLp(name, x.shape, rank, args), grad_output, x);
    },
  };
}

function unpoolOptions(op: string, rank: Rank, args: MaxUnpoolArgs) {
  checkArgs(op, args, ['kernel_size', 'stride', 'padding', 'output_size']);
  const kernel = tuple(op, 'kernel_size', args.kernel_size, rank, 1);
  return {
    kernel,
    stride: strideOf(op, args.stride, kernel, rank),
    padding: args.padding === undefined ? 0 : tuple(op, 'padding', args.padding, rank, 0),
    outputSize: args.output_size ?? undefined,
    spatialDims: rank,
  };
}

function maxUnpoolFor(rank: Rank) {
  const op = `max_unpool${rank}d`;
  return {
    /** Each value goes back to the per-plane position its index names; every other position is 0. */
    forward<T extends FloatArray>(input_: Tensor<T>, indices: IndexTensor, args: MaxUnpoolArgs): Tensor<T> {
      return maxUnpool(input(op, input_), indices, unpoolOptions(op, rank, args));
    },
    backward<T extends FloatArray>(grad_output: Tensor<T>, indices: IndexTensor, args: MaxUnpoolArgs): Tensor<T> {
      return maxUnpoolBackward(grad_output, indices, unpoolOptions(`${op}_backward`, rank, args));
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
