/**
 * TF.js layers over tensor-pooling's differentiable ops (ops.ts). Each takes the core's own
 * options plus TF.js's layer arguments (name, inputShape, ...), defaults to channels-last, works
 * with unknown (null) sizes in the symbolic shape (a model built for inputs of any size), saves
 * and loads through its registered className (the class's own name, which model.summary() shows),
 * and trains with model.fit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import {
  planAvgPool,
  planMaxPool,
  poolOutputShape,
  type AdaptiveOptions,
  type AvgPoolOptions,
  type GlobalOptions,
  type WindowOptions,
} from '../index.js';
import {
  adaptiveAvgPool,
  avgPool,
  batchedByDefault,
  snapshotOptions,
  channelsLastByDefault,
  globalAvgPool,
  globalMaxPool,
  maskedGlobalAvgPool,
  maxPool,
} from './ops.js';
import { PoolingError, show } from '../plan/errors.js';
import { readCallerValue } from '../tensor.js';

/** TF.js's own layer arguments (`name`, `inputShape`, `batchInputShape`, `dtype`, `trainable`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
type Kwargs = Parameters<layers.Layer['call']>[1];

/** TF.js's own layer arguments; everything else in a layer's arguments is a pooling option. */
const LAYER_ARG_KEYS: readonly string[] = [
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'name',
  'trainable',
  'weights',
  'inputDType',
];

/**
 * A layer's arguments read once, as the core reads options: TF.js's own, and the pooling options
 * (each checked by the core when the layer runs; an unknown name is refused now).
 */
function splitArgs<O extends object>(layer: string, args: unknown): { layerArgs: LayerArgs; options: O } {
  // TF.js's deserializer adds customObjects to a saved config; pooling has no use for it.
  const read = snapshotOptions<Record<string, unknown>>(layer, args, [...LAYER_ARG_KEYS, 'customObjects'], true);
  const layerArgs: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(read)) {
    if (key === 'customObjects') continue;
    (LAYER_ARG_KEYS.includes(key) ? layerArgs : options)[key] = value;
  }
  return { layerArgs: layerArgs as LayerArgs, options: options as O };
}

/** Every positive number in the window options: a size that surely fits any window they describe. */
function sizeThatFitsWindows(options: object): number {
  let largest = 1;
  // Per-axis lists are short (the core refuses longer ones, and pairs nest one level): a list that
  // claims millions of items is not walked.
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'number' && Number.isFinite(value)) largest = Math.max(largest, Math.abs(value));
    else if (Array.isArray(value) && depth < 2 && value.length <= 64) {
      for (let i = 0; i < value.length; i++) visit(value[i], depth + 1);
    }
  };
  for (const key of ['kernel', 'stride', 'dilation', 'padding', 'outputSize']) visit((options as Record<string, unknown>)[key], 0);
  return 2 * (largest * largest + 1);
}

/**
 * The output shape of a symbolic input whose batch or spatial sizes may be unknown (null). Every
 * pooling output axis depends on one input axis only, so planning twice, with the unknown sizes
 * set to two sizes far enough apart to give different results, shows which outputs are unknown.
 * The plan itself (and so every check and error) is the core's. The layers use it for
 * `computeOutputShape`; it serves a custom layer over the core ops the same way.
 *
 * @param inputShape - The symbolic shape: non-negative integers, null where unknown.
 * @param options - The pooling options the plan uses (their window sizes bound the trial sizes).
 * @param plan - From a full shape to the op's output shape, e.g.
 *   `(shape) => planAvgPool(shape, options).outputShape`.
 * @returns The output shape, null where it depends on an unknown size.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is not what it
 * must be; whatever `plan` throws (the core's codes for a shape that cannot be pooled).
 * @example
 * ```js
 * import { planAvgPool } from 'tensor-pooling';
 * import { outputShapeWithUnknowns } from 'tensor-pooling/tfjs';
 *
 * const options = { layout: 'channels-last', kernel: [2, 2] };
 * console.log(outputShapeWithUnknowns([null, null, 32, 3], options, (shape) => planAvgPool(shape, options).outputShape));
 * // prints: [ null, null, 16, 3 ]
 * ```
 */
