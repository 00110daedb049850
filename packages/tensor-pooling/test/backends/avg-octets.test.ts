/**
 * The wasm float32 average of 2x2x2 tiles (kernel 2, stride 2 on depth, height and width, nothing
 * padded or left over), which runs the planes as slabs of two depth slices in bands of output
 * rows, against the reference bit for bit (divisor 8, and overrides that are powers of two, scale
 * exactly): through the op, through poolInto and split over two workers; odd and even plane
 * counts, widths around the four-lane groups (W = 10, 18, 64), slices wider than one band, signed
 * zeros, NaN, both infinities. Values whose float64 sums depend on their order against the order
 * the 3-D pair kernel adds in (pair, then height, then depth, scaled by 1/divisor): the same bits
 * as before the 2x2x2 kernel, a divisor of 3 included. And the near-misses (odd depth, padding,
 * ceil mode, stride 1) that take other kernels and still agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocWasmTensor, avgPool, init, observeRuns, planAvgPool, poolInto, startWorkers, toWasmTensor, type Tensor } from '../../src/index.js';
import { compareToReference, randomTensor, rng, type Random } from './compare.js';
import { assertSameBits } from '../helpers/ulp.js';

/**
 * Whole 2x2x2 tilings, N x C x D x H x W: slices in one band, then slices in bands of 3 output
 * rows (35 rows: two left over) and of 1 row (2048 wide).
 */
const SHAPES = [
  [1, 1, 2, 2, 2],
  [2, 3, 4, 6, 10],
  [1, 5, 2, 4, 18],
  [3, 1, 6, 2, 64],
  [1, 2, 4, 8, 64],
  [2, 1, 2, 2, 8],
  [1, 2, 2, 70, 130],
  [1, 1, 2, 8, 2048],
];

/** Special values in some windows of each plane: all -0, a mix of zeros, NaN, infinities. */
function plant(r: Random, x: Tensor): void {
  const n = x.data.length;
  for (let i = 0; i < n; i++) {
    const kind = r.int(0, 40);
    if (kind === 0) x.data[i] = -0;
    if (kind === 1) x.data[i] = NaN;
    if (kind === 2) x.data[i] = r.pick([Infinity, -Infinity]);
  }
  // The first tile of each plane: all -0 (a +0 mean, as the reference's), or a mix of zeros.
  const [, , D, H, W] = x.shape as [number, number, number, number, number];
  for (let p = 0; p < n / (D * H * W); p++) {
    for (const d of [0, 1]) for (const h of [0, 1]) for (const w of [0, 1]) {
      x.data[((p * D + d) * H + h) * W + w] = p % 2 ? -0 : r.pick([0, -0]);
    }
  }
}

/**
 * Float32 values of 2^-8..2^8 and both signs, a third of them +-2^40: a float64 sum holding a
 * 2^40 keeps the small values only to 2^-12, and the 2^40s cancel in many windows, so the mean's
 * float32 bits depend on the order of the additions.
 */
function orderSensitive(r: Random, shape: readonly number[]): Tensor {
  const length = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(length).map(() => (r.int(0, 2) === 0 ? r.pick([-1, 1]) * 2 ** 40 : (r.next() * 2 - 1) * 2 ** r.int(-8, 8)));
  return { shape, data };
}

/** The 3-D pair kernel's arithmetic: each row's pair, rows of a depth by height, depths in order; times 1/divisor. */
function pairOrder(x: Tensor, divisor: number): Float32Array {
  const [N, C, D, H, W] = x.shape as [number, number, number, number, number];
  const [OD, OH, OW] = [D / 2, H / 2, W / 2];
  const y = new Float32Array(N * C * OD * OH * OW);
  const reciprocal = 1 / divisor;
  let at = 0;
  for (let p = 0; p < N * C; p++) {
    for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
      let sum = 0;
      for (const d of [0, 1]) for (const h of [0, 1]) {
        const i = ((p * D + 2 * od + d) * H + 2 * oh + h) * W + 2 * ow;
        sum += x.data[i]! + x.data[i + 1]!;
      }
      y[at++] = sum * reciprocal;
    }
  }
  return y;
}

