/**
 * Explanations of a plan for people: the output-size formula of every axis with the numbers filled
 * in, every window's taps (in the input, in the padding, or past the padding), and for one output
 * element the divisor and why. Everything is read from the plan (its axes, windows and reducer);
 * nothing here decides a result, so the CLI's `explain` and the web explainer show what the kernels
 * compute.
 */
import { adaptiveEnd, adaptiveStart } from './adaptive.js';
import { PoolingError, show } from './errors.js';
import { effectiveKernel, samePadding } from './output-size.js';
import { axisName, checkPlan, type PlanAxis, type PoolPlan, type SlidingAxis } from './plan.js';
import { checkInteger, readOptions } from './validate.js';

/**
 * How much an explanation lists: the first `maxWindows` windows of each axis and the first
 * `maxTaps` taps of each window (default 1024 each), and at most 65,536 taps in all, so that
 * explaining a plan over a huge input (or of many axes) costs what fits on a screen, not what the
 * plan computes. What is left out is counted.
 * @category Explanations
 */
export interface ExplainOptions {
  /** Windows listed per axis at most: a non-negative integer; default 1024. */
  readonly maxWindows?: number;
  /** Taps listed per window (per axis) at most: a non-negative integer; default 1024. */
  readonly maxTaps?: number;
}

const DEFAULT_LIMIT = 1024;

/** Taps one explanation lists over all its axes and windows. */
const TAPS_LISTED = 1 << 16;

/** Warnings scan the axes' windows in arithmetic, this many windows over all axes at most. */
const MAX_SCANNED_WINDOWS = 1 << 24;

interface Limits {
  readonly maxWindows: number;
  readonly maxTaps: number;
  /** Taps still to list in this explanation (see TAPS_LISTED). */
  tapsLeft: number;
}

function readLimits(op: string, options: unknown): Limits {
  const o = readOptions(op, options, ['maxWindows', 'maxTaps']);
  const limit = (name: string) => (o[name] === undefined ? DEFAULT_LIMIT : checkInteger(op, name, o[name], 0));
  return { maxWindows: limit('maxWindows'), maxTaps: limit('maxTaps'), tapsLeft: TAPS_LISTED };
}

/**
 * Where a tap lies: in the input, in the explicit padding, or past it (the ceil-mode overhang).
 * @category Explanations
 */
export type TapKind = 'input' | 'padding' | 'overhang';

/**
 * One tap of a window along one axis.
 * @category Explanations
 */
export interface AxisTap {
  /** Position along the axis: negative or >= size outside the input. */
  readonly position: number;
  /** Whether the position is in the input, the padding, or past it. */
  readonly kind: TapKind;
}

/**
 * One window of one axis, in an {@link AxisExplanation}.
 * @category Explanations
 */
export interface AxisWindowExplanation {
  /** The window's output index along the axis. */
  readonly output: number;
  /** The window's taps in order: the first `maxTaps` of them. */
  readonly taps: readonly AxisTap[];
  /** Taps of this window not listed in `taps`. */
  readonly omittedTaps: number;
  /** Taps inside the input. */
  readonly inInput: number;
  /** Taps inside input + explicit padding. */
  readonly inPadded: number;
}

/**
 * One spatial axis of a {@link PlanExplanation}.
 * @category Explanations
 */
export interface AxisExplanation {
  /** H, W, D, ... as in the library's messages. */
  readonly name: string;
  /** Whether the axis slides a window or cuts adaptive bins. */
  readonly kind: 'sliding' | 'adaptive';
  /** The input's size along the axis. */
  readonly size: number;
  /** The output's size along the axis. */
  readonly out: number;
  /** How the output size follows from the geometry, with the numbers filled in. */
  readonly formula: string;
  /** The axis's first `maxWindows` windows. */
  readonly windows: readonly AxisWindowExplanation[];
  /** Windows of this axis not listed in `windows` (`out` minus those listed). */
  readonly omittedWindows: number;
  /**
   * The window that rounding the output size up would add but that would start inside the end
   * padding: PyTorch's and ONNX's ceil mode drop it (TF.js keeps it). Null when there is none.
   */
  readonly ceilDropped: {
    /** The dropped window's output index. */
    readonly window: number;
    /** Where it would have started. */
    readonly start: number;
  } | null;
}

/**
 * What {@link explainPlan} returns.
 * @category Explanations
 */
