import type { Layout } from '../tensor.js';
import { MAX_ELEMENTS, elementCount } from '../tensor.js';
import { adaptiveEnd, adaptiveStart } from './adaptive.js';
import { PoolingError, show } from './errors.js';
import { effectiveKernel, slidingOutputSize, type OutputRounding } from './output-size.js';
import type { ResolvedPadding } from './padding.js';

/**
 * What a window reduces to.
 * - avg: sum of the in-bounds taps over a divisor: 'padded' counts taps inside input + explicit
 *   padding (PyTorch count_include_pad=True, ONNX count_include_pad=1; the ceil-mode overhang past
 *   the end padding is never counted), 'valid' counts in-bounds taps only, a number overrides it.
 *   A window with no in-bounds tap gives 0 (PyTorch) or NaN (TF.js, 0/0).
 * - max: NaN propagates (PyTorch) or is skipped (TF.js). Ties keep the first tap in scan order, or
 *   the last with ties 'last' (TF.js's 3-D max-pool positions compare with >=, which routes the
 *   gradient of tied maxima to the last one).
 * - lp: (sum |x|^p)^(1/p) (ONNX); `signed` uses x^p and `rescale` multiplies the sum by
 *   kernel / padded-count, which is PyTorch's avg_pool(x^p) * prod(kernel) formulation.
 * @category Plans
 */
export type Reducer =
  | {
      /** Average. */
      readonly op: 'avg';
      /** 'padded' (taps inside input + explicit padding), 'valid' (taps inside the input) or a fixed number. */
      readonly divisor: 'padded' | 'valid' | number;
      /** What a window with no tap inside the input gives: 0 or NaN. */
      readonly emptyWindow: 'zero' | 'nan';
    }
  | {
      /** Maximum. */
      readonly op: 'max';
      /** Whether a NaN tap makes the maximum NaN ('propagate') or is skipped ('ignore'). */
      readonly nan: 'propagate' | 'ignore';
      /** Which of tied maxima wins (and takes the gradient): the first in scan order (default) or the last. */
      readonly ties?: 'first' | 'last';
    }
  | {
      /** Lp norm. */
      readonly op: 'lp';
      /** The power. */
      readonly p: number;
      /** Sum x^p keeping signs (PyTorch) instead of |x|^p. */
      readonly signed: boolean;
      /** Multiply the sum by kernel size / padded count (PyTorch's avg_pool formulation). */
      readonly rescale: boolean;
    };

/**
 * A spatial axis of a plan whose window slides: tap j of output o sits at
 * o * stride - padBegin + j * dilation (global pooling is a sliding axis with one window as large
 * as the input).
 * @category Plans
 */
export interface SlidingAxis {
  /** Tells a sliding axis from an adaptive one. */
  readonly kind: 'sliding';
  /** The input's size along this axis. */
  readonly size: number;
  /** The output's size along this axis. */
  readonly out: number;
  /** Taps per window. */
  readonly kernel: number;
  /** Step between windows. */
  readonly stride: number;
  /** Step between a window's taps. */
  readonly dilation: number;
  /** Padding before the first input position. */
  readonly padBegin: number;
  /** Padding after the last input position. */
  readonly padEnd: number;
  /**
   * How `out` was derived, kept so explanations can say it: a rounding of (L + P - k_eff)/s + 1
   * (under ceil, with or without the start-inside rule) or 'same' (ceil(L/s)). Absent when a
   * dialect sized the axis itself.
   */
  readonly sizeRule?:
    | {
        /** How the quotient was rounded. */
        readonly rounding: OutputRounding;
        /** Whether a ceil-mode window that would start in the end padding was dropped (PyTorch, ONNX). */
        readonly lastWindowStartsInside: boolean;
      }
    | 'same';
}

/**
 * A spatial axis of a plan cut into adaptive bins: output i covers [floor(i*L/O), ceil((i+1)*L/O)).
 * @category Plans
 */
export interface AdaptiveAxis {
  /** Tells an adaptive axis from a sliding one. */
  readonly kind: 'adaptive';
  /** The input's size along this axis (L). */
  readonly size: number;
  /** The output's size along this axis (O). */
  readonly out: number;
}

/**
 * One spatial axis of a {@link PoolPlan}.
 * @category Plans
 */
export type PlanAxis = SlidingAxis | AdaptiveAxis;

/**
 * Window geometry of one axis, resolved per output index: the input index of the first in-bounds
 * tap, how many taps are in bounds, how many lie inside input + explicit padding, and the step
 * between taps. Kernels read these (through `windowsOf`); nobody recomputes window bounds. They are
 * the library's own: a plan does not expose them, so no caller can write into what a kernel trusts.
 */
