/**
 * Float32 channels-first averages of 9 taps or more with unit tap steps (wasm avg_running_cf_f32,
 * JS running-average.ts): running sums on planes where they are exact, split sums (every window a
 * block's tail plus the next block's head) on the others. Each map goes twice: as drawn (values in
 * [-1, 1): exact running sums) and 'wide' (positive, with a value of 2^-100 in every plane, which
 * no float64 running sum keeps exact: split sums). Against the reference within 1 ulp, zeros with
 * the reference's sign, on the edges of the schemes: windows as long as a block or one shorter
 * (adaptive bins), clipped windows, blocks that do not divide the map, odd and single rows (the
 * wasm kernel reads rows in pairs), width strides above 1, depth windows, empty windows (ONNX
 * pads), NaN and infinities.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { windowsOf } from '../../src/plan/plan.js';
import { withReducer } from '../helpers/plans.js';
import {
  adaptiveAvgPool,
  avgPool,
  init,
  observeRuns,
  runOnnxNode,
  type AdaptiveOptions,
  type AvgPoolOptions,
  type PoolPlan,
  type Tensor,
} from '../../src/index.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import { compareToReference, fits, pooledInPlace, randomTensor, rng, type Random } from './compare.js';

/**
 * Windows of 9 taps or more over height and width, and height + 2 * width above 16 taps or strides
 * above 1: what the wasm backend does not take rows first.
 */
const WINDOWS: AvgPoolOptions[] = [
  { kernel: [5, 7], stride: 1 },
  { kernel: [7, 5], stride: 1, padding: [3, 1] },
  { kernel: [9, 9], stride: 1, padding: 4, countIncludePad: true },
  { kernel: [6, 6], stride: 1, padding: [3, 2], ceilMode: true },
  { kernel: [5, 6], stride: [1, 2], padding: [2, 3] },
  { kernel: [5, 5], stride: [2, 1], padding: 1, divisorOverride: 3 },
  { kernel: [11, 3], stride: 1, padding: [5, 1], countIncludePad: true },
  { kernel: [2, 13], stride: 1 },
];

const SHAPES = [
  [1, 2, 9, 17],
  [2, 1, 14, 16],
  [1, 3, 13, 31],
  [1, 2, 7, 40],
];

/** A NaN, +Infinity, -Infinity, both infinities and all -0 in some planes; the rest as drawn. */
function plant(r: Random, x: Tensor, planeSize: number): void {
  for (let p = 0; p < x.data.length / planeSize; p++) {
    const at = (i: number) => p * planeSize + i;
    const kind = p % 5;
    if (kind === 0) x.data[at(r.int(0, planeSize - 1))] = NaN;
    if (kind === 1) x.data[at(r.int(0, planeSize - 1))] = Infinity;
    if (kind === 2) {
      x.data[at(r.int(0, planeSize - 1))] = Infinity;
      x.data[at(r.int(0, planeSize - 1))] = -Infinity;
    }
    if (kind === 3) x.data.fill(-0, at(0), at(planeSize));
  }
}

/** Where the reference has a zero, the same zero: its sums start at +0, so taps of -0 give +0. */
function assertSameZeros(got: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === 0 && !Object.is(got[i], expected[i])) assert.fail(`${label}: element ${i} is ${got[i]}, the reference ${expected[i]}`);
  }
}


/** `x` made positive (same-sign sums: no cancellation) with 2^-100 in every plane of `planeSize`. */
function wide(x: Tensor, planeSize: number): Tensor {
  const data = x.data.map((v) => 0.5 + Math.abs(v));
  for (let p = 0; p < data.length; p += planeSize) data[p + ((p / planeSize) % planeSize)] = 2 ** -100;
  return { shape: x.shape, data };
}

/** wasm (avgPool and poolInto) and js against the reference, on `x` as drawn and made wide. */
function check(drawn: Tensor, run: (x: Tensor, backend: string) => Tensor, label: string): void {
  const planeSize = drawn.shape.slice(2).reduce((p, d) => p * d, 1);
  for (const [x, kind] of [[drawn, 'drawn'], [wide(drawn, planeSize), 'wide']] as const) {
    checkOne(x, (backend) => run(x, backend), `${label}, ${kind}`);
  }
}