export function outputShapeWithUnknowns(
  inputShape: Shape,
  options: object,
  plan: (shape: readonly number[]) => readonly number[],
): Shape {
  const op = 'outputShapeWithUnknowns';
  if (typeof plan !== 'function') throw new PoolingError('INVALID_PARAMETER', op, `plan must be a function from a shape to an output shape; got ${show(plan)}`);
  const given = readCallerValue(op, 'inputShape', () => {
    if (!Array.isArray(inputShape) || inputShape.length > 32) return undefined;
    const copy: (number | null)[] = [];
    for (let i = 0; i < inputShape.length; i++) {
      const d: unknown = inputShape[i];
      if (d !== null && !(typeof d === 'number' && Number.isInteger(d) && d >= 0)) return undefined;
      copy.push(d);
    }
    return copy;
  });
  if (given === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `inputShape must be an array of non-negative integers or null (unknown); got ${show(inputShape)}`);
  }
  const planned = (shape: readonly number[]) => {
    const out: unknown = plan(shape);
    if (!Array.isArray(out)) throw new PoolingError('INVALID_PARAMETER', op, `plan must return an output shape; got ${show(out)}`);
    return out as readonly number[];
  };
  if (typeof options !== 'object' || options === null) {
    throw new PoolingError('INVALID_PARAMETER', op, `options must be the pooling options object; got ${show(options)}`);
  }
  return unknownsOf(given, readCallerValue(op, 'options', () => sizeThatFitsWindows(options)), planned);
}

function unknownsOf(inputShape: readonly (number | null)[], small: number, plan: (shape: readonly number[]) => readonly number[]): Shape {
  if (inputShape.every((d) => d !== null)) return [...plan(inputShape as number[])];
  const first = plan(inputShape.map((d, axis) => d ?? (axis === 0 ? 1 : small)));
  const second = plan(inputShape.map((d, axis) => d ?? (axis === 0 ? 2 : 2 * small)));
  return first.map((d, axis) => (d === second[axis] ? d : null));
}

function firstShape(inputShape: Shape | Shape[]): Shape {
  return Array.isArray(inputShape[0]) ? (inputShape[0] as Shape) : (inputShape as Shape);
}

function firstTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/** The shared shell of the pooling layers: options in, the core's op and output shape out. */
abstract class PoolingLayer<O extends object> extends layers.Layer {
  /** The core options this layer runs with, layout resolved. */
  readonly poolingOptions: O;
  private readonly plan: (shape: readonly number[], options: O) => readonly number[];
  protected readonly run: (x: tf.Tensor, options: O) => tf.Tensor;

  constructor(
    args: (O & LayerArgs) | undefined,
    run: (x: tf.Tensor, options: O) => tf.Tensor,
    plan: (shape: readonly number[], options: O) => readonly number[],
  ) {
    // The registered className, not new.target.name, which a minifier renames.
    const { layerArgs, options } = splitArgs<O>((new.target as unknown as { readonly className: string }).className, args);
    super(layerArgs);
    this.poolingOptions = channelsLastByDefault(options as O & { layout?: unknown });
    this.run = run;
    this.plan = plan;
  }

