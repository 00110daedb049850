/**
 * The experiment: three heads on one trunk, trained on the same data in the same seeded order, for
 * several seeds and training-set sizes. Each run trains at least `fixedEpochs` epochs and then on
 * until its test accuracy has not improved for `patience` epochs (at most `maxEpochs`), so a head
 * that learns slower is told apart from one that ends worse. Returns plain numbers; report.ts
 * turns them into docs, export.ts writes the page's models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type StudyBackend } from './backend.js';
import { CLASSES, loadMnistSplit, onCanvas, subset, type DigitSet, type Placement } from './data.js';
import { buildModel, HEAD_DESCRIPTIONS, HEADS, headAForAnySizeError, type HeadName, type StudyModel } from './models.js';
import { SeededRandom } from './random.js';
import { resnetHeadRow, type ResnetHeadRow } from './resnet.js';

export interface StudyConfig {
  readonly quick: boolean;
  readonly backend: StudyBackend;
  /** One run per seed, head and training-set size; the first seed's models are exported. */
  readonly seeds: readonly number[];
  /**
   * Training digits per run, drawn per seed from the whole training split (its size when larger),
   * each with its cap on epochs: a smaller set takes fewer steps per epoch, so it may take more epochs.
   */
  readonly trainSizes: readonly TrainSize[];
  /** How many test digits to use (the whole test split when undefined). */
  readonly testCount?: number;
  /** Training accuracy is measured on at most this many of a run's training digits. */
  readonly trainAccuracySample: number;
  readonly fixedEpochs: number;
  readonly patience: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly canvasSizes: readonly number[];
  readonly camDigits: number;
}

export interface TrainSize {
  readonly digits: number;
  readonly maxEpochs: number;
}

export const FULL_CONFIG: StudyConfig = {
  quick: false,
  backend: 'wasm',
  seeds: [20240601, 20240602, 20240603],
  // Sized to fit 30 minutes on a loaded 2-core machine even if every run reaches its cap: timed
  // short runs took about 25 s per epoch and head with 8,000 digits and 5 s with 1,000, evaluation
  // included, so at most 3 seeds x 3 heads x (5 x 25 + 10 x 5) s = 26 minutes.
  trainSizes: [
    { digits: 1000, maxEpochs: 10 },
    { digits: 8000, maxEpochs: 5 },
  ],
  trainAccuracySample: 2000,
  fixedEpochs: 3,
  patience: 2,
  batchSize: 64,
  learningRate: 0.003,
  canvasSizes: [20, 28, 36, 56],
  camDigits: 10,
};

export const QUICK_CONFIG: StudyConfig = {
  ...FULL_CONFIG,
  quick: true,
  seeds: [20240601, 20240602],
  trainSizes: [
    { digits: 256, maxEpochs: 2 },
    { digits: 512, maxEpochs: 2 },
  ],
  testCount: 200,
  trainAccuracySample: 256,
  fixedEpochs: 1,
  patience: 1,
  // Few steps: a larger step shows learning in every head within seconds.
  learningRate: 0.006,
  camDigits: 4,
};

