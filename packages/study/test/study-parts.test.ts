/** The study's parts that a wrong result would silently skew: the split, canvases, the conv filter gradient, stopping, comparing and saving. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conv2dFilterGradient } from '../src/conv-filter-gradient.js';
import { CLASSES, loadMnistSplit, onCanvas, subset, type DigitSet } from '../src/data.js';
import { SeededRandom } from '../src/random.js';
import { Progress, shouldStop } from '../src/experiment.js';
import { saveModel } from '../src/export.js';
import { buildModel } from '../src/models.js';
import { claims, compare, meanAndSpread } from '../src/report.js';
import { FULL_CONFIG, type RunResult, type StudyResults } from '../src/experiment.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
import { seededValues } from '@tensor-pooling/test-kit/compare';

test('the MNIST split keeps 80% of every class for training, in the package order', () => {
  const { train, test: held } = loadMnistSplit();
  assert.equal(train.count + held.count, 10_000);
  for (let c = 0; c < CLASSES; c++) {
    const inTrain = train.labels.filter((l) => l === c).length;
    const inTest = held.labels.filter((l) => l === c).length;
    assert.equal(inTrain, Math.floor(0.8 * (inTrain + inTest)), `class ${c}`);
  }
  assert.equal(train.pixels.length, train.count * 784);
});

test('digits on other canvases: centred, cropped or padded, never rescaled', () => {
  const digit: DigitSet = { size: 28, count: 1, pixels: Float32Array.from({ length: 784 }, (_, i) => i), labels: Int32Array.of(3) };
  const big = onCanvas(digit, 36);
  assert.equal(big.pixels[4 * 36 + 4], 0); // the digit's (0, 0) lands at (4, 4)
  assert.equal(big.pixels[(4 + 27) * 36 + 4 + 27], 783);
  assert.equal(big.pixels[0], 0);
  const small = onCanvas(digit, 20);
  assert.equal(small.pixels[0], 4 * 28 + 4); // the 4-pixel border is cropped
  assert.equal(small.pixels[399], 23 * 28 + 23);
  assert.deepEqual(subset(big, [0]).labels, Int32Array.of(3));
});

test('the seeded order is a permutation and repeats with its seed', () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const first = new SeededRandom(7).shuffled(items);
  assert.deepEqual(new SeededRandom(7).shuffled(items), first);
  assert.notDeepEqual(new SeededRandom(8).shuffled(items), first);
  assert.deepEqual([...first].sort((a, b) => a - b), items);
});

test("the conv filter gradient equals TF.js cpu's own kernel", async () => {
  await tfReady();
  type Shape4 = [number, number, number, number];
  const cases: { x: Shape4; filter: Shape4; strides: number | [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
    { x: [1, 8, 8, 2], filter: [3, 2, 2, 3], strides: 2, pad: 'same' },
    { x: [2, 6, 5, 2], filter: [2, 3, 2, 2], strides: [2, 1], pad: 'valid' },
  ];
  cases.forEach((c, index) => {
    const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
    const x = seededValues(11 + index, size(c.x), 'continuous');
    const filter = seededValues(21 + index, size(c.filter), 'continuous');
    const xt = tf.tensor4d(x, c.x);
    const ft = tf.tensor4d(filter, c.filter);
    const y = tf.conv2d(xt, ft, c.strides, c.pad);
    const dy = seededValues(31 + index, size(y.shape), 'continuous');
    const expected = tf.grad((f) => tf.mul(tf.conv2d(xt, f as typeof ft, c.strides, c.pad), tf.tensor(dy, y.shape)))(ft);
    const actual = conv2dFilterGradient(x, c.x, dy, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter });
    const wanted = expected.dataSync();
    const scale = Math.max(...Array.from(wanted, Math.abs));
    actual.forEach((v, i) => assert.ok(Math.abs(v - wanted[i]!) <= 1e-5 * scale, `case ${index} element ${i}: ${v} vs ${wanted[i]}`));
    tf.dispose([xt, ft, y, expected]);
  });
});

test('a run stops after the fixed epochs once the test accuracy has not improved for `patience` epochs, or at the cap', () => {
  const run = (...accuracies: number[]) => accuracies.map((testAccuracy, i) => ({ epoch: i + 1, loss: 1, trainAccuracy: 1, testAccuracy, seconds: 0 }));
  const limits = { fixedEpochs: 3, patience: 2, maxEpochs: 6 };
  assert.equal(shouldStop(run(0.5, 0.4), limits), undefined, 'never before the fixed count');
  assert.equal(shouldStop(run(0.5, 0.4, 0.3), limits), 'no improvement', 'best at epoch 1, two epochs without');
  
  assert.equal(shouldStop(run(0.1, 0.2, 0.3, 0.3), limits), undefined, 'one epoch without improvement');
  assert.equal(shouldStop(run(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), limits), 'cap');
  assert.equal(shouldStop(run(0.1, 0.2, 0.3, 0.4, 0.6, 0.5, 0.5), limits), 'no improvement', 'no improvement wins over the cap');
});

test('heads compare by their means only beyond the larger spread of the seeds', () => {
  assert.deepEqual(meanAndSpread([1, 2, 3]), { mean: 2, spread: 1 });
  assert.deepEqual(meanAndSpread([0.5]), { mean: 0.5, spread: 0 });
  assert.equal(compare([0.9, 0.91, 0.92], [0.95, 0.96, 0.97]), 'lower');
  assert.equal(compare([0.95, 0.96, 0.97], [0.9, 0.91, 0.92]), 'higher');
  assert.equal(compare([0.9, 0.95, 1.0], [0.92, 0.93, 0.94]), 'alike');
});

test('a saved model is the same bytes whatever was built before it in the process', async () => {
  await tfReady();
  const save = async () => {
    const folder = mkdtempSync(join(tmpdir(), 'study-save-'));
    await saveModel(buildModel('C', 5, 0.001).model, folder);
    const files = ['model.json', 'weights.bin'].map((name) => readFileSync(join(folder, name)));
    rmSync(folder, { recursive: true, force: true });
    return files;
  };
  const first = await save();
  buildModel('A', 9, 0.001);
  buildModel('B', 9, 0.001);
  assert.deepEqual(await save(), first);
});

test('progress names the run and bounds the time left by the digit-epochs still possible', () => {
  const lines: string[] = [];
  const progress = new Progress(2, [{ digits: 100, maxEpochs: 3 }, { digits: 1000, maxEpochs: 2 }], (line) => lines.push(line));
  const epoch = { epoch: 1, loss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, seconds: 0 };
  progress.epoch(1, 'run one', 100, epoch);
  assert.match(lines[0]!, /^\[run 1\/2, \d+ s, at most \d+ min left\] run one epoch 1: loss 1\.0000/);
  // Left after one epoch of 100 digits: 2 x 100 + 2 x 1000 digit-epochs; stopping now drops 200 of them.
  assert.equal(progress.remainingDigitEpochs, 2200);
  progress.stopped(100, 2);
  assert.equal(progress.remainingDigitEpochs, 2000);
});

/** Results with one training size and three seeds, each run given as [train, test] accuracy per epoch. */
function synthetic(curves: Record<'A' | 'B' | 'C', (readonly [number, number])[][]>, capped: 'cap' | 'no improvement' = 'no improvement'): StudyResults {
  const runs: RunResult[] = (['A', 'B', 'C'] as const).flatMap((head) =>
    curves[head].map((epochs, seed) => ({
      head,
      seed,
      trainSize: 1000,
      maxEpochs: 10,
      initialLoss: 2.3,
      stopped: head === 'A' ? 'no improvement' : capped,
      epochs: epochs.map(([trainAccuracy, testAccuracy], i) => ({ epoch: i + 1, loss: 1, trainAccuracy, testAccuracy, seconds: 1 })),
      canvases: [28, 36].map((size) => (head === 'A' && size !== 28 ? { size, error: 'refused' } : { size, accuracy: size === 28 ? 0.9 : 0.6 + seed * 0.01 })),
    })),
  );
  const parameters = { trunk: 5888, head: 330, total: 6218 };
  return {
    config: { ...FULL_CONFIG, seeds: [0, 1, 2], fixedEpochs: 1, canvasSizes: [28, 36] },
    backend: 'test',
    data: { trainAvailable: 1000, test: 100, trainPerClass: [] },
    descriptions: { A: 'a', B: 'b', C: 'c' },
    parameters: { A: { trunk: 5888, head: 15690, total: 21578 }, B: parameters, C: parameters },
    runs,
    headAAnySizeError: '',
    cams: [],
    resnet: [],
    totalSeconds: 1,
  };
}

