/**
 * The library's own option names (full words, camelCase) and how they become a plan. The dialects
 * (PyTorch, ONNX, Keras, TF.js) rename their ecosystems' arguments and build plans through the same
 * functions in src/plan.
 */
import { PoolingError, show } from '../plan/errors.js';
import type { PaddingOption } from '../plan/padding.js';
import type { PoolPlan, Reducer } from '../plan/plan.js';
import { planSlidingSpec } from '../plan/sliding.js';
import { checkBoolean, checkInteger, checkOneOf, perAxis } from '../plan/validate.js';
import type { Layout } from '../tensor.js';

/**
 * The options every op of the library's own spelling takes. An options object is read once, when
 * the call starts (a getter runs once; later changes to the object do not reach the call), and a
 * name the op does not know is refused with `INVALID_PARAMETER` rather than ignored.
 * @category Options
 */
export interface CommonOptions {
  /** Where the channel axis is. Default `'channels-first'` (N, C, ...spatial). */
  readonly layout?: Layout;
  /**
   * How many spatial axes; by default the length of an array-valued option (`kernel: [2, 2]` says
   * 2), else rank - 2. An input of rank spatialDims + 1 is unbatched: (C, ...spatial), and its
   * result has no batch axis either. A rank-3 input with neither this nor a per-axis option is
   * refused (`INVALID_RANK`): it is as often a batch of 1-D signals (N, C, W) as one unbatched map
   * (C, H, W), and guessing would pool the wrong axes.
   */
  readonly spatialDims?: number;
  /**
   * Which kernels run the plan: `'auto'` (default) picks the fastest available one that supports
   * it; a name from {@link "tensor-pooling"!backendNames} forces that backend. Every backend gives
   * the same result. `'wasm'` exists only after {@link "tensor-pooling"!init} (before, it is
   * `UNSUPPORTED_OPTION`).
   */
  readonly backend?: string;
  /**
   * Threads to split large work across (the calling thread and n - 1 workers), 1 to 256. Default 1.
   * Same bits as one thread; work too small to repay a dispatch runs on the calling thread. The
   * first call that asks for threads runs on the calling thread alone while the workers start; await
   * {@link "tensor-pooling"!startWorkers} first to have it split too.
   *
   * Workers read shared inputs ({@link "tensor-pooling"!allocSharedTensor}, WasmTensors) in place;
   * the calling thread first copies their share of any other input into shared memory. On the wasm
   * backend (what `'auto'` picks after `init()`) a forward plan that reads each input value once
   * (global pooling, windows that do not overlap) on such an unshared input runs on the calling
   * thread alone: the copy would cost what the workers save. Where no core is idle, a worker's
   * part waits for one and a split can take as long as one thread: a plan whose splits lose 8
   * times in a row (no faster than its parts' count times the calling thread's own part) runs on
   * the calling thread for its next 16 calls, then splits once to see, the rests doubling (up to
   * 1024 calls) while the tries lose. docs/backends.md has the measurements.
   */
  readonly threads?: number;
}

/**
 * The options of a sliding-window op: the window's size, step, padding and dilation along each
 * spatial axis. Per-axis values are one number for every spatial axis or one per axis, outermost
 * first. Output size per axis: `round((L + padBegin + padEnd - kEff) / stride) + 1` with
 * `kEff = dilation * (kernel - 1) + 1` and `round` floor, or ceil under `ceilMode`
 * ({@link slidingOutputSize}).
 * @category Options
 */
export interface WindowOptions extends CommonOptions {
  /** Window size: one positive integer for every spatial axis or one per axis. Required. */
  readonly kernel: number | readonly number[];
  /** Step between windows. Default: the kernel (windows that tile the input). */
  readonly stride?: number | readonly number[];
  /**
   * Default 0. Numbers, pairs, `'valid'`, `'same'` or `'same-lower'`: see {@link PaddingOption}.
   * Explicit padding may be at most half the effective kernel (`PAD_TOO_LARGE`), as in PyTorch.
   */
  readonly padding?: PaddingOption;
  /** Spacing between a window's taps; default 1 (adjacent taps). */
  readonly dilation?: number | readonly number[];
  /**
   * Round the output size up instead of down. As in PyTorch and ONNX, the last window must still
   * start inside the input or the begin padding: one that would start in the end padding is
   * dropped. Default false.
   */
  readonly ceilMode?: boolean;
}

/**
 * {@link avgPool}'s options: a window, and which taps the average divides by.
 * @category Options
 */
export interface AvgPoolOptions extends WindowOptions {
  /**
   * Count padding positions in the divisor (PyTorch's count_include_pad; the ceil-mode overhang
   * past the end padding never counts). Default false, as in ONNX, Keras, TF and TF.js; the PyTorch
   * dialect defaults it to true as PyTorch does.
   */
  readonly countIncludePad?: boolean;
  /** Divide every window's sum by this non-zero number instead (PyTorch's divisor_override). */
  readonly divisorOverride?: number;
}

/**
 * {@link lpPool}'s options: a window, and the power of the norm.
 * @category Options
 */
export interface LpPoolOptions extends WindowOptions {
  /** The power p of (sum |x|^p)^(1/p): a positive finite number; default 2. */
  readonly p?: number;
}