export interface PlanExplanation {
  /** The op that made the plan. */
  readonly op: string;
  /** The plan's input shape. */
  readonly inputShape: readonly number[];
  /** The plan's output shape. */
  readonly outputShape: readonly number[];
  /** What each window reduces to, and how the divisor is chosen. */
  readonly reducer: string;
  /** Each spatial axis, outermost first. */
  readonly axes: readonly AxisExplanation[];
  /** Windows that hold no input at all, or that leave input positions unread. */
  readonly warnings: readonly string[];
}

/**
 * What {@link explainWindow} returns.
 * @category Explanations
 */
export interface WindowExplanation {
  /** The output element's index, one per spatial axis. */
  readonly outputIndex: readonly number[];
  /** The taps of each axis (the first `maxTaps`); the window is their Cartesian product. */
  readonly taps: readonly (readonly AxisTap[])[];
  /** Taps of each axis not listed in `taps`. */
  readonly omittedTaps: readonly number[];
  /** Taps in the whole window. */
  readonly kernelSize: number;
  /** Taps inside the input. */
  readonly inInput: number;
  /** Taps inside input + explicit padding. */
  readonly inPadded: number;
  /** Average plans: what the sum is divided by (0 for a window with no input). Otherwise null. */
  readonly divisor: number | null;
  /** Why the divisor (or reduction) is what it is, in words. */
  readonly reason: string;
}

/** How many taps window `o` of an axis has. */
function tapCount(axis: PlanAxis, o: number): number {
  return axis.kind === 'adaptive' ? adaptiveEnd(o, axis.size, axis.out) - adaptiveStart(o, axis.size, axis.out) : axis.kernel;
}

/** The first `limit` taps of window `o` of an axis, in order. */
function axisTaps(axis: PlanAxis, o: number, limit: number): AxisTap[] {
  const shown = Math.min(limit, tapCount(axis, o));
  if (axis.kind === 'adaptive') {
    const start = adaptiveStart(o, axis.size, axis.out);
    return Array.from({ length: shown }, (_, j) => ({ position: start + j, kind: 'input' as const }));
  }
  return Array.from({ length: shown }, (_, j) => {
    const position = o * axis.stride - axis.padBegin + j * axis.dilation;
    const kind: TapKind =
      position >= 0 && position < axis.size
        ? 'input'
        : position >= -axis.padBegin && position < axis.size + axis.padEnd
          ? 'padding'
          : 'overhang';
    return { position, kind };
  });
}

/** In-bounds taps and taps inside input + padding of window `o`, by arithmetic (as the plan resolves them). */
function tapCounts(axis: PlanAxis, o: number): { inInput: number; inPadded: number } {
  if (axis.kind === 'adaptive') {
    const n = tapCount(axis, o);
    return { inInput: n, inPadded: n };
  }
  const { size, kernel, stride, dilation, padBegin, padEnd } = axis;
  const start = o * stride - padBegin;
  const within = (low: number, high: number) => {
    const lo = start >= low ? 0 : Math.ceil((low - start) / dilation);
    const hi = Math.min(kernel - 1, Math.floor((high - 1 - start) / dilation));
    return Math.max(0, hi - lo + 1);
  };
  return { inInput: within(0, size), inPadded: within(-padBegin, size + padEnd) };
}

function trimmed(value: number): string {
  return Number.isInteger(value) ? `${value}` : `${Number(value.toFixed(4))}`;
}

