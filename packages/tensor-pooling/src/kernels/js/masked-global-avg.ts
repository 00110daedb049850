/**
 * Weighted global average: out[n, c] = sum_s w[n, c, s] * x[n, c, s] / sum_s w[n, c, s], with the
 * weights of a mask (0/1 or any non-negative weights). A plane whose weights sum to 0 gives 0, as an
 * empty window does. `weightsPerChannel` says whether w has a channel axis or is shared by channels.
 *
 * The weights of a plane are first scaled by a power of two that brings the largest into [1, 2):
 * exact, so the mean is unchanged, but sums of weights near the float64 maximum (1e308 each) no
 * longer overflow to Infinity and then NaN. A weight that the scaling takes below the smallest
 * float64 (one under about 2^-1075 times the largest) becomes 0 and leaves the mean like a masked
 * position; one under 2^-1022 times the largest keeps fewer bits.
 */
import type { PoolPlan } from '../../plan/plan.js';
import { allocate, dtypeOf, type FloatArray, type Tensor } from '../../tensor.js';
import { planeLayout } from './windows-3d.js';

export type Weights = Float32Array | Float64Array | Uint8Array;

function weightAt(plan: PoolPlan, weights: Weights, perChannel: boolean, n: number, c: number, s: number): number {
  if (!perChannel) return weights[n * plan.inputSpatialSize + s]!;
  const { base, step } = planeLayout(plan, plan.inputSpatialSize, n, c);
  return weights[base + s * step]!;
}

/** The largest float64 exponent: 2^k overflows above it, so larger scalings go in two factors. */
const MAX_EXPONENT = 1023;

/**
 * Two factors, powers of two, whose product scales `largest` (a positive finite weight) into
 * [1, 2); (w * first) * second is then exact for every weight up to `largest` that does not
 * underflow. Two factors because scaling up the smallest subnormal takes 2^1074.
 */
function scalingOf(largest: number): readonly [number, number] {
  let exponent = Math.floor(Math.log2(largest));
  // log2 rounds: correct the exponent by the scaled value itself.
  const scaled = (e: number) => largest * 2 ** -Math.max(e, -MAX_EXPONENT) * 2 ** -Math.min(e + MAX_EXPONENT, 0);
  if (scaled(exponent) >= 2) exponent++;
  if (scaled(exponent) < 1) exponent--;
  return [2 ** -Math.max(exponent, -MAX_EXPONENT), 2 ** -Math.min(exponent + MAX_EXPONENT, 0)];
}

/** The factors that scale plane (n, c)'s weights (see above); [1, 1] when they are all 0. */
function planeScaling(plan: PoolPlan, weights: Weights, perChannel: boolean, n: number, c: number): readonly [number, number] {
  let largest = 0;
  for (let s = 0; s < plan.inputSpatialSize; s++) largest = Math.max(largest, weightAt(plan, weights, perChannel, n, c, s));
  return largest === 0 ? [1, 1] : scalingOf(largest);
}

export function maskedGlobalAvgForward(plan: PoolPlan, x: Tensor, weights: Weights, perChannel: boolean): FloatArray {
  const y = allocate(dtypeOf(x.data), plan.batch * plan.channels);
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const { base, step } = planeLayout(plan, plan.inputSpatialSize, n, c);
      const [first, second] = planeScaling(plan, weights, perChannel, n, c);
      let sum = 0;
      let total = 0;
      for (let s = 0; s < plan.inputSpatialSize; s++) {
        const w = weightAt(plan, weights, perChannel, n, c, s) * first * second;
        if (w !== 0) {
          sum += w * x.data[base + s * step]!;
          total += w;
        }
      }
      y[n * plan.channels + c] = total === 0 ? 0 : sum / total;
    }
  }
  return y;
}

export function maskedGlobalAvgBackward(plan: PoolPlan, dy: Tensor, weights: Weights, perChannel: boolean): FloatArray {
  const dx = allocate(dtypeOf(dy.data), plan.batch * plan.channels * plan.inputSpatialSize);
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const { base, step } = planeLayout(plan, plan.inputSpatialSize, n, c);
      const [first, second] = planeScaling(plan, weights, perChannel, n, c);
      let total = 0;
      for (let s = 0; s < plan.inputSpatialSize; s++) total += weightAt(plan, weights, perChannel, n, c, s) * first * second;
      if (total === 0) continue;
      const g = dy.data[n * plan.channels + c]! / total;
      for (let s = 0; s < plan.inputSpatialSize; s++) {
        dx[base + s * step] = g * (weightAt(plan, weights, perChannel, n, c, s) * first * second);
      }
    }
  }
  return dx;
}
