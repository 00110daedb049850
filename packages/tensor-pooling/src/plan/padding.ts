import { PoolingError, show } from './errors.js';
import { samePadding } from './output-size.js';
import { checkInteger } from './validate.js';

/**
 * Padding as callers write it:
 * - a number: that many on both sides of every spatial axis;
 * - one number per axis: symmetric on that axis;
 * - one [begin, end] pair per axis: asymmetric;
 * - 'valid': none; 'same': TF/Keras/ONNX SAME_UPPER (odd pad at the end); 'same-lower': ONNX SAME_LOWER.
 *
 * The 'same' modes size the output ceil(L / stride) and pad just enough for the last window to end
 * at the padded edge ({@link samePadding}).
 * @category Options
 */
export type PaddingOption =
  | number
  | readonly number[]
  | readonly (readonly [number, number])[]
  | 'valid'
  | 'same'
  | 'same-lower';

export interface ResolvedPadding {
  readonly pads: readonly (readonly [number, number])[];
  /** 'same' modes pick the output size themselves (ceil(L/s)); explicit pads leave it to the rounding rule. */
  readonly mode: 'explicit' | 'valid' | 'same' | 'same-lower';
}

export function resolvePadding(
  op: string,
  name: string,
  padding: PaddingOption,
  sizes: readonly number[],
  effectiveKernels: readonly number[],
  strides: readonly number[],
): ResolvedPadding {
  const rank = sizes.length;
  if (padding === 'valid') return { pads: sizes.map(() => [0, 0] as const), mode: 'valid' };
  if (padding === 'same' || padding === 'same-lower') {
    const extraAt = padding === 'same' ? 'end' : 'begin';
    return {
      pads: sizes.map((size, a) => samePadding(size, effectiveKernels[a]!, strides[a]!, extraAt)),
      mode: padding,
    };
  }
  if (typeof padding === 'number') {
    checkInteger(op, name, padding, 0);
    return { pads: sizes.map(() => [padding, padding] as const), mode: 'explicit' };
  }
  if (Array.isArray(padding) && padding.length === rank) {
    if (padding.every((p) => typeof p === 'number')) {
      for (const p of padding) checkInteger(op, name, p, 0, padding);
      return { pads: (padding as number[]).map((p) => [p, p] as const), mode: 'explicit' };
    }
    if (padding.every((p) => Array.isArray(p) && p.length === 2)) {
      for (const pair of padding as number[][]) for (const p of pair) checkInteger(op, name, p, 0, padding);
      return { pads: (padding as [number, number][]).map(([b, e]) => [b, e] as const), mode: 'explicit' };
    }
  }
  throw new PoolingError(
    'INVALID_PARAMETER',
    op,
    `${name} must be a non-negative integer, ${rank} of them (one per spatial axis), ${rank} [begin, end] pairs, ` +
      `'valid', 'same' or 'same-lower'; got ${show(padding)}`,
  );
}