  /**
   * The output shape for an input shape, unknown (null) sizes allowed: see {@link outputShapeWithUnknowns}.
   * @param inputShape - The input's shape (or a list of shapes, whose first is the input's).
   * @throws {@link "tensor-pooling"!PoolingError} with the core op's codes when the options do not
   * fit the shape.
   */
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return outputShapeWithUnknowns(firstShape(inputShape), this.poolingOptions, (shape) =>
      this.plan(shape, batchedByDefault(this.poolingOptions, shape.length)),
    );
  }

  /**
   * Pools the input with the layer's options (TF.js calls it through `apply`).
   * @param inputs - The input tensor (or a list whose first is the input).
   * @param kwargs - TF.js's call arguments (`mask` for {@link MaskedGlobalAvgPool}).
   * @throws {@link "tensor-pooling"!PoolingError} with the core op's codes when the options do not
   * fit the input.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.pool(firstTensor(inputs), kwargs, inputs));
  }

  protected pool(x: tf.Tensor, _kwargs: Kwargs, _inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.run(x, this.poolingOptions);
  }

  /** The layer's configuration for saving: TF.js's layer arguments and the pooling options. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...(this.poolingOptions as tf.serialization.ConfigDict), ...super.getConfig() };
  }
}

/** {@link AvgPool}'s arguments: the core's {@link "tensor-pooling"!AvgPoolOptions} and TF.js's layer arguments. */
export type AvgPoolLayerArgs = AvgPoolOptions & LayerArgs;
/** {@link MaxPool}'s arguments: the core's {@link "tensor-pooling"!WindowOptions} and TF.js's layer arguments. */
export type MaxPoolLayerArgs = WindowOptions & LayerArgs;
/** The global layers' arguments: the core's {@link "tensor-pooling"!GlobalOptions} and TF.js's layer arguments. */
export type GlobalPoolLayerArgs = GlobalOptions & LayerArgs;
/** {@link AdaptiveAvgPool}'s arguments: the core's {@link "tensor-pooling"!AdaptiveOptions} and TF.js's layer arguments. */
export type AdaptivePoolLayerArgs = AdaptiveOptions & LayerArgs;

const globalOutputShape = (shape: readonly number[], options: GlobalOptions) => poolOutputShape(shape, { ...options, global: true });

/**
 * A TF.js layer of average pooling with every core option: countIncludePad, divisorOverride,
 * ceilMode, dilation, 1-D to 3-D; channels-last by default. Works with unknown (null) sizes in the
 * input shape, saves and loads (registered as 'AvgPool'), and trains with model.fit.
 * @example
 * A model for inputs of any size:
 * ```js
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { avgPoolLayer, globalAvgPoolLayer } from 'tensor-pooling/tfjs';
 *
 * const model = tfl.sequential({
 *   layers: [avgPoolLayer({ inputShape: [null, null, 3], kernel: 2, ceilMode: true }), globalAvgPoolLayer()],
 * });
 * console.log(model.outputs[0].shape, model.layers.map((layer) => layer.getClassName()));
 * // prints: [ null, 3 ] [ 'AvgPool', 'GlobalAvgPool' ]
 * console.log(model.predict(tf.ones([1, 5, 5, 3])).shape);
 * // prints: [ 1, 3 ]
 * ```
 */
export class AvgPool extends PoolingLayer<AvgPoolOptions> {
  /** The name TF.js saves and loads the layer by. */
  static readonly className = 'AvgPool';
  /**
   * @param args - The pooling options (`kernel` required) and TF.js's layer arguments.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is neither one of TF.js's
 * layer arguments nor an option this layer takes; each option's value is checked by the core when
 * the layer is applied or run, with the codes of {@link "tensor-pooling"!avgPool}.
   */
  constructor(args: AvgPoolLayerArgs) {
    super(args, avgPool, (shape, options) => planAvgPool(shape, options).outputShape);
  }
}

/**
 * A TF.js layer of max pooling with every core option (ceilMode, dilation, 1-D to 3-D);
 * channels-last by default. Registered as 'MaxPool'.
 */
export class MaxPool extends PoolingLayer<WindowOptions> {
  /** The name TF.js saves and loads the layer by. */
  static readonly className = 'MaxPool';
  /**
   * @param args - The pooling options (`kernel` required) and TF.js's layer arguments.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is neither one of TF.js's
 * layer arguments nor an option this layer takes; each option's value is checked by the core when
 * the layer is applied or run, with the codes of {@link "tensor-pooling"!maxPool}.
   */
  constructor(args: MaxPoolLayerArgs) {
    super(args, maxPool, (shape, options) => planMaxPool(shape, options).outputShape);
  }
}

/**
 * A TF.js layer of global average pooling: (N, ...spatial, C) -> (N, C), or with `keepDims` the
 * spatial axes kept as size 1. Registered as 'GlobalAvgPool'.
 */