export interface AxisWindows {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly padded: Int32Array;
  readonly step: number;
}

/**
 * A validated, frozen description of one pooling call on one input shape: the output shape, every
 * spatial axis's geometry, and what each window reduces to. Every op (and every dialect) makes one
 * from its options and hands it to a backend, which only executes it; {@link planAvgPool},
 * {@link planMaxPool}, {@link planLpPool} and {@link planOfCall} hand one out, for
 * {@link poolInto}, {@link explainPlan} and {@link planRowBands}. Only plans the library made are
 * accepted there: a copy or a look-alike object is refused.
 * @category Plans
 */
export interface PoolPlan {
  /** The op that made it, in the caller's spelling (`avgPool`, `avg_pool2d`, `AveragePool`). */
  readonly op: string;
  /** Where the channel axis is, in the input and the output. */
  readonly layout: Layout;
  /** False for an unbatched input (C, ...spatial): the output has no batch axis either. */
  readonly batched: boolean;
  /** N (1 for an unbatched input). */
  readonly batch: number;
  /** C. */
  readonly channels: number;
  /** The shape the plan was made for; running it on another shape is refused. */
  readonly inputShape: readonly number[];
  /** The result's shape. */
  readonly outputShape: readonly number[];
  /** Spatial axes, outermost first. */
  readonly axes: readonly PlanAxis[];
  /** What each window reduces to. */
  readonly reducer: Reducer;
  /** Elements of one (n, c) plane of the input: the product of the spatial sizes. */
  readonly inputSpatialSize: number;
  /** Elements of one (n, c) plane of the output. */
  readonly outputSpatialSize: number;
}

export interface ShapeSplit {
  readonly batched: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly spatial: readonly number[];
}

/** Conventional names for spatial axes in messages: W; H, W; D, H, W. */
export function axisName(axis: number, rank: number): string {
  const names = rank === 1 ? ['W'] : rank === 2 ? ['H', 'W'] : rank === 3 ? ['D', 'H', 'W'] : [];
  return names[axis] ?? `${axis}`;
}

/** How an input's axes were read, for messages: "(N=1, C=3, H=5, W=5), channels-first". */
export function readingOf(split: ShapeSplit, layout: Layout): string {
  const rank = split.spatial.length;
  const spatial = split.spatial.map((size, a) => `${axisName(a, rank)}=${size}`);
  const axes = layout === 'channels-first' ? [`C=${split.channels}`, ...spatial] : [...spatial, `C=${split.channels}`];
  return `${split.batched ? '' : 'unbatched '}(${[...(split.batched ? [`N=${split.batch}`] : []), ...axes].join(', ')}), ${layout}`;
}

/**
 * Reads (N, C, ...spatial) or (N, ...spatial, C); an input with one axis fewer is unbatched
 * (C, ...spatial), as PyTorch accepts it.
 */
export function splitShape(
  op: string,
  shape: readonly number[],
  layout: Layout,
  spatialRank: number,
  allowUnbatched = true,
): ShapeSplit {
  // Public planners take a shape without a tensor around it: nothing upstream has checked it.
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new PoolingError('INVALID_PARAMETER', op, `the input shape must be an array of non-negative integers; got ${show(shape)}`);
  }
  const batched = shape.length === spatialRank + 2;
  if (!batched && !(allowUnbatched && shape.length === spatialRank + 1)) {
    const spatial = Array.from({ length: spatialRank }, (_, a) => axisName(a, spatialRank)).join(', ');
    const [c, s] = layout === 'channels-first' ? [`C, ${spatial}`, ''] : [`${spatial}, C`, ''];
    throw new PoolingError(
      'INVALID_RANK',
      op,
      `expected an input of rank ${spatialRank + 2} (N, ${c})${allowUnbatched ? ` or ${spatialRank + 1} (${c})` : ''}${s} ` +
        `for ${spatialRank} spatial axes (${layout}); got rank ${shape.length}, shape ${show(shape)}`,
    );
  }
  const rest = batched ? shape.slice(1) : shape;
  const channelsFirst = layout === 'channels-first';
  return {
    batched,
    batch: batched ? shape[0]! : 1,
    channels: channelsFirst ? rest[0]! : rest[rest.length - 1]!,
    spatial: channelsFirst ? rest.slice(1) : rest.slice(0, -1),
  };
}

/** Plans made by makePlan: the only ones a kernel runs (a look-alike object is refused). */
const madePlans = new WeakSet<object>();
const planWindows = new WeakMap<PoolPlan, readonly AxisWindows[]>();

/** Whether `value` is a plan made by this library (not a copy or a look-alike). */
export function isPlan(value: unknown): value is PoolPlan {
  return typeof value === 'object' && value !== null && madePlans.has(value);
}

