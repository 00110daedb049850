/**
 * Accuracy: averages accumulate in float64 and round once, so a float32 average is within 1 ulp of
 * the exact mean, measured here against exact sums (BigInt, or integers below 2^53).
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { adaptiveAvgPool, avgPool, backendNames, globalAvgPool, maskedGlobalAvgPool, type Tensor } from '../../src/index.js';
import { checkProperty } from '@tensor-pooling/test-kit/compare';
import { propertySeed } from '../helpers/cases.js';
import { exactSum, ulpsFromExactMean, type Exact } from '../helpers/exact.js';
import { Random } from '../helpers/random.js';

const SIDE = 4096;
/** Values in [512, 1024) are multiples of 2^-14 in float32: the scale that makes them integers. */
const SCALE = 2 ** 14;

/**
 * Every backend but the reference: the reference visits each tap through arrays of tap records,
 * far too slow for 16.7 million taps, and it is held to the same results on small inputs.
 */
function fastBackends(): (string | undefined)[] {
  return [undefined, ...backendNames().filter((name) => name !== 'reference')];
}

/** A 4096 x 4096 float32 map of values near 1000, every one with a full 24-bit mantissa. */
function mapNear1000(): Tensor<Float32Array> {
  const random = new Random(0x1000);
  const data = new Float32Array(SIDE * SIDE);
  for (let i = 0; i < data.length; i++) data[i] = 999.5 + random.next();
  return { shape: [1, 1, SIDE, SIDE], data };
}

/**
 * Exact sum of a rectangle of the map: each value times 2^14 is an integer below 2^24, so every
 * partial sum of at most 2^24 of them is an integer below 2^48 and float64 adds them exactly.
 */
function exactBlockSum(x: Tensor<Float32Array>, row: number, col: number, size: number): Exact {
  let total = 0;
  for (let r = row; r < row + size; r++) {
    for (let c = col; c < col + size; c++) {
      const scaled = x.data[r * SIDE + c]! * SCALE;
      if (!Number.isInteger(scaled)) throw new Error(`value ${x.data[r * SIDE + c]} is not a multiple of 2^-14`);
      total += scaled;
    }
  }
  if (total >= 2 ** 53) throw new Error('the block sum left the exact integer range');
  return { numerator: BigInt(total), exponent: -14 };
}

/** What float32 accumulation (PyTorch's and onnxruntime's CPU sum) gives for the same mean. */
function float32SequentialMean(x: Tensor<Float32Array>): number {
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) sum = Math.fround(sum + x.data[i]!);
  return Math.fround(sum / x.data.length);
}

test('a 4096x4096 float32 map near 1000: the global average is within 1 ulp of the exact mean', () => {
  const x = mapNear1000();
  const exact = exactBlockSum(x, 0, 0, SIDE);
  const count = SIDE * SIDE;
  for (const backend of fastBackends()) {
    const mean = globalAvgPool(x, { backend }).data[0]!;
    const ulps = ulpsFromExactMean(mean, exact, count, 'float32');
    assert.ok(ulps <= 1, `globalAvgPool [${backend ?? 'auto'}] is ${ulps} ulps from the exact mean`);
    const whole = avgPool(x, { kernel: SIDE, backend }).data[0]!;
    assert.equal(whole, mean, `avgPool with a 4096x4096 kernel [${backend ?? 'auto'}]`);
  }
  const adaptive = adaptiveAvgPool(x, { outputSize: 1 }).data[0]!;
  assert.ok(ulpsFromExactMean(adaptive, exact, count, 'float32') <= 1, 'adaptiveAvgPool to 1x1');
  const masked = maskedGlobalAvgPool(x, { validLengths: [[SIDE, SIDE]] }).data[0]!;
  assert.ok(ulpsFromExactMean(masked, exact, count, 'float32') <= 1, 'maskedGlobalAvgPool');
  // The test can fail: float32 accumulation is thousands of ulps off on this map.
  const float32Ulps = ulpsFromExactMean(float32SequentialMean(x), exact, count, 'float32');
  assert.ok(float32Ulps > 1000, `float32 accumulation was only ${float32Ulps} ulps off`);
});

test('a 4096x4096 float32 map near 1000: avgPool with 2048x2048 windows is within 1 ulp in every window', () => {
  const x = mapNear1000();
  const half = SIDE / 2;
  const exact = [0, 1, 2, 3].map((w) => exactBlockSum(x, Math.floor(w / 2) * half, (w % 2) * half, half));
  for (const backend of fastBackends()) {
    const y = avgPool(x, { kernel: half, backend });
    assert.deepEqual([...y.shape], [1, 1, 2, 2]);
    exact.forEach((sum, w) => {
      const ulps = ulpsFromExactMean(y.data[w]!, sum, half * half, 'float32');
      assert.ok(ulps <= 1, `window ${w} [${backend ?? 'auto'}] is ${ulps} ulps from the exact mean`);
    });
  }
});

/** Same-sign float32 values of magnitudes spread over 2^-20 .. 2^20. */
function spreadValues(seed: number, length: number, negative: boolean): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length }, () => {
    const magnitude = (1 + random.next()) * 2 ** (random.below(41) - 20);
    return negative ? -magnitude : magnitude;
  });
}

