/**
 * TF.js ops whose forward pass and gradient are both tensor-pooling's: each op is a tf.customGrad
 * around a native op and its *Backward function, so tf.grad, optimizers and model.fit see the
 * library's exact semantics (countIncludePad, ceilMode with PyTorch's rule, dilation with padding,
 * 1-D and 3-D, either layout) instead of TF.js's own pooling kernels.
 *
 * Options are the core's, with one default changed: `layout` is 'channels-last', as TF.js tensors
 * are (N, ...spatial, C). Give `layout: 'channels-first'` for (N, C, ...spatial).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  adaptiveAvgPool as coreAdaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPool as coreAdaptiveMaxPool,
  adaptiveMaxPoolBackward,
  avgPool as coreAvgPool,
  avgPoolBackward,
  globalAvgPool as coreGlobalAvgPool,
  globalAvgPoolBackward,
  globalMaxPool as coreGlobalMaxPool,
  globalMaxPoolBackward,
  maskedGlobalAvgPool as coreMaskedGlobalAvgPool,
  maskedGlobalAvgPoolBackward,
  maxPool as coreMaxPool,
  maxPoolBackward,
  type AdaptiveOptions,
  type AvgPoolOptions,
  type GlobalOptions,
  type MaskedGlobalOptions,
  type Tensor,
  type WindowOptions,
} from '../index.js';
import { readCallerValue } from '../tensor.js';
import { readOptions } from '../plan/validate.js';
import { checkTfTensor, fromTf, isTfTensor, maskFromTf, toTf } from './tensors.js';

type Float32Tensor = Tensor<Float32Array>;

/** Every option name of the ops this entry wraps: the core checks which one an op takes. */
const OPTION_NAMES = [
  'layout',
  'spatialDims',
  'backend',
  'threads',
  'kernel',
  'stride',
  'padding',
  'dilation',
  'ceilMode',
  'countIncludePad',
  'divisorOverride',
  'p',
  'keepDims',
  'outputSize',
  'mask',
  'validLengths',
];

/**
 * A caller's options read once, exactly as the core reads them (readOptions), arrays copied: the
 * forward pass and the gradient, which runs later, must plan from the same values whatever a
 * getter or a later change to the caller's arrays says. A mask (a TF.js tensor) is kept as it is.
 */
export function snapshotOptions<O>(
  op: string,
  options: unknown,
  alsoKnown: readonly string[] = [],
  refuseUnknown = false,
): O {
  const known = alsoKnown.length === 0 ? OPTION_NAMES : [...OPTION_NAMES, ...alsoKnown];
  // An op's unknown names pass through to the core op, whose message lists what that op takes; a
  // layer refuses them when it is built, long before it first runs.
  const how = { dataNames: ['mask', 'validLengths', ...alsoKnown], passUnknown: !refuseUnknown };
  return { ...readOptions(op, options, known, how) } as O;
}

/** TF.js's convention, the one default this entry changes. */
export function channelsLastByDefault<T extends { readonly layout?: unknown }>(options: T): T {
  return options.layout === undefined ? ({ ...options, layout: 'channels-last' } as T) : options;
}

/** Options whose array value gives the spatial rank (the core reads it from their length). */
const PER_AXIS = ['kernel', 'stride', 'dilation', 'padding', 'outputSize'];

/**
 * TF.js tensors here have a batch axis, as in Keras layers: a rank-3 tensor is (N, W, C), not an
 * unbatched 2-D map, unless `spatialDims` or a per-axis option says otherwise (the core refuses to
 * guess for rank 3; with kernel [2, 2] a rank-3 tensor is an unbatched (H, W, C) map, as TF.js's
 * own ops read it).
 */
export function batchedByDefault<T extends { readonly spatialDims?: unknown }>(options: T, rank: unknown): T {
  if (options.spatialDims !== undefined || typeof rank !== 'number' || rank < 3) return options;
  if (PER_AXIS.some((name) => Array.isArray((options as Record<string, unknown>)[name]))) return options;
  return { ...options, spatialDims: rank - 2 } as T;
}

/**
 * Wraps a core forward/backward pair as one differentiable TF.js op. The backward receives the
 * forward input, which max pooling needs to find its maxima and averages use for the shape.
 */
function differentiable(
  op: string,
  x: tf.Tensor,
  forward: (x: Float32Tensor) => Float32Tensor,
  backward: (dy: Float32Tensor, x: Float32Tensor) => Float32Tensor,
): tf.Tensor {
  // Check before TF.js's engine sees the value, so a wrong argument gets a PoolingError.
  checkTfTensor(op, 'x', x);
  const withGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([input]);
    return {
      value: toTf(forward(fromTf(op, 'x', input))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        toTf(backward(fromTf(op, 'dy', dy), fromTf(op, 'x', saved[0]))),
    };
  });
  return withGradient(x);
}

