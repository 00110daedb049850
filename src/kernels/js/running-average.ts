/**
 * Average pooling through running sums, so that the JS backend's cost per output does not grow
 * with the window's height and width: per input row, prefix sums P give each width window as
 * P[first + count] - P[first]; those window sums, accumulated down the rows into Q, give each
 * height window as Q[first + count] - Q[first]. Depth windows add their slices.
 *
 * Only for float32 inputs: prefix sums of float32 values in float64 stay exact (for values within
 * 2^29 of each other in magnitude), so the differences are the very sums the reference adds tap by
 * tap, and the division is the reference's. Float64 inputs would lose bits in the running sums, and
 * a NaN or an infinity would poison every later one: those take the tap-by-tap kernel.
 */
import type { PoolPlan } from '../../plan/plan.js';
import type { Tensor } from '../../tensor.js';
import { divisors, planeLayout, type Geometry3d } from './windows-3d.js';

/** Windows at least this large (taps over height and width) are worth the running sums. */
const MIN_TAPS = 9;

function largest(counts: Int32Array): number {
  let m = 0;
  for (const c of counts) m = Math.max(m, c);
  return m;
}

function allFinite(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}

/** Whether the running-sum kernel can run this plan on this input (see above). */
export function runningAverageApplies(plan: PoolPlan, x: Tensor, g: Geometry3d): boolean {
  return (
    plan.reducer.op === 'avg' &&
    plan.layout === 'channels-first' &&
    x.data instanceof Float32Array &&
    g.windows.every((w) => w.step === 1) &&
    largest(g.windows[1].count) * largest(g.windows[2].count) >= MIN_TAPS &&
    allFinite(x.data)
  );
}

export function runningAverageForward(plan: PoolPlan, x: Tensor<Float32Array>, g: Geometry3d): Float32Array {
  const r = plan.reducer;
  if (r.op !== 'avg') throw new Error('running sums of a non-average plan');
  const empty = r.emptyWindow === 'nan' ? NaN : 0;
  const div = divisors(plan, g);
  const [wd, wh, ww] = g.windows;
  const [, H, W] = g.inDims;
  const [od, oh, ow] = g.outDims;
  const y = new Float32Array(plan.batch * plan.channels * plan.outputSpatialSize);
  const prefix = new Float64Array(W + 1);
  const Q = new Float64Array((H + 1) * ow);
  const xd = x.data;
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const src = planeLayout(plan, plan.inputSpatialSize, n, c).base;
      const dst = planeLayout(plan, plan.outputSpatialSize, n, c).base;
      for (let d = 0; d < od; d++) {
        const d0 = wd.first[d]!, dn = wd.count[d]!;
        for (let h = 0; h < H; h++) {
          const row = (h + 1) * ow;
          for (let o = 0; o < ow; o++) Q[row + o] = Q[row - ow + o]!;
          for (let i = 0; i < dn; i++) {
            const start = src + ((d0 + i) * H + h) * W;
            let running = 0;
            for (let w = 0; w < W; w++) prefix[w + 1] = running += xd[start + w]!;
            for (let o = 0; o < ow; o++) {
              const first = ww.first[o]!;
              Q[row + o]! += prefix[first + ww.count[o]!]! - prefix[first]!;
            }
          }
        }
        for (let h = 0; h < oh; h++) {
          const top = wh.first[h]! * ow;
          const bottom = (wh.first[h]! + wh.count[h]!) * ow;
          const out = (d * oh + h) * ow;
          for (let o = 0; o < ow; o++) {
            const q = div[out + o]!;
            y[dst + out + o] = q === 0 ? empty : (Q[bottom + o]! - Q[top + o]!) / q;
          }
        }
      }
    }
  }
  return y;
}