/** `value` as a plan made by this library, else a coded error naming `name`. */
export function checkPlan(op: string, name: string, value: unknown): PoolPlan {
  if (!isPlan(value)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} must be a plan made by planAvgPool, planMaxPool or planLpPool (or observed from a run); got ${show(value)}`,
    );
  }
  return value;
}

/**
 * The window tables of a plan's axes, built on first use: planning a shape (poolOutputShape, a
 * plan nobody runs) costs arithmetic only, and a kernel builds tables only for what it runs. The
 * tables are private to the library: kernels trust them, so no caller can reach them.
 */
export function windowsOf(plan: PoolPlan): readonly AxisWindows[] {
  let windows = planWindows.get(plan);
  if (!windows) {
    windows = Object.freeze(plan.axes.map((axis) => (axis.kind === 'sliding' ? slidingWindows(axis) : adaptiveWindows(axis))));
    planWindows.set(plan, windows);
  }
  return windows;
}

function slidingWindows(axis: SlidingAxis): AxisWindows {
  const { out, size, kernel, stride, dilation, padBegin, padEnd } = axis;
  const first = new Int32Array(out);
  const count = new Int32Array(out);
  const padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * stride - padBegin;
    const lo = start >= 0 ? 0 : Math.ceil(-start / dilation);
    const hi = Math.min(kernel - 1, Math.floor((size - 1 - start) / dilation));
    first[o] = start + lo * dilation;
    count[o] = Math.max(0, hi - lo + 1);
    const paddedLo = start >= -padBegin ? 0 : Math.ceil((-padBegin - start) / dilation);
    const paddedHi = Math.min(kernel - 1, Math.floor((size + padEnd - 1 - start) / dilation));
    padded[o] = Math.max(0, paddedHi - paddedLo + 1);
  }
  return { first, count, padded, step: dilation };
}

function adaptiveWindows(axis: AdaptiveAxis): AxisWindows {
  const first = new Int32Array(axis.out);
  const count = new Int32Array(axis.out);
  for (let o = 0; o < axis.out; o++) {
    first[o] = adaptiveStart(o, axis.size, axis.out);
    count[o] = adaptiveEnd(o, axis.size, axis.out) - first[o]!;
  }
  return { first, count, padded: count, step: 1 };
}

export interface PlanRequest {
  readonly op: string;
  readonly inputShape: readonly number[];
  readonly layout: Layout;
  readonly split: ShapeSplit;
  readonly axes: readonly PlanAxis[];
  readonly reducer: Reducer;
  /** Global pooling without keepdims drops the spatial axes from the output shape. */
  readonly dropSpatial?: boolean;
}

function describeAxis(axis: PlanAxis): string {
  if (axis.kind === 'adaptive') return `input ${axis.size}, adaptive output ${axis.out}`;
  const keff = effectiveKernel(axis.kernel, axis.dilation);
  return (
    `input ${axis.size}, padding ${axis.padBegin}+${axis.padEnd}, kernel ${axis.kernel}` +
    (axis.dilation > 1 ? ` (dilation ${axis.dilation}, effective ${keff})` : '') +
    `, stride ${axis.stride}`
  );
}

/** The only constructor of a PoolPlan: checks the geometry, resolves every window, freezes. */
export function makePlan(request: PlanRequest): PoolPlan {
  const { op, split, axes, layout } = request;
  const rank = axes.length;
  // Backward ops and poolOutputShape take a bare input shape, which no tensor has vetted.
  elementCount(op, 'the input', request.inputShape);
  axes.forEach((axis, a) => {
    if (axis.size < 1) {
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `input size on axis ${axisName(a, rank)} is 0 (input shape ${show(request.inputShape)} read as ${readingOf(split, layout)}); ` +
          `every spatial axis needs at least one element`,
      );
    }
    if (!Number.isFinite(axis.out) || axis.out < 1) {
      const fit =
        axis.kind === 'sliding' ? '; the kernel must fit in the padded input' : '; the output size must be positive';
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `output size on axis ${axisName(a, rank)} would be ${axis.out} (${describeAxis(axis)})${fit}; ` +
          `input shape ${show(request.inputShape)} read as ${readingOf(split, layout)}`,
      );
    }
  });
  const outSpatial = axes.map((axis) => axis.out);
  const rest = request.dropSpatial
    ? [split.channels]
    : layout === 'channels-first'
      ? [split.channels, ...outSpatial]
      : [...outSpatial, split.channels];
  const outputShape = split.batched ? [split.batch, ...rest] : rest;
  elementCount(op, 'the output', outputShape);
  const plan: PoolPlan = Object.freeze({
    op,
    layout,
    batched: split.batched,
    batch: split.batch,
    channels: split.channels,
    inputShape: Object.freeze([...request.inputShape]),
    outputShape: Object.freeze(outputShape),
    axes: Object.freeze(axes.map((axis) => Object.freeze({ ...axis, ...(axis.kind === 'sliding' && typeof axis.sizeRule === 'object' ? { sizeRule: Object.freeze({ ...axis.sizeRule }) } : {}) }))),
    reducer: Object.freeze({ ...request.reducer }),
    inputSpatialSize: split.spatial.reduce((p, s) => p * s, 1),
    outputSpatialSize: outSpatial.reduce((p, s) => p * s, 1),
  });
  madePlans.add(plan);
  return plan;
}

export interface SlidingRequest {
  readonly op: string;
  readonly inputShape: readonly number[];
  readonly layout: Layout;
  readonly split: ShapeSplit;
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padding: ResolvedPadding;
  readonly rounding: OutputRounding;
  /** PyTorch and ONNX drop a ceil-mode window that would start in the end padding; TF.js does not. */
  readonly lastWindowStartsInside: boolean;
  /** PyTorch's rule: padding at most half the effective kernel. `paddingName` is the caller's spelling. */
  readonly limitPadding?: { readonly paddingName: string };
  readonly reducer: Reducer;
}

/** Plans a sliding-window pool: output sizes from the rounding rule, or ceil(L/s) for 'same'. */
export function planSliding(r: SlidingRequest): PoolPlan {
  const rank = r.split.spatial.length;
  const axes: SlidingAxis[] = r.split.spatial.map((size, a) => {
    const [padBegin, padEnd] = r.padding.pads[a]!;
    const geometry = {
      size,
      kernel: r.kernel[a]!,
      stride: r.stride[a]!,
      dilation: r.dilation[a]!,
      padBegin,
      padEnd,
    };
    const keff = effectiveKernel(geometry.kernel, geometry.dilation);
    if (r.limitPadding && 2 * Math.max(padBegin, padEnd) > keff) {
      throw new PoolingError(
        'PAD_TOO_LARGE',
        r.op,
        `${r.limitPadding.paddingName} must be at most half the effective kernel size on every axis; ` +
          `got padding ${padBegin}+${padEnd} with kernel ${geometry.kernel}` +
          (geometry.dilation > 1 ? `, dilation ${geometry.dilation}` : '') +
          ` (effective ${keff}) on axis ${axisName(a, rank)}; input read as ${readingOf(r.split, r.layout)}`,
      );
    }
    if (keff > MAX_ELEMENTS) {
      throw new PoolingError(
        'INVALID_PARAMETER',
        r.op,
        `kernel ${geometry.kernel} with dilation ${geometry.dilation} spans ${keff} positions on axis ${axisName(a, rank)}; ` +
          `a window may span at most ${MAX_ELEMENTS}`,
      );
    }
    const same = r.padding.mode === 'same' || r.padding.mode === 'same-lower';
    const out = same
      ? Math.ceil(size / geometry.stride)
      : slidingOutputSize(geometry, r.rounding, r.lastWindowStartsInside);
    const sizeRule = same ? ('same' as const) : { rounding: r.rounding, lastWindowStartsInside: r.lastWindowStartsInside };
    return { kind: 'sliding', out, ...geometry, sizeRule };
  });
  return makePlan({ op: r.op, inputShape: r.inputShape, layout: r.layout, split: r.split, axes, reducer: r.reducer });
}

/** Plans a global pool: one window covering every spatial axis. */
export function planGlobal(
  op: string,
  inputShape: readonly number[],
  layout: Layout,
  split: ShapeSplit,
  reducer: Reducer,
  keepDims: boolean,
): PoolPlan {
  const axes: SlidingAxis[] = split.spatial.map((size) => ({
    kind: 'sliding',
    size,
    out: 1,
    kernel: size,
    stride: 1,
    dilation: 1,
    padBegin: 0,
    padEnd: 0,
  }));
  return makePlan({ op, inputShape, layout, split, axes, reducer, dropSpatial: !keepDims });
}

/** Plans an adaptive pool: `outputSize[a]` bins on axis a, or the input size where it is null. */
export function planAdaptive(
  op: string,
  inputShape: readonly number[],
  layout: Layout,
  split: ShapeSplit,
  outputSize: readonly (number | null)[],
  reducer: Reducer,
): PoolPlan {
  const axes: AdaptiveAxis[] = split.spatial.map((size, a) => ({
    kind: 'adaptive',
    size,
    out: outputSize[a] ?? size,
  }));
  return makePlan({ op, inputShape, layout, split, axes, reducer });
}
