/**
 * The study's two models: one convolutional trunk (same layers, same seeds) whose pooling layers
 * are tensor-pooling's average pooling, and two heads.
 *   head A: flatten + dense, which fixes the input size the model accepts;
 *   head B: tensor-pooling's global average pooling + dense, which accepts any input size.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { avgPoolLayer, globalAvgPoolLayer } from 'tensor-pooling/tfjs';
import { CLASSES, DIGIT_SIZE } from './data.js';

export type HeadName = 'A' | 'B';

export const HEAD_DESCRIPTIONS: Record<HeadName, string> = {
  A: 'flatten + dense',
  B: 'global average pooling + dense',
};

export interface StudyModel {
  readonly head: HeadName;
  readonly model: tfl.LayersModel;
  /** The trunk's last feature maps (N, h, w, 32): what the head sees, and what class activation maps weigh. */
  readonly features: tfl.LayersModel;
  /** The dense layer of the head: its kernel weighs the features for each class. */
  readonly classifier: tfl.layers.Layer;
  readonly trunkParameters: number;
}

const TRUNK_FILTERS = [8, 16, 32] as const;

/** Seeded initializers: TF.js's defaults draw from Math.random. */
function seededConv(filters: number, seed: number): tfl.layers.Layer {
  return tfl.layers.conv2d({
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    biasInitializer: 'zeros',
  });
}

/** conv 3x3 (8) -> avg pool 2 -> conv 3x3 (16) -> avg pool 2 -> conv 3x3 (32), ReLU after each conv. */
function trunk(input: tfl.SymbolicTensor, seed: number): { output: tfl.SymbolicTensor; layers: tfl.layers.Layer[] } {
  const layers: tfl.layers.Layer[] = [];
  let h = input;
  TRUNK_FILTERS.forEach((filters, index) => {
    if (index > 0) layers.push(avgPoolLayer({ kernel: 2 }));
    layers.push(seededConv(filters, seed + index));
  });
  for (const layer of layers) h = layer.apply(h) as tfl.SymbolicTensor;
  return { output: h, layers };
}

/** Builds one head on a fresh trunk; both heads start from the same trunk weights. */
export function buildModel(head: HeadName, seed: number, learningRate: number): StudyModel {
  // Head A's flatten needs every size known; head B takes any height and width.
  const side = head === 'A' ? DIGIT_SIZE : null;
  const input = tfl.input({ shape: [side, side, 1] });
  const { output: features, layers } = trunk(input, seed);
  const classifier = tfl.layers.dense({
    units: CLASSES,
    activation: 'softmax',
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 100 }),
    biasInitializer: 'zeros',
  });
  const pooled = head === 'A' ? tfl.layers.flatten().apply(features) : globalAvgPoolLayer().apply(features);
  const model = tfl.model({ inputs: input, outputs: classifier.apply(pooled) as tfl.SymbolicTensor });
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy' });
  return {
    head,
    model,
    features: tfl.model({ inputs: input, outputs: features }),
    classifier,
    trunkParameters: layers.reduce((sum, layer) => sum + layer.countParams(), 0),
  };
}

/** What building head A for inputs of any size says (TF.js refuses it at construction). */
export function headAForAnySizeError(): string {
  try {
    const input = tfl.input({ shape: [null, null, 1] });
    const { output } = trunk(input, 0);
    tfl.layers.flatten().apply(output);
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
}