function slidingFormula(axis: SlidingAxis): string {
  const { size, kernel, stride, dilation, padBegin, padEnd, out } = axis;
  const keff = effectiveKernel(kernel, dilation);
  const kernelText = dilation > 1 ? `${keff} (kernel ${kernel}, dilation ${dilation})` : `${kernel}`;
  if (kernel === size && out === 1 && padBegin + padEnd === 0) {
    return `global: one window of ${size} covers the whole axis, out = 1`;
  }
  const span = size + padBegin + padEnd - keff;
  const quotient = span / stride;
  const head = `out = (L + pad_begin + pad_end - k) / s + 1 = (${size} + ${padBegin} + ${padEnd} - ${kernelText}) / ${stride} + 1`;
  const down = Math.floor(quotient) + 1;
  const up = Math.ceil(quotient) + 1;
  const parts: string[] = [];
  const ceilRequested = typeof axis.sizeRule === 'object' && axis.sizeRule.rounding === 'ceil';
  if (Number.isInteger(quotient)) {
    parts.push(`${head} = ${out}`);
  } else if (ceilRequested && out === up - 1) {
    parts.push(
      `${head}: ceil(${trimmed(quotient)}) + 1 = ${up} (ceil mode), but window ${up - 1} would start at ${(up - 1) * stride - padBegin}, ` +
        `inside the end padding, and PyTorch and ONNX drop it: out = ${out}`,
    );
  } else if (out === down) {
    // Rounding up would add a window; say so when that window would start in the end padding,
    // where PyTorch's and ONNX's ceil mode drop it (so ceil mode gives this size too).
    const extraStart = down * stride - padBegin;
    const dropped =
      extraStart >= size
        ? `; rounding up (ceil mode) would add window ${down}, but it would start at ${extraStart}, inside the end padding, and PyTorch and ONNX drop it`
        : '';
    parts.push(`${head} = floor(${trimmed(quotient)}) + 1 = ${out} (rounded down${dropped})`);
  } else if (out === up) {
    parts.push(`${head} = ceil(${trimmed(quotient)}) + 1 = ${out} (rounded up)`);
  } else if (out === up - 1) {
    parts.push(
      `${head}: ceil(${trimmed(quotient)}) + 1 = ${up}, but window ${up - 1} would start at ${(up - 1) * stride - padBegin}, ` +
        `inside the end padding, and is dropped: out = ${out}`,
    );
  } else {
    parts.push(`${head} -> ${out}`);
  }
  const sameOut = Math.ceil(size / stride);
  const [sameBegin, sameEnd] = samePadding(size, keff, stride, 'end');
  if (out === sameOut && padBegin + padEnd === sameBegin + sameEnd && padBegin + padEnd > 0) {
    parts.push(`'same' padding: out = ceil(L / s) = ceil(${size} / ${stride}) = ${out}, padding ${padBegin}+${padEnd} to make it so`);
  }
  return parts.join('; ');
}

function adaptiveFormula(axis: PlanAxis & { kind: 'adaptive' }): string {
  const { size, out } = axis;
  return `adaptive: bin i covers [floor(i*${size}/${out}), ceil((i+1)*${size}/${out})), out = ${out}`;
}

function reducerText(plan: PoolPlan): string {
  const r = plan.reducer;
  switch (r.op) {
    case 'avg': {
      const divisor =
        typeof r.divisor === 'number'
          ? `divided by ${r.divisor} (divisor override)`
          : r.divisor === 'padded'
            ? 'divided by the taps inside input + padding (padding counted, as PyTorch count_include_pad=True)'
            : 'divided by the taps inside the input (padding not counted)';
      const empty = r.emptyWindow === 'nan' ? 'a window with no input gives NaN (0/0)' : 'a window with no input gives 0';
      return `average: sum of the taps inside the input, ${divisor}; ${empty}`;
    }
    case 'max':
      return `maximum of the taps inside the input; NaN ${r.nan === 'propagate' ? 'propagates' : 'is skipped'}; ties keep the ${r.ties ?? 'first'}`;
    case 'lp':
      return (
        `Lp norm (p = ${r.p}): (sum of ${r.signed ? 'x^p' : '|x|^p'} over the taps inside the input)^(1/p)` +
        (r.rescale ? ', the sum scaled by kernel size / taps inside input + padding (PyTorch)' : '')
      );
  }
}

function ceilDropped(axis: PlanAxis): AxisExplanation['ceilDropped'] {
  if (axis.kind !== 'sliding') return null;
  const quotient = (axis.size + axis.padBegin + axis.padEnd - effectiveKernel(axis.kernel, axis.dilation)) / axis.stride;
  // Rounded up there are ceil(q) + 1 windows; the last one is window ceil(q).
  const window = Math.ceil(quotient);
  const start = window * axis.stride - axis.padBegin;
  return !Number.isInteger(quotient) && axis.out === window && start >= axis.size ? { window, start } : null;
}

function explainAxis(axis: PlanAxis, a: number, rank: number, limits: Limits): AxisExplanation {
  const shown = Math.min(axis.out, limits.maxWindows);
  return {
    name: axisName(a, rank),
    kind: axis.kind,
    size: axis.size,
    out: axis.out,
    formula: axis.kind === 'sliding' ? slidingFormula(axis) : adaptiveFormula(axis),
    windows: Array.from({ length: shown }, (_, o) => {
      const taps = axisTaps(axis, o, Math.min(limits.maxTaps, limits.tapsLeft));
      limits.tapsLeft -= taps.length;
      return { output: o, taps, omittedTaps: tapCount(axis, o) - taps.length, ...tapCounts(axis, o) };
    }),
    omittedWindows: axis.out - shown,
    ceilDropped: ceilDropped(axis),
  };
}

/** Window indices listed in a warning before it says how many more there are. */
const LISTED_WINDOWS = 8;

