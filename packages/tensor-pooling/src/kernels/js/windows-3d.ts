/**
 * The portable JS kernels: they execute a plan through its precomputed windows. Every rank is run
 * as 3-D (a 2-D map is a 3-D map of depth 1, a 1-D map has height 1 too), both layouts through a
 * plane base offset and an element step: channels-first planes are contiguous (step 1),
 * channels-last planes interleave (step C).
 */
import { windowsOf, type AxisWindows, type PoolPlan } from '../../plan/plan.js';
import { allocate, dtypeOf, type FloatArray, type Tensor } from '../../tensor.js';

const UNIT_WINDOWS: AxisWindows = Object.freeze({
  first: new Int32Array(1),
  count: Int32Array.of(1),
  padded: Int32Array.of(1),
  step: 1,
});

export interface Geometry3d {
  readonly windows: readonly [AxisWindows, AxisWindows, AxisWindows];
  readonly inDims: readonly [number, number, number];
  readonly outDims: readonly [number, number, number];
}

/** Plans are frozen: each one's geometry is worked out once (small calls repeat plans, see the plan cache). */
const geometries = new WeakMap<PoolPlan, Geometry3d>();

export function geometry3d(plan: PoolPlan): Geometry3d | undefined {
  let g = geometries.get(plan);
  if (!g) {
    g = buildGeometry3d(plan);
    if (g) geometries.set(plan, g);
  }
  return g;
}

function buildGeometry3d(plan: PoolPlan): Geometry3d | undefined {
  const rank = plan.axes.length;
  if (rank > 3) return undefined;
  const lead = 3 - rank;
  const windows = windowsOf(plan);
  const w = (a: number) => (a < lead ? UNIT_WINDOWS : windows[a - lead]!);
  const inDim = (a: number) => (a < lead ? 1 : plan.axes[a - lead]!.size);
  const outDim = (a: number) => (a < lead ? 1 : plan.axes[a - lead]!.out);
  return {
    windows: [w(0), w(1), w(2)],
    inDims: [inDim(0), inDim(1), inDim(2)],
    outDims: [outDim(0), outDim(1), outDim(2)],
  };
}

/** Plane (n, c) of a tensor: where its first element sits and how far apart its elements are. */
export function planeLayout(plan: PoolPlan, spatialSize: number, n: number, c: number): { base: number; step: number } {
  return plan.layout === 'channels-first'
    ? { base: (n * plan.channels + c) * spatialSize, step: 1 }
    : { base: n * spatialSize * plan.channels + c, step: plan.channels };
}

/** Per-output divisor of an average plan (0 marks an empty window). */
export function divisors(plan: PoolPlan, g: Geometry3d): Float64Array {
  const r = plan.reducer;
  if (r.op !== 'avg') throw new Error('divisors of a non-average plan');
  const [wd, wh, ww] = g.windows;
  const [od, oh, ow] = g.outDims;
  const out = new Float64Array(od * oh * ow);
  let i = 0;
  for (let d = 0; d < od; d++)
    for (let h = 0; h < oh; h++)
      for (let w = 0; w < ow; w++, i++) {
        const valid = wd.count[d]! * wh.count[h]! * ww.count[w]!;
        out[i] =
          valid === 0
            ? 0
            : r.divisor === 'valid'
              ? valid
              : r.divisor === 'padded'
                ? wd.padded[d]! * wh.padded[h]! * ww.padded[w]!
                : r.divisor;
      }
  return out;
}

export interface JsForwardResult {
  readonly y: FloatArray;
  readonly indices?: Int32Array;
}