export interface EpochResult {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches, as model.fit reports it. */
  readonly loss: number;
  /** Accuracy after the epoch on (a fixed sample of) the run's training digits and on the test set. */
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface CanvasResult {
  readonly size: number;
  readonly accuracy?: number;
  readonly error?: string;
}

export interface RunResult {
  readonly head: HeadName;
  readonly seed: number;
  /** Training digits this run learned from. */
  readonly trainSize: number;
  readonly maxEpochs: number;
  readonly initialLoss: number;
  readonly epochs: readonly EpochResult[];
  /** Why the run stopped: its test accuracy stopped improving, or the cap was reached first. */
  readonly stopped: 'no improvement' | 'cap';
  readonly canvases: readonly CanvasResult[];
}

export interface Parameters {
  readonly trunk: number;
  readonly head: number;
  readonly total: number;
}

/** One digit's class activation map for its predicted class: the map whose average is that class's score. */
export interface ClassActivationMap {
  readonly head: HeadName;
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
  readonly data: { readonly trainAvailable: number; readonly test: number; readonly trainPerClass: readonly number[] };
  readonly descriptions: Record<HeadName, string>;
  readonly parameters: Record<HeadName, Parameters>;
  readonly runs: readonly RunResult[];
  readonly headAAnySizeError: string;
  readonly cams: readonly ClassActivationMap[];
  readonly resnet: readonly ResnetHeadRow[];
  readonly totalSeconds: number;
}

/** What main.ts does with the exported seed's trained models, before they are disposed. */
export interface TrainedModel {
  readonly run: RunResult;
  readonly model: StudyModel;
  readonly test: DigitSet;
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

function argmax(values: ArrayLike<number>, row: number): number {
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

/** Whether a run may stop after `epochs`: past the fixed count and no better test accuracy for `patience` epochs. */
export function shouldStop(
  epochs: readonly EpochResult[],
  limits: Pick<StudyConfig, 'fixedEpochs' | 'patience'> & Pick<TrainSize, 'maxEpochs'>,
): 'no improvement' | 'cap' | undefined {
  if (epochs.length < limits.fixedEpochs) return undefined;
  const best = epochs.reduce((b, e) => (e.testAccuracy > b.testAccuracy ? e : b));
  if (epochs.length - best.epoch >= limits.patience) return 'no improvement';
  return epochs.length >= limits.maxEpochs ? 'cap' : undefined;
}

interface RunSetting {
  readonly head: HeadName;
  readonly seed: number;
  readonly train: DigitSet;
  readonly trainSample: DigitSet;
  readonly test: DigitSet;
  readonly maxEpochs: number;
}

async function trainRun(setting: RunSetting, config: StudyConfig, progress: (epoch: EpochResult) => void) {
  const { head, seed, train, trainSample, test } = setting;
  const model = buildModel(head, seed, config.learningRate);
  const initialLoss = meanLoss(model, trainSample);
  const epochs: EpochResult[] = [];
  const indices = Array.from({ length: train.count }, (_, i) => i);
  let stopped: RunResult['stopped'] | undefined;
  while (stopped === undefined) {
    const epoch = epochs.length + 1;
    // The same order for every head of a seed: drawn here, not by fit.
    const ordered = subset(train, new SeededRandom(seed * 31 + epoch).shuffled(indices));
    const xs = images(ordered);
    const ys = oneHot(ordered);
    const started = performance.now();
    const history = await model.model.fit(xs, ys, { epochs: 1, batchSize: config.batchSize, shuffle: false, verbose: 0 });
    const seconds = (performance.now() - started) / 1000;
    tf.dispose([xs, ys]);
    const result: EpochResult = {
      epoch,
      loss: history.history['loss']![0] as number,
      trainAccuracy: accuracy(model, trainSample),
      testAccuracy: accuracy(model, test),
      seconds,
    };
    epochs.push(result);
    progress(result);
    stopped = shouldStop(epochs, { ...config, maxEpochs: setting.maxEpochs });
  }
  return { model, initialLoss, epochs, stopped };
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

/** Class activation maps (Zhou et al. 2016) of a global-average head for the given digits, for the predicted class. */
export function classActivationMaps(model: StudyModel, digits: DigitSet): ClassActivationMap[] {
  if (!model.classMaps) return [];
  const probs = probabilities(model, digits);
  const x = images(digits);
  const maps = model.classMaps(x);
  const [, height, width] = maps.shape;
  const values = maps.dataSync() as Float32Array;
  tf.dispose([x, maps]);
  const area = digits.size * digits.size;
  return Array.from({ length: digits.count }, (_, n) => {
    const predicted = argmax(probs, n);
    const map: number[] = [];
    for (let p = 0; p < height * width; p++) map.push(values[(n * height * width + p) * CLASSES + predicted]!);
    return {
      head: model.head,
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

/** The first test digits of each class in turn: a fixed, readable choice. */
export function firstOfEachClass(test: DigitSet, count: number): number[] {
  const chosen: number[] = [];
  for (let label = 0; chosen.length < count; label = (label + 1) % CLASSES) {
    const index = Array.from(test.labels).findIndex((l, i) => l === label && !chosen.includes(i));
    if (index < 0) break;
    chosen.push(index);
  }
  return chosen;
}

function camsOf(model: StudyModel, test: DigitSet, count: number): ClassActivationMap[] {
  const digits = subset(test, firstOfEachClass(test, count));
  // The first digits again, each in a different corner of a 56x56 canvas: does the map follow the digit?
  const corner: Placement = (index, canvas) => [index & 2 ? canvas - 30 : 2, index & 1 ? canvas - 30 : 2];
  const moved = subset(digits, [0, 1, 2, 3].filter((i) => i < digits.count));
  return [...classActivationMaps(model, digits), ...classActivationMaps(model, onCanvas(moved, 56, corner))];
}

function parametersOf(model: StudyModel): Parameters {
  const total = model.model.countParams();
  return { trunk: model.trunkParameters, head: total - model.trunkParameters, total };
}

/**
 * Progress lines: which run of how many, the seconds so far, and at most how many are left. An
 * epoch's cost grows with its training digits, so the bound is the seconds per digit-epoch so far
 * times the digit-epochs the remaining runs would take if every one reached its cap.
 */
export class Progress {
  private readonly started = performance.now();
  private digitEpochsDone = 0;
  private digitEpochsLeft: number;

  constructor(
    private readonly total: number,
    runs: readonly { readonly digits: number; readonly maxEpochs: number }[],
    private readonly log: (line: string) => void,
  ) {
    this.digitEpochsLeft = runs.reduce((sum, r) => sum + r.digits * r.maxEpochs, 0);
  }

  epoch(index: number, label: string, digits: number, epoch: EpochResult): void {
    this.digitEpochsDone += digits;
    this.digitEpochsLeft -= digits;
    const elapsed = (performance.now() - this.started) / 1000;
    const left = (elapsed / this.digitEpochsDone) * this.digitEpochsLeft;
    this.log(
      `[run ${index}/${this.total}, ${elapsed.toFixed(0)} s, at most ${Math.ceil(left / 60)} min left] ${label} epoch ${epoch.epoch}: ` +
        `loss ${epoch.loss.toFixed(4)}, train ${epoch.trainAccuracy.toFixed(4)}, test ${epoch.testAccuracy.toFixed(4)}, ${epoch.seconds.toFixed(1)} s`,
    );
  }

  /** Training digits times epochs the remaining runs would take if each reached its cap. */
  get remainingDigitEpochs(): number {
    return this.digitEpochsLeft;
  }

  /** A run stopped before its cap: the epochs it did not take are no longer ahead. */
  stopped(digits: number, epochsNotTaken: number): void {
    this.digitEpochsLeft -= digits * epochsNotTaken;
  }
}

export async function runStudy(
  config: StudyConfig,
  log: (line: string) => void = () => {},
  onTrained: (trained: TrainedModel) => Promise<void> | void = () => {},
): Promise<StudyResults> {
  const started = performance.now();
  const backend = await useBackend(config.backend);
  log(`backend: ${backend}`);
  const split = loadMnistSplit();
  const test = subset(split.test, new SeededRandom(config.seeds[0]!).shuffled(Array.from({ length: split.test.count }, (_, i) => i)), config.testCount);
  const largest = Math.max(...config.trainSizes.map((s) => s.digits));
  log(`data: ${split.train.count} training digits available, ${test.count} test digits`);

  const parameters = {} as Record<HeadName, Parameters>;
  const runs: RunResult[] = [];
  let cams: ClassActivationMap[] = [];
  const runCount = config.trainSizes.length * config.seeds.length * HEADS.length;
  const planned = config.trainSizes.flatMap((size) => Array.from({ length: config.seeds.length * HEADS.length }, () => ({ digits: Math.min(size.digits, split.train.count), maxEpochs: size.maxEpochs })));
  const progress = new Progress(runCount, planned, log);
  for (const { digits: size, maxEpochs } of config.trainSizes) {
    for (const seed of config.seeds) {
      const order = new SeededRandom(seed).shuffled(Array.from({ length: split.train.count }, (_, i) => i));
      const train = subset(split.train, order, size);
      const trainSample = subset(train, Array.from({ length: train.count }, (_, i) => i), config.trainAccuracySample);
      for (const head of HEADS) {
        const index = runs.length + 1;
        const label = `${train.count} digits, seed ${seed}, head ${head}`;
        const { model, initialLoss, epochs, stopped } = await trainRun({ head, seed, train, trainSample, test, maxEpochs }, config, (e) => progress.epoch(index, label, train.count, e));
        progress.stopped(train.count, maxEpochs - epochs.length);
        parameters[head] = parametersOf(model);
        const exported = seed === config.seeds[0] && size === largest;
        const run: RunResult = {
          head,
          seed,
          trainSize: train.count,
          maxEpochs,
          initialLoss,
          epochs,
          stopped,
          canvases: size === largest ? canvasResults(model, test, config.canvasSizes) : [],
        };
        runs.push(run);
        if (exported) {
          cams = [...cams, ...camsOf(model, test, config.camDigits)];
          await onTrained({ run, model, test });
        }
        model.model.dispose();
      }
    }
  }
  return {
    config,
    backend,
    data: {
      trainAvailable: split.train.count,
      test: test.count,
      trainPerClass: Array.from({ length: CLASSES }, (_, c) => split.train.labels.filter((l) => l === c).length),
    },
    descriptions: HEAD_DESCRIPTIONS,
    parameters,
    runs,
    headAAnySizeError: headAForAnySizeError(),
    cams,
    resnet: [224, 320, 448].map(resnetHeadRow),
    totalSeconds: (performance.now() - started) / 1000,
  };
}

