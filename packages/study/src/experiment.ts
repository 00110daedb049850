/**
 * The experiment: train both heads on the same data in the same seeded order, then measure
 * accuracy per epoch, parameters, other canvas sizes and class activation maps. Returns plain
 * numbers; report.ts turns them into docs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type StudyBackend } from './backend.js';
import { CLASSES, loadMnistSplit, onCanvas, subset, type DigitSet, type Placement } from './data.js';
import { buildModel, HEAD_DESCRIPTIONS, headAForAnySizeError, type HeadName, type StudyModel } from './models.js';
import { SeededRandom } from './random.js';
import { resnetHeadRow, type ResnetHeadRow } from './resnet.js';

export interface StudyConfig {
  readonly quick: boolean;
  readonly backend: StudyBackend;
  readonly seed: number;
  readonly epochs: number;
  /** How many training and test digits to use (the whole split when undefined). */
  readonly trainCount?: number;
  readonly testCount?: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly canvasSizes: readonly number[];
  readonly camDigits: number;
}

export const FULL_CONFIG: StudyConfig = {
  quick: false,
  backend: 'wasm',
  seed: 20240601,
  epochs: 15,
  batchSize: 64,
  learningRate: 0.003,
  canvasSizes: [20, 28, 36, 56],
  camDigits: 10,
};

export const QUICK_CONFIG: StudyConfig = {
  ...FULL_CONFIG,
  quick: true,
  epochs: 3,
  trainCount: 2000,
  testCount: 500,
  // Few steps: a larger step shows learning in both heads within seconds.
  learningRate: 0.006,
  camDigits: 4,
};

export interface EpochResult {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches, as model.fit reports it. */
  readonly loss: number;
  /** Accuracy of the model after the epoch on the whole training set and on the test set. */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface CanvasResult {
  readonly size: number;
  readonly accuracy?: number;
  readonly error?: string;
}

export interface HeadResult {
  readonly head: HeadName;
  readonly description: string;
  readonly parameters: { readonly trunk: number; readonly head: number; readonly total: number };
  readonly initialLoss: number;
  readonly epochs: readonly EpochResult[];
  readonly canvases: readonly CanvasResult[];
}

/** One digit's class activation map: sum over channels of the class's dense weight times the feature map. */
export interface ClassActivationMap {
  readonly label: number;
  readonly predicted: number;
  readonly probability: number;
  readonly canvas: number;
  readonly pixels: readonly number[];
  readonly mapSize: readonly [number, number];
  readonly map: readonly number[];
}

export interface StudyResults {
  readonly config: StudyConfig;
  readonly backend: string;
  readonly data: { readonly train: number; readonly test: number; readonly trainPerClass: readonly number[] };
  readonly heads: Record<HeadName, HeadResult>;
  readonly headAAnySizeError: string;
  readonly cams: readonly ClassActivationMap[];
  readonly resnet: readonly ResnetHeadRow[];
  readonly totalSeconds: number;
}

const EVALUATION_BATCH = 500;

function images(set: DigitSet): tf.Tensor4D {
  return tf.tensor4d(set.pixels, [set.count, set.size, set.size, 1]);
}

function oneHot(set: DigitSet): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(set.labels, 'int32'), CLASSES), 'float32') as tf.Tensor2D);
}

/** Class probabilities for every digit, in batches to bound memory. */
function probabilities(model: StudyModel, set: DigitSet): Float32Array {
  const out = new Float32Array(set.count * CLASSES);
  const area = set.size * set.size;
  for (let start = 0; start < set.count; start += EVALUATION_BATCH) {
    const count = Math.min(EVALUATION_BATCH, set.count - start);
    const batch = tf.tensor4d(set.pixels.subarray(start * area, (start + count) * area), [count, set.size, set.size, 1]);
    const predicted = model.model.predict(batch) as tf.Tensor;
    out.set(predicted.dataSync() as Float32Array, start * CLASSES);
    tf.dispose([batch, predicted]);
  }
  return out;
}

function argmax(values: Float32Array, row: number): number {
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (values[row * CLASSES + c]! > values[row * CLASSES + best]!) best = c;
  return best;
}

function accuracy(model: StudyModel, set: DigitSet): number {
  const probs = probabilities(model, set);
  let correct = 0;
  for (let n = 0; n < set.count; n++) if (argmax(probs, n) === set.labels[n]) correct++;
  return correct / set.count;
}

function meanLoss(model: StudyModel, set: DigitSet): number {
  const probs = probabilities(model, set);
  let total = 0;
  for (let n = 0; n < set.count; n++) total -= Math.log(Math.max(probs[n * CLASSES + set.labels[n]!]!, 1e-7));
  return total / set.count;
}

