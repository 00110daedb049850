/** Output shapes without computing anything: plan the op and read its output shape. */
import { PoolingError, show } from '../plan/errors.js';
import { planAdaptiveOp, planGlobalOp, type AdaptiveOptions, type GlobalOptions } from './global-ops.js';
import type { AvgPoolOptions } from './options.js';
import { planAvgPool } from './window-ops.js';

export type OutputShapeOptions =
  | AvgPoolOptions
  | (AdaptiveOptions & { readonly kernel?: undefined })
  | (GlobalOptions & { readonly global: true; readonly kernel?: undefined });

/**
 * The output shape of a sliding-window pool (`kernel`, ...), an adaptive pool (`outputSize`) or a
 * global pool (`global: true`) on an input of `inputShape`, with the same checks and errors as the
 * op itself. Example: poolOutputShape([1, 3, 224, 224], { kernel: 2 }) is [1, 3, 112, 112].
 */
export function poolOutputShape(inputShape: readonly number[], options: OutputShapeOptions): readonly number[] {
  const op = 'poolOutputShape';
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new PoolingError('INVALID_PARAMETER', op, `inputShape must be an array of non-negative integers; got ${show(inputShape)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new PoolingError('INVALID_PARAMETER', op, `options must be an object; got ${show(options)}`);
  }
  if ('global' in options && options.global) {
    const { global: _global, ...rest } = options;
    return planGlobalOp(op, inputShape, rest, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' }).outputShape;
  }
  if ('outputSize' in options && options.outputSize !== undefined) {
    return planAdaptiveOp(op, inputShape, options as AdaptiveOptions, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' })
      .outputShape;
  }
  return planAvgPool(inputShape, options as AvgPoolOptions, op).outputShape;
}
