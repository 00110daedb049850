/**
 * The wasm column-sums kernel (avg_running_cf_f32 on 2-D planes whose running sums are exact):
 * float64 column sums carried from one output row to the next, width windows as differences of
 * their prefix sums. Planes of values on a grid of 2^-24 of one sign take the row leaving from the
 * row entering in float32 (exact there); the same grid with both signs may not (a difference can
 * need 25 bits), nor may values as drawn. Windows whose divisor is a power of two give the
 * reference's bits exactly (the sums are exact and so is the scaling), so a float32 difference that
 * rounded would show; the others are checked within 1 ulp. Widths around the eight-column step,
 * padding on every side, ceil mode, both divisor rules, overrides, height strides that skip rows,
 * adaptive bins that repeat, windows wholly in the padding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool,
  avgPool,
  init,
  observeRuns,
  runOnnxNode,
  type AvgPoolOptions,
  type PoolPlan,
  type Tensor,
} from '../../src/index.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import { withReducer } from '../helpers/plans.js';
import { assertSameBits } from '../helpers/ulp.js';
import { compareToReference, fits, pooledInPlace, randomTensor, rng, type Random } from './compare.js';

type Values = 'grid, positive' | 'grid, negative' | 'grid, both signs' | 'grid of 2^-23, both signs' | 'drawn';
const VALUES: Values[] = ['grid, positive', 'grid, negative', 'grid, both signs', 'grid of 2^-23, both signs', 'drawn'];

function valuesOf(r: Random, shape: readonly number[], kind: Values): Tensor {
  if (kind === 'drawn') return randomTensor(r, shape, 'float32');
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  const bits = kind === 'grid of 2^-23, both signs' ? 23 : 24;
  for (let i = 0; i < data.length; i++) {
    const k = r.int(0, 2 ** bits - 1);
    const sign = kind === 'grid, negative' || (kind !== 'grid, positive' && r.next() < 0.5) ? -1 : 1;
    data[i] = (sign * k) / 2 ** bits;
  }
  return { shape, data };
}

/** Every window divided by a power of two: exact sums give the reference's bits. */
const EXACT_WINDOWS: AvgPoolOptions[] = [
  { kernel: [8, 8], stride: 1 },
  { kernel: [8, 8], stride: 1, padding: 3, countIncludePad: true },
  { kernel: [2, 16], stride: 1, padding: [1, 7], countIncludePad: true, ceilMode: true },
  { kernel: [16, 1], stride: 1 },
  { kernel: [5, 7], stride: [1, 2], padding: 2, divisorOverride: 32 },
  { kernel: [7, 5], stride: [2, 1], padding: [3, 0], divisorOverride: 64 },
  { kernel: [3, 5], stride: [4, 1], padding: [0, 2], divisorOverride: 16 },
];

/** Padding not counted, clipped windows, ceil mode: within 1 ulp. */
const OTHER_WINDOWS: AvgPoolOptions[] = [
  { kernel: [7, 7], stride: 1, padding: 3 },
  { kernel: [6, 9], stride: 1, padding: [2, 4], ceilMode: true },
  { kernel: [9, 3], stride: [3, 1], padding: [4, 1], ceilMode: true },
  { kernel: [5, 5], stride: 1, padding: [2, 1], countIncludePad: true },
];

const SHAPES = [
  [1, 3, 20, 21],
  [2, 2, 9, 8],
  [1, 2, 33, 47],
  [1, 1, 64, 13],
  [1, 2, 18, 1],
  [1, 1, 17, 9],
];


/** avgPool on wasm and poolInto against the reference: the same bits (`exact`) or within 1 ulp. */
function check(x: Tensor, run: (backend: string) => Tensor, exact: boolean, label: string): void {
  const expected = run('reference');
  const observed = observeRuns(() => run('wasm'));
  assert.equal(observed.runs[0]!.backend, 'wasm', label);
  if (exact) assertSameBits(observed.result.data, expected.data, label);
  else compareToReference(observed.result, expected, label);
  assertSameBits(pooledInPlace(observed.runs[0]!.plan, x).data, observed.result.data, `${label}: poolInto and avgPool`);
}

/** Every window of `windows` that fits, on every shape and kind of values. */
function checkWindows(seed: number, windows: AvgPoolOptions[], exact: boolean): void {
  const r = rng(seed);
  for (const shape of SHAPES) {
    for (const kind of VALUES) {
      const x = valuesOf(r, shape, kind);
      for (const options of windows) {
        if (fits(shape, options)) check(x, (backend) => avgPool(x, { ...options, backend }), exact, `${kind}, ${JSON.stringify(options)} on ${shape.join('x')}`);
      }
    }
  }
}

test('column sums: windows over a power of two give the reference bits on every kind of values', async () => {
  assert.equal((await init()).wasm, true);
  // Values as drawn have fine bits, but float64 holds their window sums (the plane passed the
  // running-sum test), so a power-of-two scaling is exact for them too.
  checkWindows(61, EXACT_WINDOWS, true);
});

test('column sums: padding not counted, ceil mode and height strides within 1 ulp', async () => {
  assert.equal((await init()).wasm, true);
  checkWindows(62, OTHER_WINDOWS, false);
});

test('column sums: adaptive bins, repeated and overlapping, within 1 ulp', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(63);
  for (const kind of VALUES) {
    const x = valuesOf(r, [1, 2, 12, 40], kind);
    for (const outputSize of [[20, 3], [5, 4], [12, 2], [3, 40]]) {
      check(x, (backend) => adaptiveAvgPool(x, { outputSize, backend }), false, `${kind}, adaptive ${outputSize.join('x')}`);
    }
  }
});

test('column sums: windows wholly in the padding (ONNX pads) give 0, or NaN under the TF.js rule', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(64);
  for (const kind of ['grid, positive', 'grid, both signs'] as const) {
    const host = valuesOf(r, [1, 2, 4, 11], kind);
    for (const countIncludePad of [0, 1]) {
      const attrs = { kernel_shape: [5, 7], pads: [6, 8, 5, 9], count_include_pad: countIncludePad };
      const plan = observeRuns(() => runOnnxNode('AveragePool', attrs, [host])).runs[0]!.plan;
      for (const emptyWindow of ['zero', 'nan'] as const) {
        const variant = withReducer(plan, { ...(plan.reducer as Extract<PoolPlan['reducer'], { op: 'avg' }>), emptyWindow });
        const expected = { shape: variant.outputShape, data: referenceForward(variant, host).y };
        const label = `${kind}, ONNX pads, count_include_pad ${countIncludePad}, empty ${emptyWindow}`;
        compareToReference(pooledInPlace(variant, host), expected, label);
      }
    }
  }
});
