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
  plainView,
  readCallerValue,
  readShape,
  readTensor,
  typedArrayKind,
  type FloatArray,
  type Tensor,
} from '../tensor.js';
import { GLOBAL_KEYS, planGlobalOp, type GlobalOptions } from './global-ops.js';
import { readGradient, shapeOfInput } from './run.js';

export interface MaskedGlobalOptions extends GlobalOptions {
  /**
   * Weights per position: shape (N, ...spatial) shared by all channels, or the input's own shape.
   * 0/1 for a mask; any non-negative finite weights for a weighted mean.
   */
  readonly mask?: { readonly shape: readonly number[]; readonly data: Weights };
  /** Instead of a mask: for each sample, the valid length of each spatial axis (a prefix). */
  readonly validLengths?: readonly (readonly number[])[];
}

interface Resolved {
  readonly plan: PoolPlan;
  readonly weights: Weights;
  readonly perChannel: boolean;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const MASK_KINDS = ['Uint8Array', 'Float32Array', 'Float64Array'];

function readMask(op: string, mask: unknown, shape: readonly number[], sampleShape: readonly number[]): { weights: Weights; perChannel: boolean } {
  if (typeof mask !== 'object' || mask === null || Array.isArray(mask)) {
    throw new PoolingError('INVALID_PARAMETER', op, `mask must be a tensor { shape, data }; got ${show(mask)}`);
  }
  const { shape: rawShape, data } = readCallerValue(op, 'mask', () => ({ shape: (mask as Tensor).shape as unknown, data: (mask as Tensor).data as unknown }));
  const kind = typedArrayKind(data);
  if (kind === undefined || !MASK_KINDS.includes(kind)) {
    const got = kind ?? (Array.isArray(data) ? 'Array' : data === null ? 'null' : typeof data);
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `mask.data must be a Uint8Array, Float32Array or Float64Array; got ${got}`);
  }
  const maskShape = readShape(op, 'mask.shape', rawShape);
  const perChannel = sameShape(maskShape, shape);
  if (!perChannel && !sameShape(maskShape, sampleShape)) {
    throw new PoolingError(
      'MASK_SHAPE_MISMATCH',
      op,
      `mask must have shape ${show(sampleShape)} (one weight per sample and position) or the input's shape ` +
        `${show(shape)}; got ${show(maskShape)}`,
    );
  }
  const expectedLength = maskShape.reduce((p, d) => p * d, 1);
  const weights = plainView(data as Weights);
  if (weights.length !== expectedLength) {
    throw new PoolingError(
      'DATA_LENGTH_MISMATCH',
      op,
      `mask.data has ${weights.length} elements but mask.shape ${show(maskShape)} needs ${expectedLength}`,
    );
  }
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new PoolingError('INVALID_PARAMETER', op, `mask weights must be finite and >= 0; got ${w} at index ${i}`);
    }
  }
  return { weights, perChannel };
}

function lengthsMask(op: string, lengths: unknown, plan: PoolPlan, spatial: readonly number[]): Uint8Array {
  const rows = readCallerValue(op, 'validLengths', () => {
    const copy: number[][] = [];
    const valid = Array.isArray(lengths) && lengths.length === plan.batch;
    for (let n = 0; valid && n < plan.batch; n++) {
      const row: unknown = lengths[n];
      if (!Array.isArray(row) || row.length !== spatial.length) return undefined;
      copy.push(Array.from(row as unknown[], (v) => v as number));
    }
    return valid ? copy : undefined;
  });
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

function resolve(op: string, shape: readonly number[], options: unknown): Resolved {
  const o = readOptions(op, options, [...GLOBAL_KEYS, 'mask', 'validLengths'], ['mask', 'validLengths']);
  const { mask, validLengths, ...global } = o;
  const plan = planGlobalOp(op, shape, global, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' });
  const spatial = plan.axes.map((a) => a.size);
  const sampleShape = plan.batched ? [plan.batch, ...spatial] : spatial;
  if ((mask === undefined) === (validLengths === undefined)) {
    throw new PoolingError('INVALID_PARAMETER', op, `give exactly one of mask and validLengths`);
  }
  if (mask !== undefined) return { plan, ...readCallerValue(op, 'mask', () => readMask(op, mask, shape, sampleShape)) };
  return { plan, weights: lengthsMask(op, validLengths, plan, spatial), perChannel: false };
}

/** Average of each channel over the positions the mask keeps (weighted by it), per sample. */
export function maskedGlobalAvgPool<T extends FloatArray>(x: Tensor<T>, options: MaskedGlobalOptions): Tensor<T> {
  const op = 'maskedGlobalAvgPool';
  const t = readTensor<T>(op, 'x', x);
  const { plan, weights, perChannel } = resolve(op, t.shape, options);
  checkAllocation(op, 'the output', plan.batch * plan.channels, BYTES_PER_ELEMENT[dtypeOf(t.data)]);
  return { shape: plan.outputShape, data: maskedGlobalAvgForward(plan, t, weights, perChannel) as T };
}

export function maskedGlobalAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: MaskedGlobalOptions,
): Tensor<T> {
  const op = 'maskedGlobalAvgPoolBackward';
  const shape = shapeOfInput(op, input);
  const { plan, weights, perChannel } = resolve(op, shape, options);
  const gradient = readGradient(plan, dy, undefined);
  checkAllocation(op, 'the gradient', plan.batch * plan.channels * plan.inputSpatialSize, BYTES_PER_ELEMENT[dtypeOf(gradient.data)]);
  return { shape: plan.inputShape, data: maskedGlobalAvgBackward(plan, gradient, weights, perChannel) as T };
}