function checkOne(x: Tensor, run: (backend: string) => Tensor, label: string): void {
  const expected = run('reference');
  for (const backend of ['wasm', 'js']) {
    const observed = observeRuns(() => run(backend));
    assert.equal(observed.runs[0]!.backend, backend, label);
    compareToReference(observed.result, expected, `${label} [${backend}]`);
    assertSameZeros(observed.result.data, expected.data, `${label} [${backend}]`);
    if (backend === 'wasm') {
      const inPlace = pooledInPlace(observed.runs[0]!.plan, x);
      assert.deepEqual([...inPlace.data].map(String), [...observed.result.data].map(String), `${label}: poolInto and avgPool`);
    }
  }
}

test('split sums in 2-D: within 1 ulp of the reference on every divisor rule, clipped window and block edge', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(41);
  for (const shape of SHAPES) {
    const x = randomTensor(r, shape, 'float32');
    for (const options of WINDOWS) {
      if (fits(shape, options)) check(x, (x, backend) => avgPool(x, { ...options, backend }), `${JSON.stringify(options)} on ${shape.join('x')}`);
    }
  }
});

test('split sums: NaN and the infinities reach only their windows, -0 windows give +0', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(42);
  for (const shape of [[1, 10, 11, 19], [1, 5, 6, 12]]) {
    const x = randomTensor(r, shape, 'float32');
    plant(r, x, shape[2]! * shape[3]!);
    for (const options of WINDOWS.slice(0, 4)) {
      if (fits(shape, options)) check(x, (x, backend) => avgPool(x, { ...options, backend }), `planted ${JSON.stringify(options)} on ${shape.join('x')}`);
    }
  }
});

test('split sums of 1-D planes, single rows and maps lower than the window', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(43);
  const row = randomTensor(r, [2, 3, 45], 'float32');
  for (const options of [{ kernel: [9], stride: 1 }, { kernel: [17], stride: 1, padding: 8 }, { kernel: [10], stride: 1, padding: 5, countIncludePad: true, ceilMode: true }]) {
    check(row, (x, backend) => avgPool(x, { ...options, backend }), `1-D ${JSON.stringify(options)}`);
  }
  for (const shape of [[1, 2, 1, 30], [1, 2, 2, 30], [1, 2, 3, 30]]) {
    const x = randomTensor(r, shape, 'float32');
    const options = { kernel: [5, 9], stride: 1, padding: [2, 4] };
    check(x, (x, backend) => avgPool(x, { ...options, backend }), `${shape.join('x')} ${JSON.stringify(options)}`);
  }
});

test('split sums in 3-D: depth windows add their slices', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(44);
  const x = randomTensor(r, [1, 2, 5, 9, 11], 'float32');
  plant(r, x, 9 * 11);
  for (const options of [{ kernel: [3, 3, 3], stride: 1, padding: 1 }, { kernel: [2, 5, 7], stride: 1 }, { kernel: [4, 3, 5], stride: [2, 1, 1], padding: [2, 1, 2], countIncludePad: true }]) {
    check(x, (x, backend) => avgPool(x, { ...options, backend }), `3-D ${JSON.stringify(options)}`);
  }
});

test('split sums of adaptive bins (one shorter than the longest, overlapping)', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(45);
  const x = randomTensor(r, [1, 3, 23, 37], 'float32');
  for (const outputSize of [[3, 4], [5, 2], [7, 7], [2, 11]]) {
    const options: AdaptiveOptions = { outputSize };
    check(x, (x, backend) => adaptiveAvgPool(x, { ...options, backend }), `adaptive ${outputSize.join('x')}`);
  }
});

test('split sums: windows wholly in the padding (ONNX pads) give 0, or NaN under the TF.js rule', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(46);
  const host = wide(randomTensor(r, [1, 2, 4, 7], 'float32'), 28);
  for (const countIncludePad of [0, 1]) {
    const attrs = { kernel_shape: [5, 7], pads: [6, 8, 5, 9], count_include_pad: countIncludePad };
    const plan = observeRuns(() => runOnnxNode('AveragePool', attrs, [host])).runs[0]!.plan;
    assert.ok(windowsOf(plan).every((w) => w.count.includes(0)), 'some windows are empty on both axes');
    for (const emptyWindow of ['zero', 'nan'] as const) {
      const variant = withReducer(plan, { ...(plan.reducer as Extract<PoolPlan['reducer'], { op: 'avg' }>), emptyWindow });
      const expected = { shape: variant.outputShape, data: referenceForward(variant, host).y };
      const label = `ONNX pads, count_include_pad ${countIncludePad}, empty ${emptyWindow}`;
      const got = pooledInPlace(variant, host);
      compareToReference(got, expected, label);
      assertSameZeros(got.data, expected.data, label);
    }
  }
});
