/**
 * A window's average depends on that window's values alone (issue 11): a huge value anywhere else
 * in the map, a few columns, rows or depth slices away, must not change the bits of a window that
 * does not hold it. Running sums over a whole row, differenced, broke this: `avgPool` of
 * [3e38, 1, 1, ..., 1] with kernel 9 gave 0 instead of 1 for the window of ones. Checked on every
 * backend, on one thread and with `threads: 2` (on workers where the plan is large enough to split).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import {
  adaptiveAvgPool,
  avgPool,
  backendNames,
  init,
  observeRuns,
  startWorkers,
  type AdaptiveOptions,
  type AvgPoolOptions,
  type DType,
  type Layout,
  type Tensor,
} from '../../src/index.js';
import { checkProperty } from '@tensor-pooling/test-kit/compare';
import { propertySeed } from '../helpers/cases.js';
import { Random } from '../helpers/random.js';
import { ulpDistance } from '../helpers/ulp.js';

before(async () => {
  await init();
  await startWorkers(2);
});

type Op = (x: Tensor, choice: { backend: string; threads: number }) => Tensor;

const CHOICES = () => ['auto', ...backendNames()].flatMap((backend) => [1, 2].map((threads) => ({ backend, threads })));

/**
 * Which outputs of `op` have the input position `at` in their window: the reference backend on a
 * map that is 1 there and 0 elsewhere (a window holding it averages to a nonzero value).
 */
function windowsHolding(op: Op, shape: readonly number[], dtype: DType, at: number): boolean[] {
  const length = shape.reduce((p, d) => p * d, 1);
  const indicator = dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  indicator[at] = 1;
  return [...op({ shape, data: indicator }, { backend: 'reference', threads: 1 }).data].map((v) => v !== 0);
}

/**
 * `x` with `hostile` at `at` against `x` itself: every output whose window does not hold `at`
 * has the same bits, on every backend and thread count (and `x`'s averages are within 1 ulp of
 * the reference's, float64 ones its very bits). Returns how many outputs were compared.
 */
function assertWindowsAlone(op: Op, x: Tensor, at: number, hostile: number, label: string): number {
  const dtype: DType = x.data instanceof Float64Array ? 'float64' : 'float32';
  const holding = windowsHolding(op, x.shape, dtype, at);
  const spoiled: Tensor = { shape: x.shape, data: x.data.slice() };
  spoiled.data[at] = hostile;
  const reference = op(x, { backend: 'reference', threads: 1 }).data;
  let compared = 0;
  for (const choice of CHOICES()) {
    const clean = op(x, choice).data;
    for (let i = 0; i < clean.length; i++) {
      // Float64 data is summed tap by tap in the reference's order everywhere: its very bits.
      if (ulpDistance(clean[i]!, reference[i]!, dtype) > (dtype === 'float64' ? 0 : 1)) {
        assert.fail(`${label} [${choice.backend}, threads ${choice.threads}]: output ${i} is ${clean[i]}, the reference ${reference[i]}`);
      }
    }
    const observed = observeRuns(() => op(spoiled, choice));
    const ran = observed.runs.map((run) => run.backend).join(', ');
    const got = observed.result.data;
    for (let i = 0; i < got.length; i++) {
      if (holding[i]) continue;
      compared++;
      if (!Object.is(got[i], clean[i]) && !(Number.isNaN(got[i]) && Number.isNaN(clean[i]))) {
        assert.fail(
          `${label} [${choice.backend}, threads ${choice.threads}, ran ${ran}]: output ${i} does not hold the ${hostile} ` +
            `at ${at} but is ${got[i]} with it and ${clean[i]} without it`,
        );
      }
    }
  }
  return compared;
}

function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const length = shape.reduce((p, d) => p * d, 1);
  return { shape, data: (dtype === 'float64' ? new Float64Array(length) : new Float32Array(length)).fill(1) };
}

const average = (options: AvgPoolOptions): Op => (x, choice) => avgPool(x, { ...options, ...choice });

