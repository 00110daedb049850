/**
 * Where TensorFlow.js 4.22's cpu backend is wrong, pinned with minimal reproducers. Each test
 * asserts TF.js's exact output (so it fails the day TF.js changes), what the TF.js dialect gives
 * (the same, where it reproduces TF.js), and what the definition gives through the library's own
 * API. docs/peer-differences.md explains each case.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { avgPool, avgPoolBackward, maxPool, PoolingError, tfjs } from '../../src/index.js';
import { gradTf, runTf, tf, tfReady } from '@tensor-pooling/test-kit/tfjs';

before(tfReady);

const nhwc = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const ones = (shape: number[]) => nhwc(shape, new Array<number>(shape.reduce((p, d) => p * d, 1)).fill(1));
const list = (t: { data: ArrayLike<number> }) => Array.from(t.data);

function throwsCode(run: () => unknown, code: string): void {
  assert.throws(run, (e: unknown) => e instanceof PoolingError && e.code === code);
}

test("dimRoundingMode 'ceil' keeps windows that hold no input: TF.js averages them to NaN", () => {
  // L=5, k=2, s=2, pad 1: (5 - 2 + 2) / 2 + 1 = 3.5 -> 4 outputs; the 4th window starts at 5, in the padding.
  const x = nhwc([1, 5, 5, 1], range(25));
  const [peer] = runTf([x], (t) => tf.avgPool(t as never, 2, 2, 1, 'ceil'));
  assert.deepEqual(peer!.shape, [1, 4, 4, 1]);
  assert.deepEqual(list(peer!).slice(0, 4), [0, 1.5, 3.5, NaN]);
  assert.ok(list(peer!).slice(12).every(Number.isNaN));
  assert.deepEqual(list(tfjs.avgPool(x, 2, 2, 1, 'ceil')), list(peer!));
  // PyTorch's and ONNX's ceil mode drop a window that would start in the end padding: 3x3, no NaN.
  const defined = avgPool(x, { kernel: 2, stride: 2, padding: 1, ceilMode: true, layout: 'channels-last' });
  assert.deepEqual(defined.shape, [1, 3, 3, 1]);
  assert.deepEqual(list(defined), [0, 1.5, 3.5, 7.5, 9, 11, 17.5, 19, 21]);
});

test('TF.js max pooling skips NaN, and a window of NaN only gives -Infinity', () => {
  const x = nhwc([1, 2, 4, 1], [1, NaN, NaN, NaN, 3, 4, NaN, NaN]);
  const [peer] = runTf([x], (t) => tf.maxPool(t as never, 2, 2, 'valid'));
  assert.deepEqual(list(peer!), [4, -Infinity]);
  assert.deepEqual(list(tfjs.maxPool(x, 2, 2, 'valid')), [4, -Infinity]);
  assert.deepEqual(list(maxPool(x, { kernel: 2, layout: 'channels-last' })), [NaN, NaN]);
});

test("TF.js's average gradient divides every window by the whole filter, so it is not the forward's adjoint", () => {
  // 3x3 input, filter 3, stride 1, pad 1: the forward divides a corner window by its 4 inputs,
  // an edge window by 6, the centre by 9; the gradient divides all nine by 9.
  const x = nhwc([1, 3, 3, 1], range(9));
  const dy = ones([1, 3, 3, 1]);
  const peer = gradTf(x, dy, (t) => tf.avgPool(t as never, 3, 1, 1));
  assert.deepEqual(list(peer), [4, 6, 4, 6, 9, 6, 4, 6, 4].map((n) => Math.fround(n / 9)));
  assert.deepEqual(list(tfjs.avgPoolGrad(dy, x, 3, 1, 1)), list(peer));
  // The adjoint of that forward: the centre input sits in 4 corner, 4 edge and 1 centre window.
  const adjoint = avgPoolBackward(dy, x, { kernel: 3, stride: 1, padding: 1, layout: 'channels-last' });
  assert.equal(list(adjoint)[4], Math.fround(4 / 4 + 4 / 6 + 1 / 9));
});

test("TF.js's 2-D gradients drop dimRoundingMode and read dy with another geometry", () => {
  // Forward with 'ceil' is 4x4 (see above); tf.grad recomputes the geometry with trunc: 3x3
  // windows at -1, 1, 3 that cover each input once, so every input gets dy / 4 and the 4th row
  // and column of dy are ignored. The dialect refuses the mismatched dy.
  const x = nhwc([1, 5, 5, 1], range(25));
  const dy = ones([1, 4, 4, 1]);
  const peer = gradTf(x, dy, (t) => tf.avgPool(t as never, 2, 2, 1, 'ceil'));
  assert.deepEqual(list(peer), new Array<number>(25).fill(0.25));
  throwsCode(() => tfjs.avgPoolGrad(dy, x, 2, 2, 1), 'SHAPE_MISMATCH');
  // Max: H=2, filter [2, 1], stride [2, 1], 'round'. computeOutputShape2D sizes W with the H
  // filter: round((1 - 2) / 2 + 1) = 1 forward, trunc(0.5) = 0 in the gradient, so dy is lost.
  const x2 = nhwc([2, 1, 1], [3, 1]);
  const [y2] = runTf([x2], (t) => tf.maxPool(t as never, [2, 1], [2, 1], 0, 'round'));
  assert.deepEqual(list(y2!), [3]);
  assert.deepEqual(list(gradTf(x2, ones([1, 1, 1]), (t) => tf.maxPool(t as never, [2, 1], [2, 1], 0, 'round'))), [0, 0]);
  throwsCode(() => tfjs.maxPoolGrad(ones([1, 1, 1]), x2, [2, 1], [2, 1], 0), 'SHAPE_MISMATCH');
});

test('TF.js sizes both axes of a numerically padded 2-D pool with the first axis filter and stride', () => {
  // filter [1, 3] on 4x4: W should give 4 - 3 + 1 = 2 outputs; TF.js uses filter 1 and gets 4, the
  // last two windows hanging past the input (their average is over what is left of them).
  const x = nhwc([1, 4, 4, 1], range(16));
  const [peer] = runTf([x], (t) => tf.avgPool(t as never, [1, 3], 1, 0));
  assert.deepEqual(peer!.shape, [1, 4, 4, 1]);
  assert.deepEqual(list(peer!).slice(0, 4), [1, 2, 2.5, 3]);
  assert.deepEqual(list(tfjs.avgPool(x, [1, 3], 1, 0)), list(peer!));
  assert.deepEqual(avgPool(x, { kernel: [1, 3], stride: 1, layout: 'channels-last' }).shape, [1, 4, 2, 1]);
  // The other way round the W axis sizes to 0: TF.js returns an empty tensor, and so does the dialect.
  const [empty] = runTf([nhwc([1, 3, 2, 1], range(6))], (t) => tf.avgPool(t as never, [3, 1], 1, 0));
  assert.deepEqual(empty!.shape, [1, 1, 0, 1]);
  assert.deepEqual(tfjs.avgPool(nhwc([1, 3, 2, 1], range(6)), [3, 1], 1, 0).shape, [1, 1, 0, 1]);
});

test('a 1x1 TF.js avgPool whose output keeps the input shape returns the input, whatever the stride and pad', () => {
  // 2x2, filter 1, stride 2, pad 1: trunc((2 - 1 + 2) / 2 + 1) = 2. Window (0, 0) starts at
  // (-1, -1), all padding, yet the output there is x[0][0].
  const x = nhwc([2, 2, 1], [1, 2, 3, 4]);
  const [peer] = runTf([x], (t) => tf.avgPool(t as never, 1, 2, 1));
  assert.deepEqual(list(peer!), [1, 2, 3, 4]);
  assert.deepEqual(list(tfjs.avgPool(x, 1, 2, 1)), [1, 2, 3, 4]);
  // Through the general kernel (a 1x2 filter breaks the shortcut) the first window is empty: NaN.
  const [general] = runTf([nhwc([2, 2, 1], [1, 2, 3, 4])], (t) => tf.avgPool(t as never, [1, 2], 2, 1));
  assert.ok(Number.isNaN(list(general!)[0]));
});

test("TF.js's 3-D max gradient misplaces dy when the filter's height and width differ", () => {
  // maxPool3dPositions flattens (row, col) as row * filterHeight + col, MaxPool3DGrad as
  // row * filterWidth + col. Filter [1, 3, 1] over a column of 3: the max (row 1) is stored as
  // position 3, which no tap matches, so dy vanishes.
  const x = nhwc([1, 1, 3, 1, 1], [1, 5, 2]);
  const dy = nhwc([1, 1, 1, 1, 1], [10]);
  assert.deepEqual(list(gradTf(x, dy, (t) => tf.maxPool3d(t as never, [1, 3, 1], 1, 'valid'))), [0, 0, 0]);
  assert.deepEqual(list(tfjs.maxPool3dGrad(dy, x, [1, 3, 1], 1, 'valid')), [0, 10, 0]);
  // Filter [1, 2, 3] over 2x3: the max at (1, 0) is stored as 1 * 2 + 0 = 2 and read back as (0, 2).
  const x2 = nhwc([1, 1, 2, 3, 1], [0, 1, 2, 9, 3, 4]);
  assert.deepEqual(list(gradTf(x2, dy, (t) => tf.maxPool3d(t as never, [1, 2, 3], 1, 'valid'))), [0, 0, 10, 0, 0, 0]);
  assert.deepEqual(list(tfjs.maxPool3dGrad(dy, x2, [1, 2, 3], 1, 'valid')), [0, 0, 0, 10, 0, 0]);
});

test('TF.js averages an empty window to NaN in 2-D but to 0 in 3-D', () => {
  // Filter 1, pad 1 on a single element: every window but the centre lies in the padding.
  const [twoD] = runTf([nhwc([1, 1, 1, 1], [5])], (t) => tf.avgPool(t as never, 1, 1, 1, 'floor'));
  const [threeD] = runTf([nhwc([1, 1, 1, 1, 1], [5])], (t) => tf.avgPool3d(t as never, 1, 1, 1));
  assert.deepEqual(twoD!.shape, [1, 3, 3, 1]);
  assert.deepEqual(list(twoD!), [NaN, NaN, NaN, NaN, 5, NaN, NaN, NaN, NaN]);
  assert.deepEqual(threeD!.shape, [1, 3, 3, 3, 1]);
  assert.deepEqual(list(threeD!), range(27).map((i) => (i === 13 ? 5 : 0)));
});

test("TF.js's 3-D 'same' does not clamp a negative total pad; the dialect declines it", () => {
  // Depth 6, filter 1, stride 3: (2 - 1) * 3 + 1 - 6 = -2. The 2-D 'same' clamps it to 0 (windows
  // at 0 and 3); the 3-D one begins at -1 and so reads 1 and 4.
  const x = nhwc([1, 6, 1, 1, 1], [10, 11, 12, 13, 14, 15]);
  const [threeD] = runTf([x], (t) => tf.maxPool3d(t as never, 1, [3, 1, 1], 'same'));
  assert.deepEqual(list(threeD!), [11, 14]);
  const [twoD] = runTf([nhwc([1, 6, 1, 1], [10, 11, 12, 13, 14, 15])], (t) => tf.maxPool(t as never, 1, [3, 1], 'same'));
  assert.deepEqual(list(twoD!), [10, 13]);
  throwsCode(() => tfjs.maxPool3d(x, 1, [3, 1, 1], 'same'), 'UNSUPPORTED_OPTION');
});

test('tf.pool with dilations drops a numeric pad and takes the max over the zeros it pads with', () => {
  const x = nhwc([1, 4, 4, 1], range(16).map((v) => -1 - v));
  // A numeric pad of 1 is silently dropped: the result equals pad 'valid'.
  const [padded] = runTf([x], (t) => tf.pool(t as never, 2, 'avg', 1, 2));
  const [valid] = runTf([x], (t) => tf.pool(t as never, 2, 'avg', 'valid', 2));
  assert.deepEqual(padded!.shape, [1, 2, 2, 1]);
  assert.deepEqual(list(padded!), list(valid!));
  assert.deepEqual(list(tfjs.pool(x, 2, 'avg', 1, 2)), list(padded!));
  // 'same' with dilation 2 (effective filter 3, pads 1+1) pads with zeros that the max sees: of
  // this all-negative input, every output whose taps touch the padding is 0; only the four
  // windows with taps at rows and columns {0, 2} or {1, 3} stay inside. The definition never
  // pools padding.
  const [same] = runTf([x], (t) => tf.pool(t as never, 2, 'max', 'same', 2));
  assert.deepEqual(list(same!), [0, 0, 0, 0, 0, -1, -2, 0, 0, -5, -6, 0, 0, 0, 0, 0]);
  throwsCode(() => tfjs.pool(x, 2, 'max', 'same', 2), 'UNSUPPORTED_OPTION');
  const defined = maxPool(x, { kernel: 2, dilation: 2, padding: 'same', layout: 'channels-last' });
  assert.ok(list(defined).every((v) => v < 0));
});

test('a window larger than the input: TF.js returns an empty tensor where the size is 0 and throws where it is negative; the dialect does both', () => {
  const x2 = ones([1, 3, 5, 1]);
  const x3 = ones([1, 2, 3, 4, 1]);
  const cases: [string, (t: never) => unknown, () => { shape: readonly number[] }, { shape: number[]; data: Float32Array }][] = [
    ['avgPool valid', (t) => tf.avgPool(t, [4, 2], 1, 'valid'), () => tfjs.avgPool(x2, [4, 2], 1, 'valid'), x2],
    ['maxPool pad 0', (t) => tf.maxPool(t, [4, 2], 1, 0), () => tfjs.maxPool(x2, [4, 2], 1, 0), x2],
    ['pool max valid', (t) => tf.pool(t, [4, 2], 'max', 'valid'), () => tfjs.pool(x2, [4, 2], 'max', 'valid'), x2],
    ['pool avg dilated', (t) => tf.pool(t, [3, 1], 'avg', 'valid', [2, 1]), () => tfjs.pool(x2, [3, 1], 'avg', 'valid', [2, 1]), x2],
    ['avgPool3d valid', (t) => tf.avgPool3d(t, [3, 2, 2], 1, 'valid'), () => tfjs.avgPool3d(x3, [3, 2, 2], 1, 'valid'), x3],
    ['maxPool3d pad 0', (t) => tf.maxPool3d(t, [9, 1, 1], 1, 0), () => tfjs.maxPool3d(x3, [9, 1, 1], 1, 0), x3],
  ];
  for (const [name, peerCall, ours, x] of cases) {
    const [peer] = runTf([x], (t) => peerCall(t as never) as never);
    assert.equal(peer!.data.length, 0, name);
    assert.deepEqual(ours().shape, peer!.shape, name);
  }
  // Negative sizes: k=5 on 3 rows, and the dilated filter 3 on ceil(2 / 2) = 1 row.
  assert.throws(() => runTf([x2], (t) => tf.avgPool(t as never, [5, 1], 1, 'valid')));
  throwsCode(() => tfjs.avgPool(x2, [5, 1], 1, 'valid'), 'OUTPUT_EMPTY');
  const x2rows = ones([1, 2, 5, 1]);
  assert.throws(() => runTf([x2rows], (t) => tf.pool(t as never, [3, 1], 'avg', 'valid', [2, 1])));
  throwsCode(() => tfjs.pool(x2rows, [3, 1], 'avg', 'valid', [2, 1]), 'OUTPUT_EMPTY');
  // The gradient of an empty output is all zeros in TF.js and in the dialect.
  const dy = nhwc([1, 0, 4, 1], []);
  assert.deepEqual(list(gradTf(x2, dy, (t) => tf.avgPool(t as never, [4, 2], 1, 'valid'))), new Array(15).fill(0));
  assert.deepEqual(list(tfjs.avgPoolGrad(dy, x2, [4, 2], 1, 'valid')), new Array(15).fill(0));
});