export class GlobalAvgPool extends PoolingLayer<GlobalOptions> {
  /** The name TF.js saves and loads the layer by. */
  static readonly className = 'GlobalAvgPool';
  /**
   * @param args - `keepDims`, `layout`, `spatialDims` and TF.js's layer arguments; optional.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is neither one of TF.js's
 * layer arguments nor an option this layer takes; each option's value is checked by the core when
 * the layer is applied or run, with the codes of {@link "tensor-pooling"!globalAvgPool}.
   */
  constructor(args?: GlobalPoolLayerArgs) {
    super(args, globalAvgPool, globalOutputShape);
  }
}

/**
 * A TF.js layer of global max pooling: (N, ...spatial, C) -> (N, C), or with `keepDims` the spatial
 * axes kept as size 1. Registered as 'GlobalMaxPool'.
 */
export class GlobalMaxPool extends PoolingLayer<GlobalOptions> {
  /** The name TF.js saves and loads the layer by. */
  static readonly className = 'GlobalMaxPool';
  /**
   * @param args - `keepDims`, `layout`, `spatialDims` and TF.js's layer arguments; optional.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is neither one of TF.js's
 * layer arguments nor an option this layer takes; each option's value is checked by the core when
 * the layer is applied or run, with the codes of {@link "tensor-pooling"!globalMaxPool}.
   */
  constructor(args?: GlobalPoolLayerArgs) {
    super(args, globalMaxPool, globalOutputShape);
  }
}

/**
 * A TF.js layer of adaptive average pooling (PyTorch's bins): a fixed output size from inputs of
 * any size. Registered as 'AdaptiveAvgPool'.
 */
export class AdaptiveAvgPool extends PoolingLayer<AdaptiveOptions> {
  /** The name TF.js saves and loads the layer by. */
  static readonly className = 'AdaptiveAvgPool';
  /**
   * @param args - `outputSize` (required), `layout`, `spatialDims` and TF.js's layer arguments.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is neither one of TF.js's
 * layer arguments nor an option this layer takes; each option's value is checked by the core when
 * the layer is applied or run, with the codes of {@link "tensor-pooling"!adaptiveAvgPool}.
   */
  constructor(args: AdaptivePoolLayerArgs) {
    super(args, adaptiveAvgPool, poolOutputShape);
  }
}

/**
 * Global average over the positions a mask keeps. The mask comes as a second input
 * (`layer.apply([x, mask])`, shape (N, ...spatial) or x's shape) or as the Keras mask an upstream
 * layer propagates (Masking, Embedding with maskZero). With neither, it is a plain global average.
 * The mask is consumed: nothing downstream is masked.
 */
export class MaskedGlobalAvgPool extends PoolingLayer<GlobalOptions> {
  /** The name TF.js saves and loads the layer by. */
  static readonly className = 'MaskedGlobalAvgPool';

  /**
   * @param args - `keepDims`, `layout`, `spatialDims` and TF.js's layer arguments; optional.
 * @throws {@link "tensor-pooling"!PoolingError} `INVALID_PARAMETER` when an argument is neither one of TF.js's
 * layer arguments nor an option this layer takes; each option's value is checked by the core when
 * the layer is applied or run, with the codes of {@link "tensor-pooling"!maskedGlobalAvgPool}.
   */
  constructor(args?: GlobalPoolLayerArgs) {
    super(args, globalAvgPool, globalOutputShape);
    this.supportsMasking = true;
  }

  protected override pool(x: tf.Tensor, kwargs: Kwargs, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const mask = Array.isArray(inputs) && inputs.length > 1 ? inputs[1] : (kwargs['mask'] as tf.Tensor | undefined);
    return mask === undefined || mask === null
      ? globalAvgPool(x, this.poolingOptions)
      : maskedGlobalAvgPool(x, { ...this.poolingOptions, mask });
  }

  /**
   * Null: the mask is consumed, nothing downstream is masked. (TF.js's typings promise a tensor,
   * but its engine reads null as "no mask", as its own layers return.)
   */
  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }
}