test('issue 11: [3e38, 1 x 9] with kernel 9 gives 1 for the window of ones on every backend', () => {
  const x: Tensor = { shape: [1, 1, 10], data: Float32Array.from([3e38, 1, 1, 1, 1, 1, 1, 1, 1, 1]) };
  const reference = avgPool(x, { kernel: [9], stride: 1, backend: 'reference' }).data;
  assert.equal(reference[1], 1);
  for (const choice of CHOICES()) {
    const y = avgPool(x, { kernel: [9], stride: 1, ...choice }).data;
    assert.deepEqual([...y], [...reference], `${choice.backend}, threads ${choice.threads}`);
  }
  // The mirror image: the huge value after the window.
  const mirrored: Tensor = { shape: [1, 1, 10], data: x.data.slice().reverse() };
  for (const choice of CHOICES()) {
    assert.equal(avgPool(mirrored, { kernel: [9], stride: 1, ...choice }).data[0], 1, `mirrored, ${choice.backend}, threads ${choice.threads}`);
  }
});

test('2-D: a huge value a few columns or rows away leaves windows of ones at exactly 1', () => {
  // [5, 7] windows are what the running-sum paths took (9 taps or more, too tall for rows first).
  const shape = [1, 1, 12, 40];
  const cases: [string, AvgPoolOptions, number][] = [
    ['a few columns to the left', { kernel: [5, 7], stride: 1 }, 5 * 40 + 3],
    ['a few columns to the right', { kernel: [5, 7], stride: 1 }, 5 * 40 + 36],
    ['rows above', { kernel: [5, 7], stride: 1 }, 0 * 40 + 20],
    ['rows below', { kernel: [5, 7], stride: 1 }, 11 * 40 + 20],
    ['padded windows, padding not counted', { kernel: [5, 9], stride: 1, padding: [2, 4] }, 1 * 40 + 2],
    ['padded windows, padding counted', { kernel: [5, 9], stride: 1, padding: [2, 4], countIncludePad: true }, 10 * 40 + 37],
    ['31 x 31 box filter', { kernel: [9, 31], stride: 1 }, 6 * 40 + 0],
  ];
  for (const [label, options, at] of cases) {
    for (const hostile of [3e38, -3e38]) {
      const compared = assertWindowsAlone(average(options), ones(shape), at, hostile, `${label}, ${hostile}`);
      assert.ok(compared > 0, `${label}: some windows do not hold the value`);
    }
  }
});

test('3-D: a huge value in another depth slice, or rows away in the same one, leaves windows of ones alone', () => {
  const shape = [1, 1, 4, 10, 12];
  const slice = 10 * 12;
  const options = { kernel: [2, 5, 7], stride: 1 };
  for (const [label, at] of [
    ['another depth slice', 0 * slice + 4 * 12 + 6],
    ['rows away in the same slice', 2 * slice + 0 * 12 + 6],
    ['columns away in the same slice', 3 * slice + 7 * 12 + 0],
  ] as const) {
    for (const hostile of [3e38, -3e38]) assertWindowsAlone(average(options), ones(shape), at, hostile, `${label}, ${hostile}`);
  }
});

test('split over two workers: a huge value in one band of rows leaves the other band at exactly 1', () => {
  // Large enough that threads: 2 cuts the single plane into bands of output rows.
  const side = 640;
  const x = ones([1, 1, side, side]);
  x.data[3 * side + 100] = 3e38;
  for (const backend of ['js', 'wasm']) {
    const observed = observeRuns(() => avgPool(x, { kernel: [31, 31], stride: 1, backend, threads: 2 }));
    assert.deepEqual(observed.runs.map((run) => run.backend), [`${backend} x2`], `${backend}: a split run`);
    const y = observed.result.data;
    const ow = side - 30;
    for (let h = 4; h < ow; h++) {
      for (let o = 0; o < ow; o++) {
        if (y[h * ow + o] !== 1) assert.fail(`${backend}: output (${h}, ${o}) is ${y[h * ow + o]}, its window holds only ones`);
      }
    }
  }
});

/** A random map: a plane per channel, values in [-2, 2) or [0.5, 2), both dtypes, both layouts. */
interface LocalityCase {
  readonly rank: number;
  readonly spatial: number[];
  readonly channels: number;
  readonly layout: Layout;
  readonly dtype: DType;
  readonly signed: boolean;
  readonly adaptive: boolean;
  readonly kernel: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly outputSize: number[];
  readonly hostile: number;
  readonly where: number;
  readonly seed: number;
}

const HOSTILE = [3e38, -3e38, 1e-38, -1e-38, 2 ** 100, -(2 ** 100)];

