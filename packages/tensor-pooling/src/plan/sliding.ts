/**
 * A sliding-window plan from parameters already spelled and validated the caller's way: the one
 * path from (shape, kernel, stride, dilation, padding as written, rounding rule) to a PoolPlan,
 * shared by the library's own options and every dialect.
 */
import type { Layout } from '../tensor.js';
import { effectiveKernel, type OutputRounding } from './output-size.js';
import { resolvePadding, type PaddingOption } from './padding.js';
import { planSliding, splitShape, type PoolPlan, type Reducer } from './plan.js';

export interface SlidingSpec {
  readonly op: string;
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly spatialRank: number;
  readonly allowUnbatched: boolean;
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padding: PaddingOption;
  /** The caller's own spelling of the padding parameter, for messages. */
  readonly paddingName: string;
  readonly rounding: OutputRounding;
  readonly lastWindowStartsInside: boolean;
  /** PyTorch's "padding at most half the effective kernel". */
  readonly limitPadding: boolean;
  readonly reducer: Reducer;
}

export function planSlidingSpec(s: SlidingSpec): PoolPlan {
  const split = splitShape(s.op, s.shape, s.layout, s.spatialRank, s.allowUnbatched);
  const padding = resolvePadding(
    s.op,
    s.paddingName,
    s.padding,
    split.spatial,
    s.kernel.map((k, a) => effectiveKernel(k, s.dilation[a]!)),
    s.stride,
  );
  return planSliding({
    op: s.op,
    inputShape: s.shape,
    layout: s.layout,
    split,
    kernel: s.kernel,
    stride: s.stride,
    dilation: s.dilation,
    padding,
    rounding: s.rounding,
    lastWindowStartsInside: s.lastWindowStartsInside,
    limitPadding: s.limitPadding ? { paddingName: s.paddingName } : undefined,
    reducer: s.reducer,
  });
}