async function trainHead(head: HeadName, config: StudyConfig, train: DigitSet, test: DigitSet, log: (line: string) => void) {
  const model = buildModel(head, config.seed, config.learningRate);
  const initialLoss = meanLoss(model, train);
  const epochs: EpochResult[] = [];
  const indices = Array.from({ length: train.count }, (_, i) => i);
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    // The same order for both heads: seeded per epoch, not drawn by fit.
    const ordered = subset(train, new SeededRandom(config.seed * 31 + epoch).shuffled(indices));
    const xs = images(ordered);
    const ys = oneHot(ordered);
    const started = performance.now();
    const history = await model.model.fit(xs, ys, { epochs: 1, batchSize: config.batchSize, shuffle: false, verbose: 0 });
    const seconds = (performance.now() - started) / 1000;
    tf.dispose([xs, ys]);
    const result: EpochResult = {
      epoch,
      loss: history.history['loss']![0] as number,
      trainAccuracy: accuracy(model, train),
      testAccuracy: accuracy(model, test),
      seconds,
    };
    epochs.push(result);
    log(
      `head ${head} epoch ${epoch}: loss ${result.loss.toFixed(4)}, train ${result.trainAccuracy.toFixed(4)}, ` +
        `test ${result.testAccuracy.toFixed(4)}, ${seconds.toFixed(1)} s`,
    );
  }
  return { model, initialLoss, epochs };
}

function canvasResults(model: StudyModel, test: DigitSet, sizes: readonly number[]): CanvasResult[] {
  return sizes.map((size) => {
    try {
      return { size, accuracy: accuracy(model, onCanvas(test, size)) };
    } catch (error) {
      return { size, error: (error as Error).message };
    }
  });
}

/** Class activation maps (Zhou et al. 2016) of head B for the given digits, for the predicted class. */
function classActivationMaps(model: StudyModel, digits: DigitSet): ClassActivationMap[] {
  const [weights] = model.classifier.getWeights();
  const kernel = weights!.dataSync() as Float32Array; // (channels, classes)
  const probs = probabilities(model, digits);
  const x = images(digits);
  const features = model.features.predict(x) as tf.Tensor4D;
  const [, height, width, channels] = features.shape;
  const values = features.dataSync() as Float32Array;
  tf.dispose([x, features]);
  const area = digits.size * digits.size;
  return Array.from({ length: digits.count }, (_, n) => {
    const predicted = argmax(probs, n);
    const map: number[] = [];
    for (let p = 0; p < height * width; p++) {
      let sum = 0;
      for (let k = 0; k < channels; k++) sum += values[(n * height * width + p) * channels + k]! * kernel[k * CLASSES + predicted]!;
      map.push(sum);
    }
    return {
      label: digits.labels[n]!,
      predicted,
      probability: probs[n * CLASSES + predicted]!,
      canvas: digits.size,
      pixels: Array.from(digits.pixels.subarray(n * area, (n + 1) * area)),
      mapSize: [height, width] as const,
      map,
    };
  });
}

/** The first test digit of each class in turn: a fixed, readable choice. */
function firstOfEachClass(test: DigitSet, count: number): number[] {
  const chosen: number[] = [];
  for (let label = 0; chosen.length < count; label = (label + 1) % CLASSES) {
    const index = Array.from(test.labels).findIndex((l, i) => l === label && !chosen.includes(i));
    if (index < 0) break;
    chosen.push(index);
  }
  return chosen;
}

export async function runStudy(config: StudyConfig, log: (line: string) => void = () => {}): Promise<StudyResults> {
  const started = performance.now();
  const backend = await useBackend(config.backend);
  log(`backend: ${backend}`);
  const split = loadMnistSplit();
  const random = new SeededRandom(config.seed);
  const train = subset(split.train, random.shuffled(Array.from({ length: split.train.count }, (_, i) => i)), config.trainCount);
  const test = subset(split.test, random.shuffled(Array.from({ length: split.test.count }, (_, i) => i)), config.testCount);
  log(`data: ${train.count} training and ${test.count} test digits`);

  const heads = {} as Record<HeadName, HeadResult>;
  let cams: ClassActivationMap[] = [];
  for (const head of ['A', 'B'] as const) {
    const { model, initialLoss, epochs } = await trainHead(head, config, train, test, log);
    const total = model.model.countParams();
    heads[head] = {
      head,
      description: HEAD_DESCRIPTIONS[head],
      parameters: { trunk: model.trunkParameters, head: total - model.trunkParameters, total },
      initialLoss,
      epochs,
      canvases: canvasResults(model, test, config.canvasSizes),
    };
    if (head === 'B') {
      const chosen = firstOfEachClass(test, config.camDigits);
      const digits = subset(test, chosen);
      // The first digits again, each in a different corner of a 56x56 canvas: does the map follow the digit?
      const corner: Placement = (index, canvas) => [index & 2 ? canvas - 30 : 2, index & 1 ? canvas - 30 : 2];
      const moved = subset(digits, [0, 1, 2, 3].filter((i) => i < digits.count));
      cams = [...classActivationMaps(model, digits), ...classActivationMaps(model, onCanvas(moved, 56, corner))];
    }
    model.model.dispose();
  }
  return {
    config,
    backend,
    data: {
      train: train.count,
      test: test.count,
      trainPerClass: Array.from({ length: CLASSES }, (_, c) => train.labels.filter((l) => l === c).length),
    },
    heads,
    headAAnySizeError: headAForAnySizeError(),
    cams,
    resnet: [224, 320, 448].map(resnetHeadRow),
    totalSeconds: (performance.now() - started) / 1000,
  };
}
