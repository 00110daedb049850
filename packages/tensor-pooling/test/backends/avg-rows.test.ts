/**
 * The wasm float32 average of 2-D and 1-D channels-first planes with stride 1 and small windows,
 * rows first (each input row's width-window sums once in float64, a ring of them as tall as the
 * height window, each output row over its ring rows times a reciprocal), against the reference
 * within 1 ulp, through avgPool with backend 'wasm' and through poolInto: every divisor rule, edge
 * windows (the in-bounds taps only), widths around the four-output groups and below four, maps
 * smaller than the kernel, empty windows (ONNX pads), NaN and both infinities, signed zeros, and
 * values near 1000 in a large map. Divisors that are powers of two must give the same bits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withReducer } from '../helpers/plans.js';
import { windowsOf } from '../../src/plan/plan.js';
import {
  avgPool,
  init,
  observeRuns,
  planAvgPool,
  runOnnxNode,
  type AvgPoolOptions,
  type PoolPlan,
  type Tensor,
} from '../../src/index.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import { compareToReference, fits, pooledInPlace, randomTensor, rng, type Random } from './compare.js';

/**
 * Unit strides, windows of fewer than 9 taps or of height + 2 * width <= 15 taps: what the
 * rows-first kernel takes (widths 2 and 3 and other widths take different paths).
 */
const WINDOWS: AvgPoolOptions[] = [
  { kernel: 3, stride: 1, padding: 1 },
  { kernel: 3, stride: 1, padding: 1, countIncludePad: true },
  { kernel: 3, stride: 1, padding: 1, divisorOverride: 7 },
  { kernel: 3, stride: 1 },
  { kernel: 2, stride: 1, padding: 1 },
  { kernel: [3, 5], stride: 1, padding: [1, 2] },
  { kernel: 5, stride: 1, padding: 2, countIncludePad: true },
  { kernel: [2, 4], stride: 1, padding: [1, 2], ceilMode: true, countIncludePad: true },
  { kernel: [1, 3], stride: 1, padding: [0, 1] },
  { kernel: [4, 1], stride: 1, padding: [2, 0] },
  { kernel: [7, 3], stride: 1, padding: [3, 1] },
  { kernel: [1, 7], stride: 1, padding: [0, 3], countIncludePad: true },
];

/** Widths not a multiple of four, widths 1 to 3, a map lower than the kernels. */
const SHAPES = [
  [2, 3, 9, 17],
  [1, 4, 12, 16],
  [1, 3, 7, 1],
  [1, 3, 6, 2],
  [1, 3, 5, 3],
  [1, 3, 2, 11],
  [1, 2, 8, 5],
];

/**
 * Per plane: a NaN in a corner, a NaN inside, a row of NaN, +Infinity, -Infinity, both
 * infinities in one window (their sum is NaN), all -0 (the reference's sums start at +0), the
 * rest as drawn.
 */
function plant(r: Random, x: Tensor): void {
  const [h, w] = x.shape.slice(-2) as [number, number];
  const size = h * w;
  for (let p = 0; p < x.data.length / size; p++) {
    const at = (i: number) => p * size + i;
    const kind = p % 8;
    if (kind === 0) x.data[at(r.pick([0, w - 1, size - w, size - 1]))] = NaN;
    if (kind === 1) x.data[at(Math.floor(h / 2) * w + Math.floor(w / 2))] = NaN;
    if (kind === 2) x.data.fill(NaN, at(Math.floor(h / 3) * w), at(Math.floor(h / 3) * w + w));
    if (kind === 3) x.data[at(r.int(0, size - 1))] = Infinity;
    if (kind === 4) x.data[at(r.int(0, size - 1))] = -Infinity;
    if (kind === 5) {
      x.data[at(0)] = Infinity;
      x.data[at(size - 1)] = -Infinity;
      x.data[at(Math.min(1, size - 1))] = -Infinity;
    }
    if (kind === 6) x.data.fill(-0, at(0), at(size));
  }
}

const shown = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

/**
 * The same bits as the reference (any NaN for NaN) at every element, or with `zerosOnly` where the
 * reference has a zero (its sums start at +0: taps of -0 give +0 whatever the divisor).
 */