/** A TF.js op from a core op and its backward, with the channels-last default applied once. */
function poolingOp<O extends { readonly layout?: unknown; readonly spatialDims?: unknown }>(
  op: string,
  forward: (x: Float32Tensor, options: O) => Float32Tensor,
  backward: (dy: Float32Tensor, x: Float32Tensor, options: O) => Float32Tensor,
): (x: tf.Tensor, options: O) => tf.Tensor {
  return (x, options) => {
    const rank = readCallerValue(op, 'x', () => (x as { rank?: unknown } | null)?.rank);
    const resolved = batchedByDefault(channelsLastByDefault(snapshotOptions<O>(op, options)), rank);
    return differentiable(
      op,
      x,
      (input) => forward(input, resolved),
      (dy, input) => backward(dy, input, resolved),
    );
  };
}

/**
 * Average pooling as a differentiable TF.js op: the core's {@link "tensor-pooling"!avgPool} forward
 * and its exact gradient, with every core option (`countIncludePad`, `divisorOverride`, `ceilMode`
 * with PyTorch's rule, dilation with padding, 1-D to 3-D). Layout defaults to channels-last.
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - The core's {@link "tensor-pooling"!AvgPoolOptions}: `kernel` (required), `stride`,
 *   `padding`, `dilation`, `ceilMode`, `countIncludePad`, `divisorOverride`, `layout`, ... Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing (`kernel`);
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `UNSUPPORTED_OPTION`): see {@link "tensor-pooling"!avgPool}.
 * @example
 * ```js
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { avgPool } from 'tensor-pooling/tfjs';
 *
 * const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
 * const y = avgPool(x, { kernel: 3, stride: 2, padding: 1, countIncludePad: true });
 * console.log(y.shape, Array.from(y.dataSync(), (v) => v.toFixed(3)));
 * // prints: [ 1, 2, 2, 1 ] [ '1.111', '2.667', '5.667', '10.000' ]
 * const dx = tf.grad((t) => tf.sum(avgPool(t, { kernel: 2 })))(x);
 * console.log(dx.shape, dx.dataSync()[0]);
 * // prints: [ 1, 4, 4, 1 ] 0.25
 * ```
 * @function
 */
export const avgPool: (x: tf.Tensor, options: AvgPoolOptions) => tf.Tensor = poolingOp('avgPool', coreAvgPool, (dy, x, o) =>
  avgPoolBackward(dy, x.shape, o),
);

/**
 * Max pooling as a differentiable TF.js op: the core's {@link "tensor-pooling"!maxPool}; NaN
 * propagates and the gradient goes to the first maximum of each window. Layout defaults to
 * channels-last.
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - The core's {@link "tensor-pooling"!WindowOptions}: `kernel` (required), `stride`,
 *   `padding`, `dilation`, `ceilMode`, `layout`, ... Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing (`kernel`);
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `UNSUPPORTED_OPTION`): see {@link "tensor-pooling"!maxPool}.
 * @function
 */
export const maxPool: (x: tf.Tensor, options: WindowOptions) => tf.Tensor = poolingOp('maxPool', coreMaxPool, maxPoolBackward);

const globalAvg = poolingOp<GlobalOptions>('globalAvgPool', coreGlobalAvgPool, (dy, x, o) => globalAvgPoolBackward(dy, x.shape, o));
/**
 * Global average pooling as a differentiable TF.js op: the mean over every spatial axis,
 * (N, H, W, C) -> (N, C), or (N, 1, 1, C) with `keepDims`.
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - `keepDims`, `layout`, `spatialDims`, `backend`, `threads`; optional. Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing;
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `UNSUPPORTED_OPTION`): see {@link "tensor-pooling"!globalAvgPool}.
 */
export const globalAvgPool = (x: tf.Tensor, options: GlobalOptions = {}): tf.Tensor => globalAvg(x, options);

const globalMax = poolingOp<GlobalOptions>('globalMaxPool', coreGlobalMaxPool, globalMaxPoolBackward);
/**
 * Global max pooling as a differentiable TF.js op: the maximum over every spatial axis,
 * (N, H, W, C) -> (N, C), or (N, 1, 1, C) with `keepDims`.
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - `keepDims`, `layout`, `spatialDims`, `backend`, `threads`; optional. Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing;
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `UNSUPPORTED_OPTION`): see {@link "tensor-pooling"!globalMaxPool}.
 */