test('the claims are worded from the numbers: the same report says the opposite when the numbers are opposite', () => {
  const overfit = [[[0.99, 0.9], [1, 0.9]], [[0.99, 0.91], [1, 0.91]], [[0.99, 0.92], [1, 0.92]]] as (readonly [number, number])[][];
  const tight = [[[0.6, 0.6], [0.93, 0.92]], [[0.6, 0.6], [0.94, 0.93]], [[0.6, 0.6], [0.95, 0.935]]] as (readonly [number, number])[][];
  const smallerGap = claims(synthetic({ A: overfit, B: tight, C: tight }, 'no improvement')).join('\n');
  assert.match(smallerGap, /Fewer parameters: supported\./);
  assert.match(smallerGap, /Less overfitting, head B against head A: supported\./);
  assert.match(smallerGap, /head B is lower after 1 epoch .*: it learns slower, it does not end worse/);
  assert.match(smallerGap, /Any input size: supported for accepting it, not for accuracy\.\*\* .*drops below that at 28x28 beyond the spread for head B at 36x36/);
  const largerGap = claims(synthetic({ A: tight, B: overfit, C: overfit })).join('\n');
  assert.match(largerGap, /Less overfitting, head B against head A: contradicted\./);
  const stillLearning = [[[0.5, 0.5], [0.7, 0.7]], [[0.5, 0.5], [0.71, 0.71]], [[0.5, 0.5], [0.72, 0.72]]] as (readonly [number, number])[][];
  const capped = claims(synthetic({ A: overfit, B: stillLearning, C: stillLearning }, 'cap')).join('\n');
  assert.match(capped, /3 of its runs were still improving at the cap of 10 epochs, so whether it ends worse is not settled here/);
  assert.doesNotMatch(capped, /it ends worse too/);
});