function assertSameBits(got: ArrayLike<number>, expected: ArrayLike<number>, label: string, zerosOnly = false): void {
  assert.equal(got.length, expected.length, `length ${label}`);
  for (let i = 0; i < expected.length; i++) {
    const a = got[i]!;
    const b = expected[i]!;
    if ((zerosOnly && b !== 0) || Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    assert.fail(`${label}: element ${i} is ${shown(a)}, the reference ${shown(b)}`);
  }
}

/** Every divisor of the plan is a power of two: multiplying by the reciprocal is then exact. */
function powerOfTwoDivisors(plan: PoolPlan): boolean {
  const r = plan.reducer;
  if (r.op !== 'avg') return false;
  if (typeof r.divisor === 'number') return Number.isInteger(Math.log2(Math.abs(r.divisor)));
  const counts = windowsOf(plan).map((w) => [...(r.divisor === 'valid' ? w.count : w.padded)]);
  return counts.every((c) => c.every((n) => n === 0 || Number.isInteger(Math.log2(n))));
}


/** avgPool on wasm and poolInto against the reference: within 1 ulp, the same bits for power-of-two divisors. */
function check(x: Tensor, options: AvgPoolOptions, label: string): void {
  const expected = avgPool(x, { ...options, backend: 'reference' });
  const got = avgPool(x, { ...options, backend: 'wasm' });
  compareToReference(got, expected, label);
  const plan = planAvgPool(x.shape, options);
  const inPlace = pooledInPlace(plan, x);
  compareToReference(inPlace, expected, `${label} (poolInto)`);
  assertSameBits(got.data, expected.data, `${label}: zeros`, true);
  // One kernel, deterministic: both paths give the same bits.
  assertSameBits(inPlace.data, got.data, `${label}: poolInto and avgPool`);
  if (powerOfTwoDivisors(plan)) assertSameBits(got.data, expected.data, `${label}: power-of-two divisors`);
}

test('avg rows first, stride 1, small windows: within 1 ulp of the reference on every divisor rule and edge', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(31);
  for (const shape of SHAPES) {
    const x = randomTensor(r, shape, 'float32');
    for (const options of WINDOWS) {
      if (fits(shape, options)) check(x, options, `${JSON.stringify(options)} on ${shape.join('x')}`);
    }
  }
});

test('avg rows first: NaN, both infinities and signed zeros come out as the reference sums them', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(32);
  for (const shape of [[1, 8, 9, 13], [1, 8, 4, 3], [1, 8, 6, 1]]) {
    const x = randomTensor(r, shape, 'float32');
    plant(r, x);
    for (const options of [WINDOWS[0]!, WINDOWS[4]!, WINDOWS[5]!, WINDOWS[10]!, WINDOWS[11]!]) {
      if (fits(shape, options)) check(x, options, `planted ${JSON.stringify(options)} on ${shape.join('x')}`);
    }
  }
});

test('avg rows first of 1-D planes (width only) agrees with the reference', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(33);
  const x = randomTensor(r, [2, 3, 23], 'float32');
  for (const options of [{ kernel: [3], stride: 1, padding: 1 }, { kernel: [2], stride: 1 }, { kernel: [6], stride: 1, padding: 3, countIncludePad: true }]) {
    check(x, options, `1-D ${JSON.stringify(options)}`);
  }
});

test('avg rows first of values near 1000 in a 112x112 map: within 1 ulp (the float64 sums stay exact)', async () => {
  assert.equal((await init()).wasm, true);
  const x = randomTensor(rng(34), [1, 2, 112, 112], 'float32', 1000);
  check(x, { kernel: 3, stride: 1, padding: 1 }, 'near 1000, k3 p1');
  check(x, { kernel: 5, stride: 1, padding: 2, countIncludePad: true }, 'near 1000, k5 p2 padded');
});

test('avg rows first: windows wholly in the padding (ONNX pads) give 0, or NaN under the TF.js rule', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(35);
  const host = randomTensor(r, [1, 2, 3, 6], 'float32');
  plant(r, host);
  for (const countIncludePad of [0, 1]) {
    const attrs = { kernel_shape: [2, 3], pads: [2, 3, 3, 4], count_include_pad: countIncludePad };
    const observed = observeRuns(() => runOnnxNode('AveragePool', attrs, [host]));
    const plan = observed.runs[0]!.plan;
    assert.ok(windowsOf(plan).some((w) => w.count.includes(0)), 'some windows are empty');
    for (const emptyWindow of ['zero', 'nan'] as const) {
      const variant = withReducer(plan, { ...(plan.reducer as Extract<PoolPlan['reducer'], { op: 'avg' }>), emptyWindow });
      const expected = referenceForward(variant, host).y;
      const got = pooledInPlace(variant, host);
      const label = `ONNX pads, count_include_pad ${countIncludePad}, empty ${emptyWindow}`;
      compareToReference(got, { shape: variant.outputShape, data: expected }, label);
      assertSameBits(got.data, expected, `${label}: zeros`, true);
    }
  }
});
