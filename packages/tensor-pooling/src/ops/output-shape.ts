/** Output shapes without computing anything: plan the op and read its output shape. */
import { checkBoolean, readOptions } from '../plan/validate.js';
import { readShape } from '../tensor.js';
import { planAdaptiveOp, planGlobalOp, type AdaptiveOptions, type GlobalOptions } from './global-ops.js';
import { AVG_KEYS, type AvgPoolOptions } from './options.js';
import { planAvgPoolAs } from './window-ops.js';

/**
 * What {@link poolOutputShape} takes: a sliding window's options (`kernel`, ...), an adaptive
 * pool's (`outputSize`), or a global pool's (`global: true`).
 * @category Plans
 */
export type OutputShapeOptions =
  | AvgPoolOptions
  | (AdaptiveOptions & {
      /** Absent: an adaptive pool has no window. */
      readonly kernel?: undefined;
    })
  | (GlobalOptions & {
      /** A global pool: one window over every spatial axis. */
      readonly global: true;
      /** Absent: a global pool has no window of its own. */
      readonly kernel?: undefined;
    });

const AVG = { op: 'avg', divisor: 'valid', emptyWindow: 'zero' } as const;

/**
 * The output shape of a sliding-window pool (`kernel`, ...), an adaptive pool (`outputSize`) or a
 * global pool (`global: true`) on an input of `inputShape`, with the same checks and errors as the
 * op itself. Shapes are arithmetic: no window table is built, whatever the input's size.
 *
 * @param inputShape - The input's shape.
 * @param options - {@link AvgPoolOptions}, {@link AdaptiveOptions}, or {@link GlobalOptions} with
 *   `global: true`.
 * @returns The output shape (frozen).
 * @throws {@link PoolingError} the codes the op itself would throw for this shape and these
 * options: `INVALID_PARAMETER`, `INVALID_RANK`, `PAD_TOO_LARGE`, `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`
 * (over {@link MAX_ELEMENTS} elements).
 * @example
 * ```js
 * import { poolOutputShape } from 'tensor-pooling';
 *
 * console.log(poolOutputShape([1, 3, 224, 224], { kernel: 2 }));
 * // prints: [ 1, 3, 112, 112 ]
 * console.log(poolOutputShape([1, 3, 224, 224], { outputSize: 7 }));
 * // prints: [ 1, 3, 7, 7 ]
 * console.log(poolOutputShape([1, 3, 224, 224], { global: true, keepDims: true }));
 * // prints: [ 1, 3, 1, 1 ]
 * ```
 * @category Plans
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
