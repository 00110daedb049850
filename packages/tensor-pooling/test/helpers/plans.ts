/** Plans with another reducer, made by the plan constructor (kernels run only plans it made). */
import { makePlan, type PoolPlan, type Reducer } from '../../src/plan/plan.js';

export function withReducer(plan: PoolPlan, reducer: Reducer): PoolPlan {
  return makePlan({
    op: plan.op,
    inputShape: plan.inputShape,
    layout: plan.layout,
    split: { batched: plan.batched, batch: plan.batch, channels: plan.channels, spatial: plan.axes.map((a) => a.size) },
    axes: plan.axes,
    reducer,
    dropSpatial: plan.outputShape.length !== plan.inputShape.length,
  });
}
