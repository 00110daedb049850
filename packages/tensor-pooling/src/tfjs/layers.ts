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
 * The plan itself (and so every check and error) is the core's.
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

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return outputShapeWithUnknowns(firstShape(inputShape), this.poolingOptions, (shape) =>
      this.plan(shape, batchedByDefault(this.poolingOptions, shape.length)),
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.pool(firstTensor(inputs), kwargs, inputs));
  }

  protected pool(x: tf.Tensor, _kwargs: Kwargs, _inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.run(x, this.poolingOptions);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...(this.poolingOptions as tf.serialization.ConfigDict), ...super.getConfig() };
  }
}

export type AvgPoolLayerArgs = AvgPoolOptions & LayerArgs;
export type MaxPoolLayerArgs = WindowOptions & LayerArgs;
export type GlobalPoolLayerArgs = GlobalOptions & LayerArgs;
export type AdaptivePoolLayerArgs = AdaptiveOptions & LayerArgs;

const globalOutputShape = (shape: readonly number[], options: GlobalOptions) => poolOutputShape(shape, { ...options, global: true });

/** Average pooling with every core option: countIncludePad, divisorOverride, ceilMode, dilation, 1-D to 3-D. */
export class AvgPool extends PoolingLayer<AvgPoolOptions> {
  static readonly className = 'AvgPool';
  constructor(args: AvgPoolLayerArgs) {
    super(args, avgPool, (shape, options) => planAvgPool(shape, options).outputShape);
  }
}

export class MaxPool extends PoolingLayer<WindowOptions> {
  static readonly className = 'MaxPool';
  constructor(args: MaxPoolLayerArgs) {
    super(args, maxPool, (shape, options) => planMaxPool(shape, options).outputShape);
  }
}

export class GlobalAvgPool extends PoolingLayer<GlobalOptions> {
  static readonly className = 'GlobalAvgPool';
  constructor(args?: GlobalPoolLayerArgs) {
    super(args, globalAvgPool, globalOutputShape);
  }
}

export class GlobalMaxPool extends PoolingLayer<GlobalOptions> {
  static readonly className = 'GlobalMaxPool';
  constructor(args?: GlobalPoolLayerArgs) {
    super(args, globalMaxPool, globalOutputShape);
  }
}

export class AdaptiveAvgPool extends PoolingLayer<AdaptiveOptions> {
  static readonly className = 'AdaptiveAvgPool';
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
  static readonly className = 'MaskedGlobalAvgPool';

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

  /** TF.js's typings promise a tensor, but its engine reads null as "no mask", as its own layers return. */
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

/** Factories in TF.js's style: avgPoolLayer({ kernel: 2 }) where TF.js has tf.layers.averagePooling2d(...). */
export const avgPoolLayer = (args: AvgPoolLayerArgs): AvgPool => new AvgPool(args);
export const maxPoolLayer = (args: MaxPoolLayerArgs): MaxPool => new MaxPool(args);
export const globalAvgPoolLayer = (args: GlobalPoolLayerArgs = {}): GlobalAvgPool => new GlobalAvgPool(args);
export const globalMaxPoolLayer = (args: GlobalPoolLayerArgs = {}): GlobalMaxPool => new GlobalMaxPool(args);
export const adaptiveAvgPoolLayer = (args: AdaptivePoolLayerArgs): AdaptiveAvgPool => new AdaptiveAvgPool(args);
export const maskedGlobalAvgPoolLayer = (args: GlobalPoolLayerArgs = {}): MaskedGlobalAvgPool => new MaskedGlobalAvgPool(args);
