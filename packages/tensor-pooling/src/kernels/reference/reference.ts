/**
 * The reference kernels: slow, N-D, written straight from the definitions, so that every faster
 * kernel can be checked against them. They read only the plan's axis definitions (kernel, stride,
 * dilation, padding, adaptive bins), never its precomputed windows. Along each axis a window's tap j
 * sits at o*stride - padBegin + j*dilation; the taps inside the input are one run of j, found by
 * arithmetic, so a window costs its taps inside the input, never its padding (a huge kernel with
 * 'same' padding over a small map stays cheap).
 */
import type { PoolPlan, PlanAxis } from '../../plan/plan.js';
import { adaptiveEnd, adaptiveStart } from '../../plan/adaptive.js';
import { allocate, dtypeOf, type FloatArray, type Tensor } from '../../tensor.js';
import type { ForwardResult } from '../backend.js';

/** One axis of one window: its taps inside the input, in order, and its taps inside input + padding. */
interface AxisWindow {
  readonly positions: readonly number[];
  readonly padded: number;
  readonly kernel: number;
}

function axisWindow(axis: PlanAxis, o: number): AxisWindow {
  if (axis.kind === 'adaptive') {
    const start = adaptiveStart(o, axis.size, axis.out);
    const end = adaptiveEnd(o, axis.size, axis.out);
    const positions = Array.from({ length: end - start }, (_, i) => start + i);
    return { positions, padded: positions.length, kernel: positions.length };
  }
  const { size, kernel, stride, dilation, padBegin, padEnd } = axis;
  const start = o * stride - padBegin;
  // Taps j in [0, kernel) whose position start + j*dilation lies in [low, high).
  const run = (low: number, high: number): [number, number] => [
    Math.max(0, Math.ceil((low - start) / dilation)),
    Math.min(kernel - 1, Math.floor((high - 1 - start) / dilation)),
  ];
  const [first, last] = run(0, size);
  const positions: number[] = [];
  for (let j = first; j <= last; j++) positions.push(start + j * dilation);
  const [paddedFirst, paddedLast] = run(-padBegin, size + padEnd);
  return { positions, padded: Math.max(0, paddedLast - paddedFirst + 1), kernel };
}

function unravel(flat: number, dims: readonly number[]): number[] {
  const index = new Array<number>(dims.length);
  for (let a = dims.length - 1; a >= 0; a--) {
    index[a] = flat % dims[a]!;
    flat = Math.floor(flat / dims[a]!);
  }
  return index;
}

/** Offset of element (n, c, spatial) in a tensor of the plan's layout. */
function offset(plan: PoolPlan, n: number, c: number, spatialFlat: number, spatialSize: number): number {
  return plan.layout === 'channels-first'
    ? (n * plan.channels + c) * spatialSize + spatialFlat
    : (n * spatialSize + spatialFlat) * plan.channels + c;
}

interface WindowValues {
  readonly values: number[];
  /** Per-plane flat spatial index of each in-bounds tap, row-major. */
  readonly positions: number[];
  /** Taps inside input + padding: a tap is inside when it is inside on every axis. */
  readonly paddedCount: number;
  readonly kernelSize: number;
}

function gather(plan: PoolPlan, x: FloatArray, n: number, c: number, outIndex: readonly number[]): WindowValues {
  const axes = plan.axes.map((axis, a) => axisWindow(axis, outIndex[a]!));
  const values: number[] = [];
  const positions: number[] = [];
  // Every in-bounds tap of the window, row-major: the outermost axis varies slowest.
  const visit = (a: number, flat: number) => {
    if (a === axes.length) {
      positions.push(flat);
      values.push(x[offset(plan, n, c, flat, plan.inputSpatialSize)]!);
      return;
    }
    for (const p of axes[a]!.positions) visit(a + 1, flat * plan.axes[a]!.size + p);
  };
  visit(0, 0);
  return {
    values,
    positions,
    paddedCount: axes.reduce((product, w) => product * w.padded, 1),
    kernelSize: axes.reduce((product, w) => product * w.kernel, 1),
  };
}

function lpSum(values: readonly number[], p: number, signed: boolean): number {
  return values.reduce((s, v) => s + (signed ? v ** p : Math.abs(v) ** p), 0);
}

function lpScale(plan: PoolPlan, w: WindowValues): number {
  return plan.reducer.op === 'lp' && plan.reducer.rescale ? w.kernelSize / w.paddedCount : 1;
}