/**
 * Windows of a sliding axis that hold no input, and input positions no window reads, in one pass
 * over the windows in arithmetic: window o's in-bounds taps are one run of positions that share
 * their remainder mod the dilation, and runs of one remainder only move right as o grows, so each
 * remainder's reach so far says what a run adds.
 */
function scanSlidingAxis(axis: SlidingAxis): { empty: number[]; emptyCount: number; unread: number } {
  const { size, stride, dilation, padBegin } = axis;
  const empty: number[] = [];
  let emptyCount = 0;
  let read = 0;
  const reach = new Map<number, number>();
  for (let o = 0; o < axis.out; o++) {
    const { inInput } = tapCounts(axis, o);
    if (inInput === 0) {
      emptyCount++;
      if (empty.length < LISTED_WINDOWS) empty.push(o);
      continue;
    }
    const start = o * stride - padBegin;
    const first = start >= 0 ? start : start + Math.ceil(-start / dilation) * dilation;
    const last = first + (inInput - 1) * dilation;
    const remainder = first % dilation;
    const before = reach.get(remainder) ?? remainder - dilation;
    const from = Math.max(first, before + dilation);
    if (last >= from) read += (last - from) / dilation + 1;
    reach.set(remainder, Math.max(before, last));
  }
  return { empty, emptyCount, unread: size - read };
}

function warningsOf(plan: PoolPlan): string[] {
  const warnings: string[] = [];
  let scanned = 0;
  const rank = plan.axes.length;
  plan.axes.forEach((axis, a) => {
    // Adaptive bins cover every position and are never empty.
    if (axis.kind !== 'sliding') return;
    const name = axisName(a, rank);
    scanned += axis.out;
    if (scanned > MAX_SCANNED_WINDOWS) {
      warnings.push(`axis ${name}: ${axis.out} windows are too many to check for empty windows and unread positions`);
      return;
    }
    const { empty, emptyCount, unread } = scanSlidingAxis(axis);
    const what = plan.reducer.op === 'avg' ? (plan.reducer.emptyWindow === 'nan' ? ' (average NaN)' : ' (average 0)') : '';
    for (const o of empty) warnings.push(`axis ${name}: window ${o} lies only in the padding and holds no input${what}`);
    if (emptyCount > empty.length) warnings.push(`axis ${name}: ${emptyCount - empty.length} more windows hold no input${what}`);
    if (unread > 0) warnings.push(`axis ${name}: ${unread} of ${axis.size} input positions are in no window`);
  });
  return warnings;
}

/**
 * A plan explained for people: every axis's output-size formula with the numbers filled in, its
 * windows and their taps (the first `maxWindows` of each axis, see {@link ExplainOptions}), the
 * reduction in words, and warnings about odd windows (windows with no input, input positions in no
 * window), which cover every window whether listed or not. Everything is read from the plan, so it
 * says what the kernels compute.
 *
 * @param plan - A plan made by this library ({@link planAvgPool}, {@link planOfCall}, ...).
 * @param options - How much to list: `maxWindows`, `maxTaps`.
 * @returns The explanation: plain data, ready to print or render.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `plan` is not a plan this library made or
 * an option is not a non-negative integer (or is unknown).
 * @example
 * PyTorch's ceil mode on L = 5, kernel 2, stride 2, padding 1:
 * ```js
 * import { explainPlan, planAvgPool } from 'tensor-pooling';
 *
 * const plan = planAvgPool([1, 1, 5], { spatialDims: 1, kernel: 2, stride: 2, padding: 1, ceilMode: true });
 * const explained = explainPlan(plan);
 * console.log(explained.axes[0].formula);
 * // prints: out = (L + pad_begin + pad_end - k) / s + 1 = (5 + 1 + 1 - 2) / 2 + 1: ceil(2.5) + 1 = 4 (ceil mode), but window 3 would start at 5, inside the end padding, and PyTorch and ONNX drop it: out = 3
 * console.log(explained.axes[0].windows.map((w) => w.taps.map((t) => t.kind).join('+')));
 * // prints: [ 'padding+input', 'input+input', 'input+input' ]
 * ```
 * @category Explanations
 */
export function explainPlan(plan: PoolPlan, options?: ExplainOptions): PlanExplanation {
  const op = 'explainPlan';
  checkPlan(op, 'plan', plan);
  const limits = readLimits(op, options);
  const rank = plan.axes.length;
  const axes = plan.axes.map((axis, a) => explainAxis(axis, a, rank, limits));
  return {
    op: plan.op,
    inputShape: plan.inputShape,
    outputShape: plan.outputShape,
    reducer: reducerText(plan),
    axes,
    warnings: warningsOf(plan),
  };
}