test('property: float32 averages of same-sign values of any magnitude are within 1 ulp of the exact mean', async () => {
  await checkProperty(
    fc.asyncProperty(
      fc.integer(),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      async (seed, length, kernel, negative) => {
        const data = spreadValues(seed, length, negative);
        const x = { shape: [1, 1, length], data };
        const exact = exactSum(data);
        for (const backend of [undefined, ...backendNames()]) {
          const mean = globalAvgPool(x, { backend, spatialDims: 1 }).data[0]!;
          assert.ok(ulpsFromExactMean(mean, exact, length, 'float32') <= 1, `global mean of ${length} [${backend}]`);
          const k = Math.min(kernel, length);
          const windows = avgPool(x, { kernel: [k], stride: 1, backend });
          windows.data.forEach((v, o) => {
            const ulps = ulpsFromExactMean(v, exactSum(data.subarray(o, o + k)), k, 'float32');
            assert.ok(ulps <= 1, `window ${o} of ${k} [${backend}]: ${ulps} ulps`);
          });
        }
      },
    ),
    { numRuns: 60, seed: propertySeed(0xacc1) },
  );
});

/** One sliding axis: the in-bounds taps [first, end) of window o, and its padded length. */
function axisWindow(o: number, size: number, kernel: number, stride: number, pad: number): { first: number; end: number; padded: number } {
  const start = o * stride - pad;
  return { first: Math.max(0, start), end: Math.min(size, start + kernel), padded: Math.min(start + kernel, size + pad) - start };
}

test('property: float32 2-D averages on every path are within 1 ulp of the exact mean whenever n·κ <= 2^27', async () => {
  // n taps, κ = Σ|x| / |Σx|. Maps of few significant bits go through exact running sums, maps of
  // magnitudes spread over 2^-20 .. 2^20 or holding one 2^100 through split sums (windows of 9 taps
  // or more), small windows rows first or tap by tap; mixed signs make κ > 1.
  await checkProperty(
    fc.asyncProperty(
      fc.record({
        seed: fc.integer(),
        height: fc.integer({ min: 1, max: 20 }),
        width: fc.integer({ min: 1, max: 36 }),
        kernel: fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 12 })),
        stride: fc.tuple(fc.constantFrom(1, 1, 2), fc.constantFrom(1, 1, 2)),
        padding: fc.tuple(fc.nat(), fc.nat()),
        countIncludePad: fc.boolean(),
        values: fc.constantFrom('few bits', 'few bits and one 2^100', 'spread', 'spread, one sign'),
      }),
      async ({ seed, height, width, kernel, stride, padding, countIncludePad, values }) => {
        const random = new Random(seed);
        const size = [height, width];
        const k = kernel.map((v, a) => Math.min(v, size[a]!));
        const pad = padding.map((p, a) => p % (Math.floor(k[a]! / 2) + 1));
        const data = Float32Array.from({ length: height * width }, () => {
          const sign = values === 'spread, one sign' || random.next() < 0.5 ? 1 : -1;
          return values.startsWith('few bits') ? sign * (random.below(4096) / 256) : sign * (1 + random.next()) * 2 ** (random.below(41) - 20);
        });
        if (values === 'few bits and one 2^100') data[random.below(data.length)] = 2 ** 100;
        const x: Tensor = { shape: [1, 1, height, width], data };
        const options = { kernel: k, stride, padding: pad, countIncludePad };
        for (const backend of [undefined, ...backendNames()]) {
          const y = avgPool(x, { ...options, backend });
          const [oh, ow] = y.shape.slice(2) as [number, number];
          for (let h = 0; h < oh; h++) {
            for (let w = 0; w < ow; w++) {
              const rows = axisWindow(h, height, k[0]!, stride[0], pad[0]!);
              const columns = axisWindow(w, width, k[1]!, stride[1], pad[1]!);
              const taps: number[] = [];
              for (let r = rows.first; r < rows.end; r++) for (let c = columns.first; c < columns.end; c++) taps.push(data[r * width + c]!);
              const sum = exactSum(taps);
              const magnitude = taps.reduce((a, v) => a + Math.abs(v), 0);
              const kappa = magnitude / Math.abs(Number(sum.numerator) * 2 ** sum.exponent);
              // κ in float64 is approximate: check where n·κ is comfortably within the bound.
              if (taps.length * kappa > 2 ** 26) continue;
              const divisor = countIncludePad ? rows.padded * columns.padded : taps.length;
              const ulps = ulpsFromExactMean(y.data[h * ow + w]!, sum, divisor, 'float32');
              assert.ok(ulps <= 1, `output (${h}, ${w}) of ${JSON.stringify(options)} [${backend ?? 'auto'}]: ${ulps} ulps, κ ${kappa}`);
            }
          }
        }
      },
    ),
    { numRuns: 80, seed: propertySeed(0xacc3) },
  );
});

test('property: float64 averages of same-sign values stay within the float64 summation bound', async () => {
  // Recursive summation in float64 errs by at most (n - 1) u sum|x| (Higham, eq. 4.4), and the
  // division and final rounding by u each: |mean - exact| <= (n + 1) u |exact| for one sign.
  await checkProperty(
    fc.asyncProperty(fc.integer(), fc.integer({ min: 1, max: 400 }), async (seed, length) => {
      const random = new Random(seed);
      const data = Float64Array.from({ length }, () => (1 + random.next()) * 2 ** (random.below(81) - 40));
      const exact = exactSum(data);
      const mean = globalAvgPool({ shape: [1, 1, length], data }, { spatialDims: 1 }).data[0]!;
      const ulps = ulpsFromExactMean(mean, exact, length, 'float64');
      assert.ok(ulps <= 2 * (length + 1), `mean of ${length} float64 values is ${ulps} ulps off`);
    }),
    { numRuns: 60, seed: propertySeed(0xacc2) },
  );
});
