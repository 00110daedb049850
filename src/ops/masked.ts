/**
 * Masked global average pooling: a padded batch of maps of different sizes, averaged over each
 * sample's real positions only. No peer offers it beyond Keras's 1-D case.
 */
import { maskedGlobalAvgBackward, maskedGlobalAvgForward, type Weights } from '../kernels/js/masked-global-avg.js';
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';
import { checkInteger } from '../plan/validate.js';
import { checkTensor, type FloatArray, type Tensor } from '../tensor.js';
import { planGlobalOp, type GlobalOptions } from './global-ops.js';
import { checkGradient, shapeOfInput } from './run.js';

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

function resolve(op: string, shape: readonly number[], options: MaskedGlobalOptions): Resolved {
  const plan = planGlobalOp(op, shape, options, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' }, [
    'mask',
    'validLengths',
  ]);
  const spatial = plan.axes.map((a) => a.size);
  const sampleShape = plan.batched ? [plan.batch, ...spatial] : spatial;
  if ((options.mask === undefined) === (options.validLengths === undefined)) {
    throw new PoolingError('INVALID_PARAMETER', op, `give exactly one of mask and validLengths`);
  }
  if (options.mask !== undefined) {
    const m = options.mask;
    if (typeof m !== 'object' || m === null || !Array.isArray(m.shape)) {
      throw new PoolingError('INVALID_PARAMETER', op, `mask must be a tensor { shape, data }; got ${show(m)}`);
    }
    if (!(m.data instanceof Float32Array || m.data instanceof Float64Array || m.data instanceof Uint8Array)) {
      const data: unknown = m.data;
      const got = ArrayBuffer.isView(data) ? data.constructor.name : Array.isArray(data) ? 'Array' : typeof data;
      throw new PoolingError('UNSUPPORTED_DTYPE', op, `mask.data must be a Uint8Array, Float32Array or Float64Array; got ${got}`);
    }
    const perChannel = sameShape(m.shape, shape);
    if (!perChannel && !sameShape(m.shape, sampleShape)) {
      throw new PoolingError(
        'MASK_SHAPE_MISMATCH',
        op,
        `mask must have shape ${show(sampleShape)} (one weight per sample and position) or the input's shape ` +
          `${show(shape)}; got ${show(m.shape)}`,
      );
    }
    const expectedLength = m.shape.reduce((p, d) => p * d, 1);
    if (m.data.length !== expectedLength) {
      throw new PoolingError(
        'DATA_LENGTH_MISMATCH',
        op,
        `mask.data has ${m.data.length} elements but mask.shape ${show(m.shape)} needs ${expectedLength}`,
      );
    }
    for (let i = 0; i < m.data.length; i++) {
      const w = m.data[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new PoolingError('INVALID_PARAMETER', op, `mask weights must be finite and >= 0; got ${w} at index ${i}`);
      }
    }
    return { plan, weights: m.data, perChannel };
  }
  const lengths = options.validLengths!;
  if (!Array.isArray(lengths) || lengths.length !== plan.batch || lengths.some((l) => !Array.isArray(l) || l.length !== spatial.length)) {
    throw new PoolingError(
      'MASK_SHAPE_MISMATCH',
      op,
      `validLengths must hold ${plan.batch} rows (one per sample) of ${spatial.length} lengths (one per spatial axis); got ${show(lengths)}`,
    );
  }
  lengths.forEach((row) =>
    row.forEach((len: number, a: number) => {
      checkInteger(op, 'validLengths', len, 0, lengths);
      if (len > spatial[a]!) {
        throw new PoolingError(
          'MASK_SHAPE_MISMATCH',
          op,
          `validLengths ${show(row)} exceeds the input's spatial size ${show(spatial)} on axis ${a}`,
        );
      }
    }),
  );
  const weights = new Uint8Array(plan.batch * plan.inputSpatialSize);
  for (let n = 0; n < plan.batch; n++) {
    for (let s = 0; s < plan.inputSpatialSize; s++) {
      let rest = s;
      let inside = true;
      for (let a = spatial.length - 1; a >= 0; a--) {
        if (rest % spatial[a]! >= lengths[n]![a]!) inside = false;
        rest = Math.floor(rest / spatial[a]!);
      }
      weights[n * plan.inputSpatialSize + s] = inside ? 1 : 0;
    }
  }
  return { plan, weights, perChannel: false };
}

/** Average of each channel over the positions the mask keeps (weighted by it), per sample. */
export function maskedGlobalAvgPool<T extends FloatArray>(x: Tensor<T>, options: MaskedGlobalOptions): Tensor<T> {
  const op = 'maskedGlobalAvgPool';
  checkTensor(op, 'x', x);
  const { plan, weights, perChannel } = resolve(op, x.shape, options);
  return { shape: plan.outputShape, data: maskedGlobalAvgForward(plan, x, weights, perChannel) as T };
}

export function maskedGlobalAvgPoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  input: Tensor | readonly number[],
  options: MaskedGlobalOptions,
): Tensor<T> {
  const op = 'maskedGlobalAvgPoolBackward';
  const shape = shapeOfInput(op, input);
  const { plan, weights, perChannel } = resolve(op, shape, options);
  checkGradient(plan, dy, undefined);
  return { shape: plan.inputShape, data: maskedGlobalAvgBackward(plan, dy, weights, perChannel) as T };
}