export const globalMaxPool = (x: tf.Tensor, options: GlobalOptions = {}): tf.Tensor => globalMax(x, options);

/**
 * Adaptive average pooling as a differentiable TF.js op, with PyTorch's bins: output i of an axis
 * of length L covers [floor(i*L/O), ceil((i+1)*L/O)).
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - `outputSize` (required), `layout`, `spatialDims`, `backend`, `threads`. Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing (`outputSize`);
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `UNSUPPORTED_OPTION`): see {@link "tensor-pooling"!adaptiveAvgPool}.
 * @function
 */
export const adaptiveAvgPool: (x: tf.Tensor, options: AdaptiveOptions) => tf.Tensor = poolingOp(
  'adaptiveAvgPool',
  coreAdaptiveAvgPool,
  (dy, x, o) => adaptiveAvgPoolBackward(dy, x.shape, o),
);

/**
 * Adaptive max pooling as a differentiable TF.js op: the maximum of each of PyTorch's adaptive
 * bins; the gradient goes to each bin's maximum.
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - `outputSize` (required), `layout`, `spatialDims`, `backend`, `threads`. Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing (`outputSize`);
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `UNSUPPORTED_OPTION`): see {@link "tensor-pooling"!adaptiveMaxPool}.
 * @function
 */
export const adaptiveMaxPool: (x: tf.Tensor, options: AdaptiveOptions) => tf.Tensor = poolingOp(
  'adaptiveMaxPool',
  coreAdaptiveMaxPool,
  adaptiveMaxPoolBackward,
);

/**
 * {@link maskedGlobalAvgPool}'s options: the core's, with a mask that may be a TF.js tensor.
 */
export interface TfMaskedGlobalOptions extends Omit<MaskedGlobalOptions, 'mask'> {
  /**
   * Weights per position, shape (N, ...spatial) or the input's shape: a TF.js tensor of any
   * numeric or bool dtype (a Keras mask works as is) or a core { shape, data } mask. The mask is
   * data, not a variable: no gradient flows into it.
   */
  readonly mask?: tf.Tensor | MaskedGlobalOptions['mask'];
}

/**
 * Masked global average pooling as a differentiable TF.js op: for a padded batch of maps (or
 * sequences) of different sizes, each sample's channel average over the positions the mask keeps
 * (weighted by it). A Keras mask works as is. No gradient flows into the mask.
 *
 * @param x - A float32 TF.js tensor: (N, ...spatial, C), or channels-first with
 *   `layout: 'channels-first'`. A rank-3 tensor is (N, W, C) unless an option says otherwise.
 * @param options - `mask` (a TF.js tensor or core mask) or `validLengths`, exactly one; `keepDims`,
 *   `layout`, `spatialDims`. Read once, for the forward pass and the gradient alike.
 * @returns A new TF.js tensor (float32), differentiable.
 * @throws {@link "tensor-pooling"!PoolingError} when the op is called (for the layer, when it runs):
 * - `INVALID_PARAMETER`: `x` is not a TF.js tensor, or an option has the wrong type or value, is
 *   unknown or is missing (`mask` or `validLengths`);
 * - `UNSUPPORTED_DTYPE`: `x` is not float32;
 * - the core op's other codes for these options and this shape (`INVALID_RANK`, `PAD_TOO_LARGE`,
 *   `OUTPUT_EMPTY`, `SIZE_TOO_LARGE`, `MASK_SHAPE_MISMATCH`): see {@link "tensor-pooling"!maskedGlobalAvgPool}.
 * @example
 * Two sequences of lengths 2 and 3, padded to 3 steps:
 * ```js
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { maskedGlobalAvgPool } from 'tensor-pooling/tfjs';
 *
 * const x = tf.tensor3d([[[1], [2], [0]], [[4], [5], [6]]]);
 * const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
 * console.log(Array.from(maskedGlobalAvgPool(x, { mask }).dataSync()));
 * // prints: [ 1.5, 5 ]
 * ```
 */
export function maskedGlobalAvgPool(x: tf.Tensor, options: TfMaskedGlobalOptions): tf.Tensor {
  const op = 'maskedGlobalAvgPool';
  const { mask, ...rest } = channelsLastByDefault(snapshotOptions<TfMaskedGlobalOptions>(op, options));
  const resolved: MaskedGlobalOptions =
    mask === undefined ? rest : { ...rest, mask: isTfTensor(mask) ? maskFromTf(op, 'mask', mask) : mask };
  return poolingOp<MaskedGlobalOptions>(op, coreMaskedGlobalAvgPool, (dy, input, o) => maskedGlobalAvgPoolBackward(dy, input.shape, o))(
    x,
    resolved,
  );
}
