/** Output shapes without computing anything: plan the op and read its output shape. */
import { checkBoolean, readOptions } from '../plan/validate.js';
import { readShape } from '../tensor.js';
import { planAdaptiveOp, planGlobalOp, type AdaptiveOptions, type GlobalOptions } from './global-ops.js';
import { AVG_KEYS, type AvgPoolOptions } from './options.js';
import { planAvgPoolAs } from './window-ops.js';

export type OutputShapeOptions =
  | AvgPoolOptions
  | (AdaptiveOptions & { readonly kernel?: undefined })
  | (GlobalOptions & { readonly global: true; readonly kernel?: undefined });

const AVG = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' } as const;

/**
 * The output shape of a sliding-window pool (`kernel`, ...), an adaptive pool (`outputSize`) or a
 * global pool (`global: true`) on an input of `inputShape`, with the same checks and errors as the
 * op itself. Example: poolOutputShape([1, 3, 224, 224], { kernel: 2 }) is [1, 3, 112, 112].
 * Shapes are arithmetic: no window table is built, whatever the input's size.
 */
export function poolOutputShape(inputShape: readonly number[], options: OutputShapeOptions): readonly number[] {
  const op = 'poolOutputShape';
  const shape = readShape(op, 'inputShape', inputShape);
  const { global, ...rest } = readOptions(op, options, [...new Set([...AVG_KEYS, 'keepDims', 'outputSize', 'global'])]);
  if (global !== undefined && checkBoolean(op, 'global', global)) {
    return planGlobalOp(op, shape, rest as GlobalOptions, AVG).outputShape;
  }
  if (rest.outputSize !== undefined) return planAdaptiveOp(op, shape, rest as unknown as AdaptiveOptions, AVG).outputShape;
  return planAvgPoolAs(op, shape, rest as unknown as AvgPoolOptions).outputShape;
}
