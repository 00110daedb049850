/**
 * The ResNet-50 head arithmetic: how many parameters a 1000-class dense head has after flatten
 * versus after global average pooling, at several input sizes. Every spatial size comes from the
 * library's poolOutputShape: a convolution's output size follows the same rule as a pooling
 * window's (floor((L + padBegin + padEnd - kernel) / stride) + 1), so the stem and each stage's
 * downsampling are planned as windows of their kernel, stride and padding.
 */
import { poolOutputShape } from 'tensor-pooling';

/** ResNet-50 (He et al. 2016, torchvision's layout): 2048 channels after its last stage. */
const FINAL_CHANNELS = 2048;
const CLASSES = 1000;

/** The windows that shrink the map, in order: the rest of the network keeps its size. */
const DOWNSAMPLING = [
  { name: 'stem conv 7x7, stride 2, padding 3', kernel: 7, stride: 2, padding: 3 },
  { name: 'max pool 3x3, stride 2, padding 1', kernel: 3, stride: 2, padding: 1 },
  { name: 'stage 3 first conv 3x3, stride 2, padding 1', kernel: 3, stride: 2, padding: 1 },
  { name: 'stage 4 first conv 3x3, stride 2, padding 1', kernel: 3, stride: 2, padding: 1 },
  { name: 'stage 5 first conv 3x3, stride 2, padding 1', kernel: 3, stride: 2, padding: 1 },
] as const;

export interface ResnetHeadRow {
  readonly inputSize: number;
  /** Spatial size after each downsampling step. */
  readonly sizes: readonly number[];
  readonly finalSize: number;
  readonly flattenFeatures: number;
  readonly globalAverageFeatures: number;
  readonly flattenHeadParameters: number;
  readonly globalAverageHeadParameters: number;
}

export const RESNET_DOWNSAMPLING_STEPS: readonly string[] = DOWNSAMPLING.map((step) => step.name);

function featureCount(shape: readonly number[]): number {
  return shape.slice(1).reduce((product, d) => product * d, 1);
}

export function resnetHeadRow(inputSize: number): ResnetHeadRow {
  // Channels never change a spatial size, so the map carries the final 2048 from the start.
  let shape: readonly number[] = [1, FINAL_CHANNELS, inputSize, inputSize];
  const sizes: number[] = [];
  for (const { kernel, stride, padding } of DOWNSAMPLING) {
    shape = poolOutputShape(shape, { kernel, stride, padding });
    sizes.push(shape[2]!);
  }
  // Flatten keeps every position's features; global average pooling keeps one per channel.
  const flattenFeatures = featureCount(shape);
  const globalAverageFeatures = featureCount(poolOutputShape(shape, { global: true }));
  const denseParameters = (features: number) => features * CLASSES + CLASSES;
  return {
    inputSize,
    sizes,
    finalSize: shape[2]!,
    flattenFeatures,
    globalAverageFeatures,
    flattenHeadParameters: denseParameters(flattenFeatures),
    globalAverageHeadParameters: denseParameters(globalAverageFeatures),
  };
}