test('avg 2x2x2 tiles equal the reference bit for bit, through the op and poolInto', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(83);
  const optionSets = [{ kernel: 2 }, { kernel: [2, 2, 2], stride: 2, countIncludePad: true }, { kernel: 2, divisorOverride: -0.5 }, { kernel: 2, divisorOverride: 16 }];
  for (const shape of SHAPES) {
    for (const options of optionSets) {
      const x = randomTensor(r, shape, 'float32', 3);
      plant(r, x);
      const label = `${JSON.stringify(options)} on ${shape.join('x')}`;
      const expected = avgPool(x, { ...options, backend: 'reference' });
      const observed = observeRuns(() => avgPool(x, { ...options, backend: 'wasm' }));
      assert.equal(observed.runs[0]?.backend, 'wasm', label);
      assertSameBits(observed.result.data, expected.data, label);
      const resident = toWasmTensor(x);
      const plan = planAvgPool(x.shape, options);
      const out = allocWasmTensor(plan.outputShape);
      poolInto(plan, resident, out);
      assertSameBits(out.data, expected.data, `${label} (poolInto)`);
      resident.free();
      out.free();
    }
  }
});

test('avg 2x2x2 tiles add in the 3-D pair kernel\'s order: the same bits as before, divisor 3 too', async () => {
  await init();
  const r = rng(84);
  for (const shape of SHAPES) {
    for (const divisorOverride of [undefined, 3, -0.5]) {
      const x = orderSensitive(r, shape);
      const options = { kernel: 2, divisorOverride };
      const label = `${JSON.stringify(options)} on ${shape.join('x')}`;
      const got = avgPool(x, { ...options, backend: 'wasm' });
      assertSameBits(got.data, pairOrder(x, divisorOverride ?? 8), label);
      const planted = randomTensor(r, shape, 'float32', 3);
      plant(r, planted);
      compareToReference(avgPool(planted, { ...options, backend: 'wasm' }), avgPool(planted, { ...options, backend: 'reference' }), `${label}: within 1 ulp of the reference`);
    }
  }
});

test('avg 2x2x2 tiles split over two workers: the same bits as one thread', async () => {
  await init();
  assert.ok((await startWorkers(2)) >= 1, 'a worker started');
  const x = toWasmTensor(randomTensor(rng(85), [2, 8, 16, 64, 64], 'float32'));
  const plan = planAvgPool(x.shape, { kernel: 2 });
  const one = allocWasmTensor(plan.outputShape);
  const two = allocWasmTensor(plan.outputShape);
  poolInto(plan, x, one, { threads: 1 });
  const observed = observeRuns(() => poolInto(plan, x, two, { threads: 2 }));
  assert.deepEqual(observed.runs.map((run) => run.backend), ['wasm x2']);
  assertSameBits(two.data, one.data, 'threads 2');
  x.free();
  one.free();
  two.free();
});

test('avg k2 s2 near-misses of the 2x2x2 tiles agree with the reference too', async () => {
  await init();
  const r = rng(86);
  const cases = [
    { shape: [1, 2, 5, 4, 4], options: { kernel: 2 } },
    { shape: [1, 2, 4, 5, 10], options: { kernel: 2 } },
    { shape: [1, 2, 4, 4, 9], options: { kernel: 2 } },
    { shape: [1, 2, 4, 4, 8], options: { kernel: 2, padding: 1 } },
    { shape: [1, 2, 4, 4, 8], options: { kernel: 2, padding: 1, countIncludePad: true, divisorOverride: -0.5 } },
    { shape: [1, 2, 5, 5, 5], options: { kernel: 2, ceilMode: true } },
    { shape: [1, 2, 4, 4, 8], options: { kernel: 2, stride: 1 } },
    { shape: [1, 2, 4, 4, 8], options: { kernel: [2, 2, 2], stride: [1, 2, 2] } },
    { shape: [1, 2, 4, 4, 8], options: { kernel: [1, 2, 2] } },
  ];
  for (const { shape, options } of cases) {
    const x = randomTensor(r, shape, 'float32');
    plant(r, x);
    compareToReference(avgPool(x, { ...options, backend: 'wasm' }), avgPool(x, { ...options, backend: 'reference' }), `${JSON.stringify(options)} on ${shape.join('x')}`);
  }
});