function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

/**
 * One output element's window explained: its taps on every axis, how many lie in the input and in
 * the padded input, and for average plans the divisor and why.
 *
 * @param plan - A plan made by this library.
 * @param outputIndex - The output element: one index per spatial axis.
 * @param options - How much to list: `maxTaps` (`maxWindows` is accepted and unused here).
 * @returns The window's explanation.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `plan` is not a plan this library made, or an option is not what it must be;
 * - `INDEX_OUT_OF_RANGE`: `outputIndex` does not hold one integer per spatial axis within the
 *   output's size.
 * @example
 * ```js
 * import { explainWindow, planAvgPool } from 'tensor-pooling';
 *
 * const plan = planAvgPool([1, 1, 4, 4], { kernel: 3, stride: 2, padding: 1, countIncludePad: true });
 * const window = explainWindow(plan, [0, 0]);
 * console.log(window.inInput, window.inPadded, window.divisor);
 * // prints: 4 9 9
 * console.log(window.reason);
 * // prints: 4 of its 9 taps lie in the input, 5 in the padding; padding counts (count_include_pad): divisor = taps in input + padding = 9
 * ```
 * @category Explanations
 */
export function explainWindow(plan: PoolPlan, outputIndex: readonly number[], options?: ExplainOptions): WindowExplanation {
  checkPlan('explainWindow', 'plan', plan);
  const limits = readLimits('explainWindow', options);
  const index = readOptions('explainWindow', { outputIndex }, ['outputIndex']).outputIndex;
  if (
    !Array.isArray(index) ||
    index.length !== plan.axes.length ||
    index.some((o, a) => !Number.isInteger(o) || o < 0 || o >= plan.axes[a]!.out)
  ) {
    throw new PoolingError(
      'INDEX_OUT_OF_RANGE',
      'explainWindow',
      `outputIndex must hold ${plan.axes.length} integers within the output's spatial size ${show(plan.axes.map((a) => a.out))}; got ${show(outputIndex)}`,
    );
  }
  const at = index as readonly number[];
  const taps = plan.axes.map((axis, a) => {
    const listed = axisTaps(axis, at[a]!, Math.min(limits.maxTaps, limits.tapsLeft));
    limits.tapsLeft -= listed.length;
    return listed;
  });
  const omittedTaps = plan.axes.map((axis, a) => tapCount(axis, at[a]!) - taps[a]!.length);
  const counts = plan.axes.map((axis, a) => tapCounts(axis, at[a]!));
  const inInput = product(counts.map((c) => c.inInput));
  const inPadded = product(counts.map((c) => c.inPadded));
  const kernelSize = product(plan.axes.map((axis, a) => tapCount(axis, at[a]!)));
  const padding = counts.some((c, a) => c.inPadded > c.inInput && plan.axes[a]!.kind === 'sliding');
  const overhang = kernelSize - inPadded;
  const cut = inInput < kernelSize;
  const r = plan.reducer;
  const where = cut
    ? `${inInput} of its ${kernelSize} taps lie in the input` +
      (padding ? `, ${inPadded - inInput} in the padding` : '') +
      (overhang > 0 ? `, ${overhang} past the end padding (the ceil-mode overhang)` : '')
    : `all ${kernelSize} taps lie in the input`;
  if (r.op === 'avg') {
    let divisor: number;
    let why: string;
    if (typeof r.divisor === 'number') {
      divisor = r.divisor;
      why = `the divisor override ${r.divisor} replaces the count`;
    } else if (r.divisor === 'padded') {
      divisor = inPadded;
      why =
        `padding counts (count_include_pad): divisor = taps in input + padding = ${inPadded}` +
        (overhang > 0 ? `; the ${overhang} overhang taps past the padding never count` : '');
    } else {
      divisor = inInput;
      why = cut ? `padding does not count: divisor = taps in the input = ${inInput}` : `divisor = ${inInput}`;
    }
    if (inInput === 0) {
      why = `the window holds no input: ${r.emptyWindow === 'nan' ? 'the average is NaN (0/0)' : 'the average is 0'}`;
    }
    return { outputIndex: [...at], taps, omittedTaps, kernelSize, inInput, inPadded, divisor, reason: `${where}; ${why}` };
  }
  const reduction =
    r.op === 'max'
      ? 'the maximum of the taps in the input (padding never wins)'
      : `the Lp norm (p = ${r.p}) of the taps in the input (padding adds nothing)`;
  return { outputIndex: [...at], taps, omittedTaps, kernelSize, inInput, inPadded, divisor: null, reason: `${where}; ${reduction}` };
}
