/**
 * The study's three models: one convolutional trunk (same layers, same seeds) whose pooling layers
 * are tensor-pooling's average pooling, and three heads.
 *   head A: flatten + dense, which fixes the input size the model accepts;
 *   head B: tensor-pooling's global average pooling + dense (the ResNet head), any input size;
 *   head C: Network in Network (Lin et al., 2013): a 1x1 convolution to one map per class, then
 *           global average pooling of each map *is* that class's score; no dense layer at all.
 * Every layer has a fixed name, so a saved model is the same bytes whatever ran before it in the
 * process (TF.js's automatic names count the layers made so far), and the page finds each layer by it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { avgPoolLayer, globalAvgPoolLayer } from 'tensor-pooling/tfjs';
import { CLASSES, DIGIT_SIZE } from './data.js';

export type HeadName = 'A' | 'B' | 'C';
export const HEADS: readonly HeadName[] = ['A', 'B', 'C'];

export const HEAD_DESCRIPTIONS: Record<HeadName, string> = {
  A: 'flatten + dense',
  B: 'global average pooling + dense',
  C: 'Network in Network: 1x1 convolution to 10 maps + global average pooling',
};

/** The layer names the page and the class activation maps rely on. */
export const LAYER = {
  input: 'digit',
  trunk: ['conv1', 'pool1', 'conv2', 'pool2', 'conv3'],
  flatten: 'flatten',
  globalAverage: 'gap',
  classifier: 'classifier',
  classMaps: 'class_maps',
  scores: 'scores',
} as const;

export interface StudyModel {
  readonly head: HeadName;
  readonly model: tfl.LayersModel;
  /** The trunk's last feature maps (N, h, w, 32): what the head sees. */
  readonly features: tfl.LayersModel;
  /**
   * The maps whose spatial average is a class's score before the softmax, (N, h, w, 10): for head C
   * its 1x1 convolution's output, for head B the dense weights applied at every position (Zhou et
   * al., 2016); undefined for head A, whose flatten keeps no position-free score.
   */
  readonly classMaps: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined;
  readonly trunkParameters: number;
}

export const TRUNK_FILTERS = [8, 16, 32] as const;

/** Seeded initializers: TF.js's defaults draw from Math.random. */
function seededConv(name: string, filters: number, kernelSize: number, seed: number): tfl.layers.Layer {
  return tfl.layers.conv2d({
    name,
    filters,
    kernelSize,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    biasInitializer: 'zeros',
  });
}

/** conv 3x3 (8) -> avg pool 2 -> conv 3x3 (16) -> avg pool 2 -> conv 3x3 (32), ReLU after each conv. */
function trunk(input: tfl.SymbolicTensor, seed: number): { output: tfl.SymbolicTensor; layers: tfl.layers.Layer[] } {
  const layers: tfl.layers.Layer[] = [];
  TRUNK_FILTERS.forEach((filters, index) => {
    if (index > 0) layers.push(avgPoolLayer({ kernel: 2, name: `pool${index}` }));
    layers.push(seededConv(`conv${index + 1}`, filters, 3, seed + index));
  });
  let h = input;
  for (const layer of layers) h = layer.apply(h) as tfl.SymbolicTensor;
  return { output: h, layers };
}

function head(name: HeadName, features: tfl.SymbolicTensor, seed: number): tfl.SymbolicTensor {
  const initializer = tfl.initializers.glorotUniform({ seed: seed + 100 });
  if (name === 'C') {
    // NiN's last mlpconv layer has a ReLU too. Without it, averaging a linear 1x1 convolution would
    // equal a dense layer on the averages: head B with its operations swapped.
    const maps = tfl.layers
      .conv2d({ name: LAYER.classMaps, filters: CLASSES, kernelSize: 1, activation: 'relu', kernelInitializer: initializer, biasInitializer: 'zeros' })
      .apply(features) as tfl.SymbolicTensor;
    const averages = globalAvgPoolLayer({ name: LAYER.globalAverage }).apply(maps) as tfl.SymbolicTensor;
    return tfl.layers.activation({ name: LAYER.scores, activation: 'softmax' }).apply(averages) as tfl.SymbolicTensor;
  }
  const pooled =
    name === 'A'
      ? tfl.layers.flatten({ name: LAYER.flatten }).apply(features)
      : globalAvgPoolLayer({ name: LAYER.globalAverage }).apply(features);
  const dense = tfl.layers.dense({ name: LAYER.classifier, units: CLASSES, activation: 'softmax', kernelInitializer: initializer, biasInitializer: 'zeros' });
  return dense.apply(pooled) as tfl.SymbolicTensor;
}

/** Head B's class maps: each position's features through the dense layer's weights, before the softmax. */
function denseAtEveryPosition(classifier: tfl.layers.Layer, features: tfl.LayersModel): (x: tf.Tensor4D) => tf.Tensor4D {
  return (x) =>
    tf.tidy(() => {
      const [kernel, bias] = classifier.getWeights() as [tf.Tensor2D, tf.Tensor1D];
      const maps = features.predict(x) as tf.Tensor4D;
      const [n, h, w, c] = maps.shape;
      return tf.reshape(tf.add(tf.matMul(tf.reshape(maps, [n * h * w, c]), kernel), bias), [n, h, w, CLASSES]) as tf.Tensor4D;
    });
}

/** Builds one head on a fresh trunk; all heads start from the same trunk weights for a seed. */
export function buildModel(name: HeadName, seed: number, learningRate: number): StudyModel {
  // Head A's flatten needs every size known; heads B and C take any height and width.
  const side = name === 'A' ? DIGIT_SIZE : null;
  const input = tfl.input({ shape: [side, side, 1], name: LAYER.input });
  const { output: features, layers } = trunk(input, seed);
  const model = tfl.model({ inputs: input, outputs: head(name, features, seed), name: `head_${name.toLowerCase()}` });
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy' });
  return withParts(name, model, layers.reduce((sum, layer) => sum + layer.countParams(), 0));
}

/** The parts of a built or loaded model that the study and the page read, found by layer name. */
export function withParts(name: HeadName, model: tfl.LayersModel, trunkParameters?: number): StudyModel {
  const features = tfl.model({ inputs: model.inputs, outputs: model.getLayer(LAYER.trunk[4]).output as tfl.SymbolicTensor });
  let classMaps: StudyModel['classMaps'];
  if (name === 'B') classMaps = denseAtEveryPosition(model.getLayer(LAYER.classifier), features);
  if (name === 'C') {
    const maps = tfl.model({ inputs: model.inputs, outputs: model.getLayer(LAYER.classMaps).output as tfl.SymbolicTensor });
    classMaps = (x) => maps.predict(x) as tf.Tensor4D;
  }
  const trunk = trunkParameters ?? LAYER.trunk.reduce((sum, layer) => sum + model.getLayer(layer).countParams(), 0);
  return { head: name, model, features, classMaps, trunkParameters: trunk };
}

/** What building head A for inputs of any size says (TF.js refuses it at construction). */
export function headAForAnySizeError(): string {
  try {
    const input = tfl.input({ shape: [null, null, 1], name: LAYER.input });
    const { output } = trunk(input, 0);
    tfl.layers.flatten({ name: LAYER.flatten }).apply(output);
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
}