/** Forward pass of an average, max or Lp plan of spatial rank <= 3. */
export function jsForward(plan: PoolPlan, x: Tensor, g: Geometry3d): JsForwardResult {
  const y = allocate(dtypeOf(x.data), plan.batch * plan.channels * plan.outputSpatialSize);
  const r = plan.reducer;
  const indices = r.op === 'max' ? new Int32Array(y.length) : undefined;
  const div = r.op === 'avg' ? divisors(plan, g) : undefined;
  const empty = r.op === 'avg' && r.emptyWindow === 'nan' ? NaN : 0;
  const lastTie = r.op === 'max' && r.ties === 'last';
  const [wd, wh, ww] = g.windows;
  const [, H, W] = g.inDims;
  const [od, oh, ow] = g.outDims;
  const xd = x.data;
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const src = planeLayout(plan, plan.inputSpatialSize, n, c);
      const dst = planeLayout(plan, plan.outputSpatialSize, n, c);
      let o = 0;
      for (let d = 0; d < od; d++) {
        const d0 = wd.first[d]!, dn = wd.count[d]!;
        for (let h = 0; h < oh; h++) {
          const h0 = wh.first[h]!, hn = wh.count[h]!;
          for (let w = 0; w < ow; w++, o++) {
            const w0 = ww.first[w]!, wn = ww.count[w]!;
            const at = dst.base + o * dst.step;
            if (r.op === 'avg') {
              let sum = 0;
              for (let i = 0; i < dn; i++) {
                const rowD = (d0 + i * wd.step) * H;
                for (let j = 0; j < hn; j++) {
                  let p = src.base + ((rowD + h0 + j * wh.step) * W + w0) * src.step;
                  const pStep = ww.step * src.step;
                  for (let k = 0; k < wn; k++, p += pStep) sum += xd[p]!;
                }
              }
              const q = div![o]!;
              y[at] = q === 0 ? empty : sum / q;
            } else if (r.op === 'max') {
              let best = -Infinity;
              let bestAt = -1;
              let sawNaN = false;
              search: for (let i = 0; i < dn; i++) {
                const rowD = (d0 + i * wd.step) * H;
                for (let j = 0; j < hn; j++) {
                  const rowH = (rowD + h0 + j * wh.step) * W + w0;
                  for (let k = 0; k < wn; k++) {
                    const spatial = rowH + k * ww.step;
                    const v = xd[src.base + spatial * src.step]!;
                    if (v !== v) {
                      if (r.nan === 'ignore') continue;
                      bestAt = spatial;
                      sawNaN = true;
                      break search;
                    }
                    if (bestAt < 0 || v > best || (lastTie && v === best)) {
                      best = v;
                      bestAt = spatial;
                    }
                  }
                }
              }
              y[at] = sawNaN ? NaN : best;
              indices![at] = bestAt;
            } else {
              let sum = 0;
              for (let i = 0; i < dn; i++) {
                const rowD = (d0 + i * wd.step) * H;
                for (let j = 0; j < hn; j++) {
                  const rowH = (rowD + h0 + j * wh.step) * W + w0;
                  for (let k = 0; k < wn; k++) {
                    const v = xd[src.base + (rowH + k * ww.step) * src.step]!;
                    sum += r.signed ? v ** r.p : Math.abs(v) ** r.p;
                  }
                }
              }
              if (r.rescale) {
                const kernel = plan.axes.reduce((p, a) => p * (a.kind === 'sliding' ? a.kernel : 1), 1);
                sum *= kernel / (wd.padded[d]! * wh.padded[h]! * ww.padded[w]!);
              }
              y[at] = r.p === 2 ? Math.sqrt(sum) : r.p === 1 ? sum : sum ** (1 / r.p);
            }
          }
        }
      }
    }
  }
  return { y, indices };
}

/**
 * Gradient with respect to the input of an average, max or Lp plan of spatial rank <= 3.
 * Scattered in a fixed order into a float64 buffer, so results are the same bits on every run
 * and rounded once. Max and Lp re-run the forward pass on `x` to find the taps that won.
 */
export function jsBackward(plan: PoolPlan, dy: Tensor, x: Tensor | undefined, g: Geometry3d): FloatArray {
  const r = plan.reducer;
  const dx = new Float64Array(plan.batch * plan.channels * plan.inputSpatialSize);
  // Lp's gradient divides by y^(p-1): take y in float64, not rounded to a float32 output.
  const forwardInput = r.op === 'lp' && !(x!.data instanceof Float64Array) ? { shape: x!.shape, data: Float64Array.from(x!.data) } : x!;
  const forward = r.op === 'avg' ? undefined : jsForward(plan, forwardInput, g);
  const div = r.op === 'avg' ? divisors(plan, g) : undefined;
  const kernel = plan.axes.reduce((p, a) => p * (a.kind === 'sliding' ? a.kernel : 1), 1);
  const [wd, wh, ww] = g.windows;
  const [, H, W] = g.inDims;
  const [od, oh, ow] = g.outDims;
  const dyd = dy.data;
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const src = planeLayout(plan, plan.inputSpatialSize, n, c);
      const dst = planeLayout(plan, plan.outputSpatialSize, n, c);
      let o = 0;
      for (let d = 0; d < od; d++) {
        const d0 = wd.first[d]!, dn = wd.count[d]!;
        for (let h = 0; h < oh; h++) {
          const h0 = wh.first[h]!, hn = wh.count[h]!;
          for (let w = 0; w < ow; w++, o++) {
            const w0 = ww.first[w]!, wn = ww.count[w]!;
            const at = dst.base + o * dst.step;
            const grad = dyd[at]!;
            if (r.op === 'max') {
              const spatial = forward!.indices![at]!;
              if (spatial >= 0) dx[src.base + spatial * src.step]! += grad;
              continue;
            }
            let scale: number;
            // Lp: rescale * f'(x_i) * y^(1-p), multiplied in the reference's order (float64
            // gradients were 2 ulps off when dividing by y^(p-1) instead).
            let tail = 1;
            if (r.op === 'avg') {
              if (div![o] === 0) continue;
              scale = grad / div![o]!;
            } else {
              const y = forward!.y[at]!;
              if (y === 0) continue;
              const rescale = r.rescale ? kernel / (wd.padded[d]! * wh.padded[h]! * ww.padded[w]!) : 1;
              scale = grad * rescale;
              tail = y ** (1 - r.p);
            }
            for (let i = 0; i < dn; i++) {
              const rowD = (d0 + i * wd.step) * H;
              for (let j = 0; j < hn; j++) {
                const rowH = (rowD + h0 + j * wh.step) * W + w0;
                for (let k = 0; k < wn; k++) {
                  const p = src.base + (rowH + k * ww.step) * src.step;
                  if (r.op === 'avg') {
                    dx[p]! += scale;
                  } else {
                    const v = x!.data[p]!;
                    const df = r.signed ? v ** (r.p - 1) : Math.sign(v) * Math.abs(v) ** (r.p - 1);
                    dx[p]! += scale * df * tail;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return dtypeOf(dy.data) === 'float64' ? dx : Float32Array.from(dx);
}