/**
 * Registering is what lets tf.loadLayersModel rebuild these layers from a saved model, so it runs
 * when this module is first imported (package.json lists it in `sideEffects`, which keeps it in a
 * bundle). 0.1.0 saved the classes as TensorPoolingAvgPool etc.; TF.js finds a saved layer's class
 * by that name alone, so each old name is one more entry for the same class.
 */
for (const layerClass of [AvgPool, MaxPool, GlobalAvgPool, GlobalMaxPool, AdaptiveAvgPool, MaskedGlobalAvgPool]) {
  tf.serialization.registerClass(layerClass);
  tf.serialization.SerializationMap.getMap().classNameMap[`TensorPooling${layerClass.className}`] = [layerClass, layerClass.fromConfig];
}

/**
 * `new AvgPool(args)` in TF.js's factory style: avgPoolLayer({ kernel: 2 }) where TF.js has
 * tf.layers.averagePooling2d(...).
 * @param args - The pooling options (`kernel` required) and TF.js's layer arguments.
 * @returns The layer.
 * @throws {@link "tensor-pooling"!PoolingError} as {@link AvgPool}'s constructor.
 */
export const avgPoolLayer = (args: AvgPoolLayerArgs): AvgPool => new AvgPool(args);
/**
 * `new MaxPool(args)` in TF.js's factory style.
 * @param args - The pooling options (`kernel` required) and TF.js's layer arguments.
 * @returns The layer.
 * @throws {@link "tensor-pooling"!PoolingError} as {@link MaxPool}'s constructor.
 */
export const maxPoolLayer = (args: MaxPoolLayerArgs): MaxPool => new MaxPool(args);
/**
 * `new GlobalAvgPool(args)` in TF.js's factory style.
 * @param args - `keepDims`, `layout`, `spatialDims` and TF.js's layer arguments; optional.
 * @returns The layer.
 * @throws {@link "tensor-pooling"!PoolingError} as {@link GlobalAvgPool}'s constructor.
 */
export const globalAvgPoolLayer = (args: GlobalPoolLayerArgs = {}): GlobalAvgPool => new GlobalAvgPool(args);
/**
 * `new GlobalMaxPool(args)` in TF.js's factory style.
 * @param args - `keepDims`, `layout`, `spatialDims` and TF.js's layer arguments; optional.
 * @returns The layer.
 * @throws {@link "tensor-pooling"!PoolingError} as {@link GlobalMaxPool}'s constructor.
 */
export const globalMaxPoolLayer = (args: GlobalPoolLayerArgs = {}): GlobalMaxPool => new GlobalMaxPool(args);
/**
 * `new AdaptiveAvgPool(args)` in TF.js's factory style.
 * @param args - `outputSize` (required), `layout`, `spatialDims` and TF.js's layer arguments.
 * @returns The layer.
 * @throws {@link "tensor-pooling"!PoolingError} as {@link AdaptiveAvgPool}'s constructor.
 */
export const adaptiveAvgPoolLayer = (args: AdaptivePoolLayerArgs): AdaptiveAvgPool => new AdaptiveAvgPool(args);
/**
 * `new MaskedGlobalAvgPool(args)` in TF.js's factory style.
 * @param args - `keepDims`, `layout`, `spatialDims` and TF.js's layer arguments; optional.
 * @returns The layer.
 * @throws {@link "tensor-pooling"!PoolingError} as {@link MaskedGlobalAvgPool}'s constructor.
 * @example
 * A mask as the second input:
 * ```js
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { maskedGlobalAvgPoolLayer } from 'tensor-pooling/tfjs';
 *
 * const layer = maskedGlobalAvgPoolLayer();
 * const x = tf.tensor3d([[[1], [2], [0]], [[4], [5], [6]]]);
 * const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
 * console.log(Array.from(layer.apply([x, mask]).dataSync()));
 * // prints: [ 1.5, 5 ]
 * ```
 */
export const maskedGlobalAvgPoolLayer = (args: GlobalPoolLayerArgs = {}): MaskedGlobalAvgPool => new MaskedGlobalAvgPool(args);
