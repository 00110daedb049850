/**
 * Masked global average pooling: a padded batch of maps of different sizes, averaged over each
 * sample's real positions only. No peer offers it beyond Keras's 1-D case.
 */
import { maskedGlobalAvgBackward, maskedGlobalAvgForward, type Weights } from '../kernels/js/masked-global-avg.js';
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';
import { checkInteger, readOptions } from '../plan/validate.js';
import {
  BYTES_PER_ELEMENT,
  checkAllocation,
  dtypeOf,
  readCallerValue,
  readTensor,
  readTensorOf,
  sameShape,
  stillCovers,
  type ArrayKind,
  type FloatArray,
  type Tensor,
} from '../tensor.js';
import { GLOBAL_KEYS, planGlobalOp, type GlobalOptions } from './global-ops.js';
import { readGradient, shapeOfInput } from './run.js';

/**
 * {@link maskedGlobalAvgPool}'s options: the global options and exactly one of `mask` and
 * `validLengths`.
 * @category Options
 */
export interface MaskedGlobalOptions extends GlobalOptions {
  /**
   * Weights per position: shape (N, ...spatial) shared by all channels, or the input's own shape.
   * 0/1 for a mask; any non-negative finite weights for a weighted mean.
   */
  readonly mask?: {
    /** (N, ...spatial), or the input's shape for a weight per channel too. */
    readonly shape: readonly number[];
    /** The weights, row-major: a Uint8Array, Float32Array or Float64Array. */
    readonly data: Uint8Array | Float32Array | Float64Array;
  };
  /**
   * Instead of a mask: for each sample, the valid length of each spatial axis (positions
   * 0 to length - 1 are real, the rest padding). N rows of one length per spatial axis.
   */
  readonly validLengths?: readonly (readonly number[])[];
}

interface Resolved {
  readonly plan: PoolPlan;
  readonly weights: Weights;
  /** The weights' shape when they were read: a kernel checks they still cover it. */
  readonly weightsShape: readonly number[];
  readonly perChannel: boolean;
}

const MASKED_KEYS = [...GLOBAL_KEYS, 'mask', 'validLengths'] as const;
const MASK_DATA = ['mask', 'validLengths'] as const;
const MASK_KINDS: readonly ArrayKind[] = ['Uint8Array', 'Float32Array', 'Float64Array'];

function readMask(op: string, mask: unknown, shape: readonly number[], sampleShape: readonly number[]): Omit<Resolved, 'plan'> {
  const m = readTensorOf(op, 'mask', mask, MASK_KINDS, 'a Uint8Array, Float32Array or Float64Array');
  const perChannel = sameShape(m.shape, shape);
  if (!perChannel && !sameShape(m.shape, sampleShape)) {
    throw new PoolingError(
      'MASK_SHAPE_MISMATCH',
      op,
      `mask must have shape ${show(sampleShape)} (one weight per sample and position) or the input's shape ` +
        `${show(shape)}; got ${show(m.shape)}`,
    );
  }
  const weights = m.data as Weights;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new PoolingError('INVALID_PARAMETER', op, `mask weights must be finite and >= 0; got ${w} at index ${i}`);
    }
  }
  return { weights, weightsShape: m.shape, perChannel };
}

/** The caller's per-sample lengths, each row read once by index (never through its iterator). */
function readLengths(op: string, lengths: unknown, batch: number, rank: number): number[][] | undefined {
  return readCallerValue(op, 'validLengths', () => {
    if (!Array.isArray(lengths) || lengths.length !== batch) return undefined;
    const rows: number[][] = [];
    for (let n = 0; n < batch; n++) {
      const row: unknown = lengths[n];
      if (!Array.isArray(row) || row.length !== rank) return undefined;
      const copy = new Array<number>(rank);
      for (let a = 0; a < rank; a++) copy[a] = row[a] as number;
      rows.push(copy);
    }
    return rows;
  });
}

function lengthsMask(op: string, lengths: unknown, plan: PoolPlan, spatial: readonly number[]): Uint8Array {
  const rows = readLengths(op, lengths, plan.batch, spatial.length);
  if (rows === undefined) {
    throw new PoolingError(
      'MASK_SHAPE_MISMATCH',
      op,
      `validLengths must hold ${plan.batch} rows (one per sample) of ${spatial.length} lengths (one per spatial axis); got ${show(lengths)}`,
    );
  }
  for (const row of rows) {
    row.forEach((len, a) => {
      checkInteger(op, 'validLengths', len, 0, row);
      if (len > spatial[a]!) {
        throw new PoolingError(
          'MASK_SHAPE_MISMATCH',
          op,
          `validLengths ${show(row)} exceeds the input's spatial size ${show(spatial)} on axis ${a}`,
        );
      }
    });
  }
  checkAllocation(op, 'the mask of validLengths', plan.batch * plan.inputSpatialSize, 1);
  const weights = new Uint8Array(plan.batch * plan.inputSpatialSize);
  for (let n = 0; n < plan.batch; n++) {
    for (let s = 0; s < plan.inputSpatialSize; s++) {
      let rest = s;
      let inside = true;
      for (let a = spatial.length - 1; a >= 0; a--) {
        if (rest % spatial[a]! >= rows[n]![a]!) inside = false;
        rest = Math.floor(rest / spatial[a]!);
      }
      weights[n * plan.inputSpatialSize + s] = inside ? 1 : 0;
    }
  }
  return weights;
}

/** The options read once (before any tensor: see window-ops.ts). */
function readMaskedOptions(op: string, options: unknown): Readonly<Record<string, unknown>> {
  const o = readOptions(op, options, MASKED_KEYS, { dataNames: MASK_DATA });
  if ((o.mask === undefined) === (o.validLengths === undefined)) {
    throw new PoolingError('INVALID_PARAMETER', op, `give exactly one of mask and validLengths`);
  }
  return o;
}

