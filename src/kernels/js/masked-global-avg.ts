/**
 * Weighted global average: out[n, c] = sum_s w[n, c, s] * x[n, c, s] / sum_s w[n, c, s], with the
 * weights of a mask (0/1 or any non-negative weights). A plane whose weights sum to 0 gives 0, as an
 * empty window does. `weightsPerChannel` says whether w has a channel axis or is shared by channels.
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

export function maskedGlobalAvgForward(plan: PoolPlan, x: Tensor, weights: Weights, perChannel: boolean): FloatArray {
  const y = allocate(dtypeOf(x.data), plan.batch * plan.channels);
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const { base, step } = planeLayout(plan, plan.inputSpatialSize, n, c);
      let sum = 0;
      let total = 0;
      for (let s = 0; s < plan.inputSpatialSize; s++) {
        const w = weightAt(plan, weights, perChannel, n, c, s);
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
      let total = 0;
      for (let s = 0; s < plan.inputSpatialSize; s++) total += weightAt(plan, weights, perChannel, n, c, s);
      if (total === 0) continue;
      const g = dy.data[n * plan.channels + c]! / total;
      for (let s = 0; s < plan.inputSpatialSize; s++) {
        dx[base + s * step] = g * weightAt(plan, weights, perChannel, n, c, s);
      }
    }
  }
  return dx;
}
