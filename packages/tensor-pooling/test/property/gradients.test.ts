/**
 * Gradient checks: every backward op against central finite differences of its forward op in
 * float64, on small random inputs whose values are distinct and away from zero (max pooling has no
 * derivative at a tie, Lp pooling none at 0). With L(x) = <f(x), dy>, dL/dx_i is the backward
 * op's dx_i, and (L(x + h e_i) - L(x - h e_i)) / 2h approximates it to O(h^2).
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import {
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPool,
  adaptiveMaxPoolBackward,
  avgPool,
  avgPoolBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  globalLpPool,
  globalLpPoolBackward,
  globalMaxPool,
  globalMaxPoolBackward,
  lpPool,
  lpPoolBackward,
  maskedGlobalAvgPool,
  maskedGlobalAvgPoolBackward,
  maxPool,
  maxPoolBackward,
  maxUnpool,
  maxUnpoolBackward,
  type Tensor,
} from '../../src/index.js';
import { checkProperty } from '@tensor-pooling/test-kit/compare';
import {
  avgOptions,
  commonOptions,
  describeCase,
  inputOf,
  lpOptions,
  propertySeed,
  windowCase,
  windowOptions,
  type WindowCase,
} from '../helpers/cases.js';
import { product } from '../helpers/naive.js';
import { Random, randomValues } from '../helpers/random.js';

const RUNS = 60;
const STEP = 1e-5;

/** <f(x), dy> over the outputs that depend on x: an empty max window is -Infinity whatever x is. */
function objective(y: Tensor, dy: Tensor): number {
  let total = 0;
  for (let i = 0; i < y.data.length; i++) if (Number.isFinite(y.data[i]!)) total += y.data[i]! * dy.data[i]!;
  return total;
}

/** Compares the backward op's dx with central differences of <forward(x), dy>, element by element. */
function assertMatchesFiniteDifferences(
  name: string,
  x: Tensor<Float64Array>,
  forward: (x: Tensor<Float64Array>) => Tensor,
  backward: (dy: Tensor<Float64Array>, x: Tensor<Float64Array>) => Tensor,
  seed: number,
): void {
  const y = forward(x);
  const dy = { shape: y.shape, data: randomValues(seed, product(y.shape), 'uniform', 'float64') as Float64Array };
  const dx = backward(dy, x);
  assert.deepEqual([...dx.shape], [...x.shape], `${name}: gradient shape`);
  const probe = { shape: x.shape, data: x.data.slice() };
  for (let i = 0; i < x.data.length; i++) {
    probe.data[i] = x.data[i]! + STEP;
    const up = objective(forward(probe), dy);
    probe.data[i] = x.data[i]! - STEP;
    const down = objective(forward(probe), dy);
    probe.data[i] = x.data[i]!;
    const numeric = (up - down) / (2 * STEP);
    const analytic = dx.data[i]!;
    assert.ok(
      Math.abs(numeric - analytic) <= 1e-6 * (1 + Math.abs(analytic)),
      `${name}: dx[${i}] is ${analytic} but finite differences give ${numeric}`,
    );
  }
}

/** Float64, distinct values away from zero, inputs small enough to probe every element. */
const gradientCase = windowCase([3, 2, 1]).map((c): WindowCase => ({ ...c, dtype: 'float64', values: 'distinct' }));

function float64Input(c: WindowCase): Tensor<Float64Array> {
  return inputOf(c) as Tensor<Float64Array>;
}

test('gradients: sliding average, max and Lp pooling match finite differences', async () => {
  await checkProperty(
    fc.asyncProperty(gradientCase, async (c) => {
      const x = float64Input(c);
      const context = describeCase(c, avgOptions(c));
      assertMatchesFiniteDifferences(`avgPool ${context}`, x, (v) => avgPool(v, avgOptions(c)), (dy, v) => avgPoolBackward(dy, v, avgOptions(c)), c.seed);
      assertMatchesFiniteDifferences(`maxPool ${context}`, x, (v) => maxPool(v, windowOptions(c)), (dy, v) => maxPoolBackward(dy, v, windowOptions(c)), c.seed);
      assertMatchesFiniteDifferences(`lpPool ${context}`, x, (v) => lpPool(v, lpOptions(c)), (dy, v) => lpPoolBackward(dy, v, lpOptions(c)), c.seed);
    }),
    { numRuns: RUNS, seed: propertySeed(0x6a01) },
  );
});

test('gradients: global, adaptive and masked pooling and max unpooling match finite differences', async () => {
  await checkProperty(
    fc.asyncProperty(gradientCase, fc.boolean(), fc.constantFrom(1, 2, 3, 1.5), async (c, keepDims, p) => {
      const x = float64Input(c);
      const common = commonOptions(c, false);
      const context = describeCase(c, { keepDims, p });
      const global = { ...common, keepDims };
      assertMatchesFiniteDifferences(`globalAvgPool ${context}`, x, (v) => globalAvgPool(v, global), (dy, v) => globalAvgPoolBackward(dy, v, global), c.seed);
      assertMatchesFiniteDifferences(`globalMaxPool ${context}`, x, (v) => globalMaxPool(v, global), (dy, v) => globalMaxPoolBackward(dy, v, global), c.seed);
      const lp = { ...global, p };
      assertMatchesFiniteDifferences(`globalLpPool ${context}`, x, (v) => globalLpPool(v, lp), (dy, v) => globalLpPoolBackward(dy, v, lp), c.seed);

      const adaptive = { ...commonOptions(c, true), outputSize: c.spec.kernel.map((k, a) => Math.min(k + 1, c.spatial[a]!)) };
      assertMatchesFiniteDifferences(`adaptiveAvgPool ${context}`, x, (v) => adaptiveAvgPool(v, adaptive), (dy, v) => adaptiveAvgPoolBackward(dy, v, adaptive), c.seed);
      assertMatchesFiniteDifferences(`adaptiveMaxPool ${context}`, x, (v) => adaptiveMaxPool(v, adaptive), (dy, v) => adaptiveMaxPoolBackward(dy, v, adaptive), c.seed);

      const random = new Random(c.seed);
      const sampleShape = c.batch === 0 ? [...c.spatial] : [c.batch, ...c.spatial];
      const mask = { shape: sampleShape, data: Float64Array.from({ length: product(sampleShape) }, () => (random.next() < 0.25 ? 0 : random.next() * 2)) };
      const masked = { ...global, mask };
      assertMatchesFiniteDifferences(`maskedGlobalAvgPool ${context}`, x, (v) => maskedGlobalAvgPool(v, masked), (dy, v) => maskedGlobalAvgPoolBackward(dy, v, masked), c.seed);

      // Unpooling is linear in x; each distinct index receives one value, so the gradient is a gather.
      const unpool = { ...commonOptions(c, true), kernel: [...c.spec.kernel], stride: [...c.spec.stride] };
      const outSpatial = c.spatial.map((s, a) => (s - 1) * c.spec.stride[a]! + c.spec.kernel[a]!);
      const order = random.permutation(product(outSpatial));
      const planePosition = (i: number) => (c.layout === 'channels-first' ? i : Math.floor(i / c.channels)) % product(c.spatial);
      const indices = { shape: x.shape, data: Int32Array.from(x.data, (_, i) => order[planePosition(i)]!) };
      assertMatchesFiniteDifferences(`maxUnpool ${context}`, x, (v) => maxUnpool(v, indices, unpool), (dy) => maxUnpoolBackward(dy, indices, unpool), c.seed);
    }),
    { numRuns: RUNS, seed: propertySeed(0x6a02) },
  );
});