const COMMON_KEYS = ['layout', 'spatialDims', 'backend', 'threads'] as const;
const WINDOW_KEYS = [...COMMON_KEYS, 'kernel', 'stride', 'padding', 'dilation', 'ceilMode'] as const;
export const AVG_KEYS = [...WINDOW_KEYS, 'countIncludePad', 'divisorOverride'] as const;
export const MAX_KEYS = WINDOW_KEYS;
export const LP_KEYS = [...WINDOW_KEYS, 'p'] as const;
export { COMMON_KEYS };

export function layoutOf(op: string, options: CommonOptions): Layout {
  return options.layout === undefined
    ? 'channels-first'
    : checkOneOf(op, 'layout', options.layout, ['channels-first', 'channels-last'] as const);
}

/**
 * Spatial rank: explicit, else the length of an array-valued option, else rank - 2. A rank-3 input
 * with no per-axis option is refused: it is as often a batch of 1-D signals (N, C, W) as one
 * unbatched map (C, H, W) (or, channels-last, an H x W x C image), and guessing pools the wrong
 * axes without a word. `perAxisName` is the option that would say it (kernel, outputSize).
 */
export function spatialRankOf(
  op: string,
  shape: readonly number[],
  options: CommonOptions,
  arrays: readonly unknown[] = [],
  perAxisName?: string,
): number {
  const rank = shape.length;
  if (options.spatialDims !== undefined) {
    const dims = checkInteger(op, 'spatialDims', options.spatialDims, 1);
    if (dims > rank - 1) {
      throw new PoolingError(
        'INVALID_RANK',
        op,
        `spatialDims ${dims} needs an input of rank ${dims + 2} (N, C, ...spatial) or ${dims + 1} (C, ...spatial); ` +
          `got rank ${rank}, shape ${show(shape)}`,
      );
    }
    return dims;
  }
  const fromArray = arrays.find((v): v is readonly unknown[] => Array.isArray(v));
  if (fromArray?.length === 0) {
    throw new PoolingError('INVALID_PARAMETER', op, `a per-axis option is an empty list; give one value for every spatial axis or one per axis`);
  }
  if (fromArray) return fromArray.length;
  if (rank < 3) {
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `expected an input of rank 3 or more (N, C, ...spatial); got rank ${rank}, shape ${show(shape)}. ` +
        `For an unbatched input (C, ...spatial) give ${perAxisName ? `${perAxisName} per axis or ` : ''}spatialDims`,
    );
  }
  if (rank === 3) {
    const last = options.layout === 'channels-last';
    const [a, b, c] = shape as [number, number, number];
    const batch = last ? `(N=${a}, W=${b}, C=${c})` : `(N=${a}, C=${b}, W=${c})`;
    const single = last ? `(H=${a}, W=${b}, C=${c})` : `(C=${a}, H=${b}, W=${c})`;
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `a rank-3 input of shape ${show(shape)} reads two ways: ${batch}, a batch with 1 spatial axis, or ${single}, ` +
        `one unbatched map with 2 spatial axes; say which with spatialDims: 1 or spatialDims: 2` +
        (perAxisName ? ` (or give ${perAxisName} one value per spatial axis)` : '') +
        (last ? '' : `. An image stored (H, W, C) is layout: 'channels-last' with spatialDims: 2`),
    );
  }
  return rank - 2;
}

/** Plans a sliding-window op from the library's own options. */
export function planWindowOp(
  op: string,
  shape: readonly number[],
  options: WindowOptions,
  reducer: Reducer,
): PoolPlan {
  const rank = spatialRankOf(op, shape, options, [options.kernel, options.stride, options.dilation, options.padding], 'kernel');
  if (options.kernel === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `kernel is required (one positive integer or one per spatial axis)`);
  }
  const kernel = perAxis(op, 'kernel', options.kernel, rank, 1);
  const stride = options.stride === undefined ? kernel : perAxis(op, 'stride', options.stride, rank, 1);
  const dilation = options.dilation === undefined ? kernel.map(() => 1) : perAxis(op, 'dilation', options.dilation, rank, 1);
  const ceilMode = options.ceilMode === undefined ? false : checkBoolean(op, 'ceilMode', options.ceilMode);
  return planSlidingSpec({
    op,
    shape,
    layout: layoutOf(op, options),
    spatialRank: rank,
    allowUnbatched: true,
    kernel,
    stride,
    dilation,
    padding: options.padding === undefined ? 0 : options.padding,
    paddingName: 'padding',
    rounding: ceilMode ? 'ceil' : 'floor',
    lastWindowStartsInside: true,
    limitPadding: true,
    reducer,
  });
}

export function avgReducer(op: string, options: AvgPoolOptions, defaultIncludePad: boolean): Reducer {
  // Checked even where an override makes it moot: a wrong value is the caller's mistake either way.
  const include =
    options.countIncludePad === undefined ? defaultIncludePad : checkBoolean(op, 'countIncludePad', options.countIncludePad);
  if (options.divisorOverride !== undefined) {
    const d = options.divisorOverride;
    if (typeof d !== 'number' || !Number.isFinite(d) || d === 0) {
      throw new PoolingError('INVALID_PARAMETER', op, `divisorOverride must be a non-zero number; got ${show(d)}`);
    }
    return { op: 'avg', divisor: d, emptyWindow: 'zero' };
  }
  return { op: 'avg', divisor: include ? 'padded' : 'valid', emptyWindow: 'zero' };
}

export function lpPower(op: string, name: string, p: unknown): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a positive finite number; got ${show(p)}`);
  }
  return p;
}