function divisorOf(plan: PoolPlan, w: WindowValues): number {
  if (plan.reducer.op !== 'avg') throw new Error('divisor of a non-average plan');
  const d = plan.reducer.divisor;
  return d === 'padded' ? w.paddedCount : d === 'valid' ? w.values.length : d;
}

/**
 * Max over a window: index of the first maximum (the last under ties 'last'); NaN wins under
 * 'propagate' and is skipped under 'ignore'.
 */
function argmax(values: readonly number[], nan: 'propagate' | 'ignore', ties: 'first' | 'last' = 'first'): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      if (nan === 'propagate') return i;
      continue;
    }
    if (best < 0 || v > values[best]! || (ties === 'last' && v === values[best]!)) best = i;
  }
  return best;
}

function reduce(plan: PoolPlan, w: WindowValues): { value: number; argmax: number } {
  const r = plan.reducer;
  switch (r.op) {
    case 'avg': {
      if (w.values.length === 0) return { value: r.emptyWindow === 'nan' ? NaN : 0, argmax: -1 };
      return { value: w.values.reduce((s, v) => s + v, 0) / divisorOf(plan, w), argmax: -1 };
    }
    case 'max': {
      const i = argmax(w.values, r.nan, r.ties);
      return i < 0 ? { value: -Infinity, argmax: -1 } : { value: w.values[i]!, argmax: w.positions[i]! };
    }
    case 'lp':
      return { value: (lpSum(w.values, r.p, r.signed) * lpScale(plan, w)) ** (1 / r.p), argmax: -1 };
  }
}

function forEachOutput(plan: PoolPlan, visit: (n: number, c: number, outIndex: number[], outFlat: number) => void) {
  const outDims = plan.axes.map((axis) => axis.out);
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      for (let o = 0; o < plan.outputSpatialSize; o++) visit(n, c, unravel(o, outDims), o);
    }
  }
}


export function referenceForward(plan: PoolPlan, x: Tensor): ForwardResult {
  const y = allocate(dtypeOf(x.data), plan.batch * plan.channels * plan.outputSpatialSize);
  const indices = plan.reducer.op === 'max' ? new Int32Array(y.length) : undefined;
  forEachOutput(plan, (n, c, outIndex, o) => {
    const { value, argmax } = reduce(plan, gather(plan, x.data, n, c, outIndex));
    const at = offset(plan, n, c, o, plan.outputSpatialSize);
    y[at] = value;
    if (indices) indices[at] = argmax;
  });
  return { y, indices };
}

/**
 * Gradient with respect to the input. `x` is the forward input (read by max and Lp pooling only);
 * `dy` has the forward output's layout. Sums go in float64 and are rounded once.
 */
export function referenceBackward(plan: PoolPlan, dy: Tensor, x: Tensor | undefined): FloatArray {
  const size = plan.batch * plan.channels * plan.inputSpatialSize;
  const dx = new Float64Array(size);
  const xData = x?.data ?? new Float64Array(size);
  const r = plan.reducer;
  forEachOutput(plan, (n, c, outIndex, o) => {
    const g = dy.data[offset(plan, n, c, o, plan.outputSpatialSize)]!;
    const w = gather(plan, xData, n, c, outIndex);
    const at = (flat: number) => offset(plan, n, c, flat, plan.inputSpatialSize);
    if (r.op === 'avg') {
      if (w.values.length === 0) return;
      const d = divisorOf(plan, w);
      for (const p of w.positions) dx[at(p)]! += g / d;
    } else if (r.op === 'max') {
      const i = argmax(w.values, r.nan, r.ties);
      if (i >= 0) dx[at(w.positions[i]!)]! += g;
    } else {
      // y = (scale * sum f(x_i))^(1/p) with f = |x|^p or x^p; dy/dx_i = scale * f'(x_i) / p * y^(1-p).
      const scale = lpScale(plan, w);
      const y = (lpSum(w.values, r.p, r.signed) * scale) ** (1 / r.p);
      if (y === 0) return;
      w.values.forEach((v, i) => {
        const df = r.signed ? v ** (r.p - 1) : Math.sign(v) * Math.abs(v) ** (r.p - 1);
        dx[at(w.positions[i]!)]! += g * scale * df * y ** (1 - r.p);
      });
    }
  });
  return dtypeOf(dy.data) === 'float64' ? dx : Float32Array.from(dx);
}