/** Sizes, kernels and strides that reach the fast paths: windows of 9 taps or more, stride 1 mostly. */
const localityCase: fc.Arbitrary<LocalityCase> = fc
  .integer({ min: 1, max: 3 })
  .chain((rank) => {
    const [maxSize, maxKernel] = ([[40, 12], [18, 9], [8, 4]] as const)[rank - 1]!;
    const axis = fc
      .record({ size: fc.integer({ min: 1, max: maxSize }), kernel: fc.integer({ min: 1, max: maxKernel }), stride: fc.constantFrom(1, 1, 1, 2, 3) })
      .chain(({ size, kernel, stride }) => {
        const k = Math.min(kernel, size);
        return fc.record({
          size: fc.constant(size),
          kernel: fc.constant(k),
          stride: fc.constant(stride),
          padding: fc.integer({ min: 0, max: Math.floor(k / 2) }),
          outputSize: fc.integer({ min: 1, max: size }),
        });
      });
    return fc.record({
      rank: fc.constant(rank),
      axes: fc.array(axis, { minLength: rank, maxLength: rank }),
      channels: fc.integer({ min: 1, max: 3 }),
      layout: fc.constantFrom<Layout>('channels-first', 'channels-first', 'channels-last'),
      dtype: fc.constantFrom<DType>('float32', 'float32', 'float64'),
      signed: fc.boolean(),
      adaptive: fc.boolean(),
      ceilMode: fc.boolean(),
      countIncludePad: fc.boolean(),
      hostile: fc.constantFrom(...HOSTILE),
      where: fc.nat(),
      seed: fc.integer(),
    });
  })
  .map((d) => ({
    rank: d.rank,
    spatial: d.axes.map((a) => a.size),
    channels: d.channels,
    layout: d.layout,
    dtype: d.dtype,
    signed: d.signed,
    adaptive: d.adaptive,
    kernel: d.axes.map((a) => a.kernel),
    stride: d.axes.map((a) => a.stride),
    padding: d.axes.map((a) => a.padding),
    ceilMode: d.ceilMode,
    countIncludePad: d.countIncludePad,
    outputSize: d.axes.map((a) => a.outputSize),
    hostile: d.hostile,
    where: d.where,
    seed: d.seed,
  }));

function mapOf(c: LocalityCase): Tensor {
  const shape = c.layout === 'channels-first' ? [1, c.channels, ...c.spatial] : [1, ...c.spatial, c.channels];
  const length = shape.reduce((p, d) => p * d, 1);
  const data = c.dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  const random = new Random(c.seed);
  for (let i = 0; i < length; i++) data[i] = c.signed ? 4 * random.next() - 2 : 0.5 + 1.5 * random.next();
  return { shape, data };
}

function opOf(c: LocalityCase): Op {
  if (c.adaptive) {
    const options: AdaptiveOptions = { outputSize: c.outputSize, layout: c.layout };
    return (x, choice) => adaptiveAvgPool(x, { ...options, ...choice });
  }
  return average({
    kernel: c.kernel,
    stride: c.stride,
    padding: c.padding,
    ceilMode: c.ceilMode,
    countIncludePad: c.countIncludePad,
    layout: c.layout,
  });
}

test('property: one hostile value changes no window that does not hold it (1-D to 3-D, both dtypes and layouts)', async () => {
  await checkProperty(
    fc.asyncProperty(localityCase, async (c) => {
      const x = mapOf(c);
      const at = c.where % x.data.length;
      assertWindowsAlone(opOf(c), x, at, c.hostile, JSON.stringify({ ...c, where: at }));
    }),
    { numRuns: 150, seed: propertySeed(0x11a1) },
  );
});

test('a window with the hostile value still gets its own average within 1 ulp of the reference', () => {
  // Sums that hold 3e38 and ones are exact neither here nor in the reference: both round once.
  const x = ones([1, 1, 12, 40]);
  x.data[5 * 40 + 20] = 3e38;
  const options = { kernel: [5, 7], stride: 1 };
  const expected = avgPool(x, { ...options, backend: 'reference' }).data;
  for (const choice of CHOICES()) {
    const got = avgPool(x, { ...options, ...choice }).data;
    for (let i = 0; i < got.length; i++) {
      assert.ok(ulpDistance(got[i]!, expected[i]!, 'float32') <= 1, `${choice.backend}: output ${i} is ${got[i]}, the reference ${expected[i]}`);
    }
  }
});