/** The plan and weights of a call; `checkSizes` runs on the plan before any weight is read or made. */
function resolve(op: string, shape: readonly number[], o: Readonly<Record<string, unknown>>, checkSizes: (plan: PoolPlan) => void): Resolved {
  const { mask, validLengths, ...global } = o;
  const plan = planGlobalOp(op, shape, global, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' });
  checkSizes(plan);
  const spatial = plan.axes.map((a) => a.size);
  const sampleShape = plan.batched ? [plan.batch, ...spatial] : spatial;
  if (mask !== undefined) return { plan, ...readMask(op, mask, shape, sampleShape) };
  const weights = lengthsMask(op, validLengths, plan, spatial);
  return { plan, weights, weightsShape: [weights.length], perChannel: false };
}

function checkStillCovered(op: string, x: Tensor, r: Resolved): void {
  if (!stillCovers(x) || !stillCovers({ shape: r.weightsShape, data: r.weights as FloatArray })) {
    throw new PoolingError('DATA_LENGTH_MISMATCH', op, `a tensor's buffer was resized or detached during the call`);
  }
}

/**
 * Masked global average pooling: for a padded batch of maps of different sizes, the average of
 * each sample's channels over its real positions only (sum of w * x over sum of w, with the weights
 * of `mask`, or 1 inside `validLengths` and 0 outside). A sample whose weights sum to 0 gives 0.
 * Runs on the JS kernels, on the calling thread, whatever `backend` and `threads` say.
 *
 * @param x - The input: (N, C, ...spatial) or, channels-last, (N, ...spatial, C).
 * @param options - `mask` or `validLengths` (exactly one), and `keepDims`, `layout`, `spatialDims`.
 *   Read once.
 * @returns A new tensor of `x`'s dtype: (N, C), or with `keepDims` (N, C, 1, ...).
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor, an option has the wrong type or
 *   value or is unknown, both or neither of `mask` and `validLengths` are given, a weight is
 *   negative or not finite, or a length is not a non-negative integer;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array, or `mask.data` not a
 *   Uint8Array, Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `MASK_SHAPE_MISMATCH`: `mask` has neither shape (N, ...spatial) nor `x`'s, or `validLengths` is
 *   not N rows of one length per spatial axis, each at most that axis's size;
 * - `INVALID_RANK`: `x`'s rank does not fit `spatialDims` (a rank-3 input needs it given);
 * - `OUTPUT_EMPTY`: a spatial axis of size 0;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit.
 * @example
 * Two sequences of lengths 2 and 3, padded to 3 steps:
 * ```js
 * import { maskedGlobalAvgPool, tensor } from 'tensor-pooling';
 *
 * const x = tensor([2, 1, 3], Float32Array.of(1, 2, 0, 4, 5, 6));
 * const byLengths = maskedGlobalAvgPool(x, { spatialDims: 1, validLengths: [[2], [3]] });
 * console.log(byLengths.shape, Array.from(byLengths.data));
 * // prints: [ 2, 1 ] [ 1.5, 5 ]
 * const mask = tensor([2, 3], Float32Array.of(1, 1, 0, 1, 1, 1));
 * console.log(Array.from(maskedGlobalAvgPool(x, { spatialDims: 1, mask }).data));
 * // prints: [ 1.5, 5 ]
 * ```
 * @category Pooling
 */
export function maskedGlobalAvgPool<T extends FloatArray>(x: Tensor<T>, options: MaskedGlobalOptions): Tensor<T> {
  const op = 'maskedGlobalAvgPool';
  const o = readMaskedOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  const resolved = resolve(op, t.shape, o, (plan) =>
    checkAllocation(op, 'the output', plan.batch * plan.channels, BYTES_PER_ELEMENT[dtypeOf(t.data)]),
  );
  const { plan, weights, perChannel } = resolved;
  checkStillCovered(op, t, resolved);
  return { shape: plan.outputShape, data: maskedGlobalAvgForward(plan, t, weights, perChannel) as T };
}

/**
 * The gradient of {@link maskedGlobalAvgPool}: each channel's gradient spread over its sample's
 * positions in proportion to their weights (0 where the mask is 0).
 *
 * @param dy - The gradient of the forward output.
 * @param input - The forward input, or just its shape.
 * @param options - The forward call's options (the same mask or lengths).
 * @returns dL/dx, of the input's shape and `dy`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`, `UNSUPPORTED_DTYPE`, `DATA_LENGTH_MISMATCH`, `MASK_SHAPE_MISMATCH`,
 *   `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them (for `dy` too);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the forward output's;
 * - `SIZE_TOO_LARGE`: the gradient would be over {@link setMaxBytes}'s limit.
 * @category Gradients
 */
export function maskedGlobalAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: MaskedGlobalOptions,
): Tensor<T> {
  const op = 'maskedGlobalAvgPoolBackward';
  const o = readMaskedOptions(op, options);
  const gradientIn = readTensor<T>(op, 'dy', dy);
  const shape = shapeOfInput(op, input);
  const resolved = resolve(op, shape, o, (plan) => {
    readGradient(plan, gradientIn, undefined);
    checkAllocation(op, 'the gradient', plan.batch * plan.channels * plan.inputSpatialSize, BYTES_PER_ELEMENT[dtypeOf(gradientIn.data)]);
  });
  const { plan, weights, perChannel } = resolved;
  const gradient = readGradient(plan, gradientIn, undefined);
  checkStillCovered(op, gradient, resolved);
  return { shape: plan.inputShape, data: maskedGlobalAvgBackward(plan, gradient, weights, perChannel) as T };
}
