/**
 * Parameter counts of the two classic classifier heads on a feature map: flatten + dense, and
 * global average pooling + dense. Why global average pooling won: the flatten head's weights grow
 * with the map's area and fix the input size; the pooled head depends on the channels alone.
 */
import { PoolingError, show } from '../plan/errors.js';
import { checkInteger } from '../plan/validate.js';
import { readShape } from '../tensor.js';

/**
 * What {@link headParameters} counts.
 * @category Formulas
 */
export interface HeadParameters {
  /** Inputs to the dense layer after flattening (C * H * W ...). */
  readonly flattenInputs: number;
  /** Weights + biases of dense(flattenInputs -> classes). */
  readonly flatten: number;
  /** Inputs to the dense layer after global average pooling (C). */
  readonly globalAverageInputs: number;
  /** Weights + biases of dense(C -> classes). */
  readonly globalAverage: number;
}

/**
 * Parameter counts of the two classic classifier heads on a feature map: flatten + dense, and
 * global average pooling + dense. The flatten head's weights grow with the map's area; the pooled
 * head's depend on the channels alone.
 *
 * @param featureShape - One sample's feature map, channels first: (C, ...spatial).
 * @param classes - The dense layer's outputs: a positive integer.
 * @returns The inputs and parameters (weights + biases) of each head.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `featureShape` is not at least 2 positive integers, or `classes` not a
 *   positive integer;
 * - `INVALID_RANK`: `featureShape` has more than {@link MAX_RANK} axes;
 * - `SIZE_TOO_LARGE`: the flatten head has more parameters than a number counts exactly.
 * @example
 * ResNet-50's last feature map with 1000 classes:
 * ```js
 * import { headParameters } from 'tensor-pooling';
 *
 * const heads = headParameters([2048, 7, 7], 1000);
 * console.log(heads.flatten, heads.globalAverage);
 * // prints: 100353000 2049000
 * ```
 * @category Formulas
 */
export function headParameters(featureShape: readonly number[], classes: number): HeadParameters {
  const op = 'headParameters';
  const shape = readShape(op, 'featureShape', featureShape);
  if (shape.length < 2 || shape.some((d) => d < 1)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `featureShape must be (C, ...spatial): at least 2 positive integers; got ${show(featureShape)}`,
    );
  }
  checkInteger(op, 'classes', classes, 1);
  const flattenInputs = shape.reduce((p, d) => p * d, 1);
  if (!Number.isSafeInteger(flattenInputs * classes + classes)) {
    throw new PoolingError('SIZE_TOO_LARGE', op, `a dense layer from ${flattenInputs} inputs to ${classes} classes has more parameters than a number counts exactly`);
  }
  // Global average pooling leaves one number per channel, whatever the map's size.
  const globalAverageInputs = shape[0]!;
  return {
    flattenInputs,
    flatten: flattenInputs * classes + classes,
    globalAverageInputs,
    globalAverage: globalAverageInputs * classes + classes,
  };
}
