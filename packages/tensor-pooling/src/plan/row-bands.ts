/**
 * A plan cut into bands of output rows along the outermost spatial axis, each band a plan of its
 * own that reads only the input rows its windows touch. A shell can then pool an image far larger
 * than it wants to hold as floats, one band at a time, with exactly the full plan's results: each
 * band's windows have the same taps, the same in-bounds counts and the same padded counts.
 *
 * Why the geometry carries over: output o of the full axis starts at o*stride - padBegin. A band
 * [o0, o1) reads rows [r0, r1) with r0 = max(0, o0*stride - padBegin); its own padBegin is
 * padBegin + r0 - o0*stride, so its window o - o0 starts at the same row. Its end padding is the
 * full padEnd when the band reaches the last input row (so the padded count and the ceil-mode
 * overhang are the same) and 0 otherwise (no window of the band reaches past r1 then).
 *
 * A band's input rows are one contiguous slice of the data when the outermost spatial axis is the
 * outermost axis of the data: an unbatched channels-last image (H, W, C), or a single plane.
 */
import { PoolingError, show } from './errors.js';
import { checkPlan, makePlan, type PoolPlan, type SlidingAxis } from './plan.js';
import { effectiveKernel } from './output-size.js';

/** Each band is a plan object of its own: a caller asking for millions of them has mistaken the unit. */
const MAX_BANDS = 1 << 16;

/**
 * One band of {@link planRowBands}: a plan over some input rows that gives some output rows.
 * @category Plans
 */
export interface RowBand {
  /** The band's own plan: its input shape has `inputEnd - inputStart` rows on the outermost spatial axis. */
  readonly plan: PoolPlan;
  /** First output row of the full plan's outermost spatial axis that this band gives. */
  readonly outputStart: number;
  /** One past the last output row this band gives. */
  readonly outputEnd: number;
  /** First input row the band reads. */
  readonly inputStart: number;
  /** One past the last input row the band reads. */
  readonly inputEnd: number;
}

function outermostOffset(plan: PoolPlan): number {
  return (plan.batched ? 1 : 0) + (plan.layout === 'channels-first' ? 1 : 0);
}

function band(plan: PoolPlan, axis: SlidingAxis, outputStart: number, outputEnd: number): RowBand | undefined {
  const { size, stride, padBegin, padEnd, kernel, dilation } = axis;
  const inputStart = Math.max(0, outputStart * stride - padBegin);
  const lastTapEnd = (outputEnd - 1) * stride - padBegin + effectiveKernel(kernel, dilation);
  const inputEnd = Math.min(size, lastTapEnd);
  if (inputEnd <= inputStart) return undefined;
  const bandAxis: SlidingAxis = {
    ...axis,
    size: inputEnd - inputStart,
    out: outputEnd - outputStart,
    padBegin: padBegin + inputStart - outputStart * stride,
    padEnd: inputEnd === size ? padEnd : 0,
  };
  const at = outermostOffset(plan);
  const inputShape = [...plan.inputShape];
  inputShape[at] = bandAxis.size;
  const spatial = plan.axes.map((a) => a.size);
  spatial[0] = bandAxis.size;
  const bandPlan = makePlan({
    op: plan.op,
    inputShape,
    layout: plan.layout,
    split: { batched: plan.batched, batch: plan.batch, channels: plan.channels, spatial },
    axes: [bandAxis, ...plan.axes.slice(1)],
    reducer: plan.reducer,
  });
  return { plan: bandPlan, outputStart, outputEnd, inputStart, inputEnd };
}

/**
 * Cuts `plan` into bands of at most `rowsPerBand` output rows of its outermost spatial axis, each a
 * plan of its own that reads only the input rows its windows touch, with exactly the full plan's
 * results (the same taps, in-bounds counts and padded counts). A shell can then pool an image far
 * larger than it wants to hold as floats, one band at a time. A plan that cannot be cut (adaptive
 * or global outermost axis, a single output row, spatial axes dropped from the output) comes back
 * as one band: the plan itself over all its input rows.
 *
 * @param plan - A plan made by this library.
 * @param rowsPerBand - At most this many output rows per band: a number of at least 1.
 * @returns The bands, in order, covering every output row once.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `plan` is not a plan this library made, or `rowsPerBand` is under 1;
 * - `SIZE_TOO_LARGE`: the cut would make over 65,536 bands.
 * @example
 * ```js
 * import { planAvgPool, planRowBands } from 'tensor-pooling';
 *
 * const plan = planAvgPool([10, 8, 3], { layout: 'channels-last', spatialDims: 2, kernel: 3, stride: 2, padding: 1 });
 * for (const band of planRowBands(plan, 2)) {
 *   console.log(band.outputStart, band.outputEnd, band.inputStart, band.inputEnd, band.plan.inputShape);
 * }
 * // prints: 0 2 0 4 [ 4, 8, 3 ]
 * // prints: 2 4 3 8 [ 5, 8, 3 ]
 * // prints: 4 5 7 10 [ 3, 8, 3 ]
 * ```
 * @category Plans
 */
export function planRowBands(plan: PoolPlan, rowsPerBand: number): RowBand[] {
  const op = 'planRowBands';
  checkPlan(op, 'plan', plan);
  if (typeof rowsPerBand !== 'number' || !(rowsPerBand >= 1)) {
    throw new PoolingError('INVALID_PARAMETER', op, `rowsPerBand must be a number >= 1 (at most that many output rows a band); got ${show(rowsPerBand)}`);
  }
  const axis = plan.axes[0];
  const whole: RowBand[] = [{ plan, outputStart: 0, outputEnd: axis?.out ?? 1, inputStart: 0, inputEnd: axis?.size ?? 1 }];
  const dropsSpatial = plan.outputShape.length !== plan.inputShape.length;
  if (axis === undefined || axis.kind !== 'sliding' || axis.out <= 1 || dropsSpatial) return whole;
  const rows = Math.min(Math.floor(rowsPerBand), axis.out);
  const count = Math.ceil(axis.out / rows);
  if (count > MAX_BANDS) {
    throw new PoolingError(
      'SIZE_TOO_LARGE',
      op,
      `${axis.out} output rows in bands of ${rows} would make ${count} bands; at most ${MAX_BANDS}: give rowsPerBand of at least ${Math.ceil(axis.out / MAX_BANDS)}`,
    );
  }
  const bands: RowBand[] = [];
  for (let start = 0; start < axis.out; start += rows) {
    const end = Math.min(axis.out, start + rows);
    const next = band(plan, axis, start, end);
    if (next !== undefined) {
      bands.push(next);
      continue;
    }
    // Windows lying wholly past the input (TF.js keeps them) read nothing: they join the band before.
    const previous = bands.pop();
    if (previous === undefined) return whole;
    const merged = band(plan, axis, previous.outputStart, axis.out);
    if (merged === undefined) return whole;
    bands.push(merged);
    break;
  }
  return bands;
}
