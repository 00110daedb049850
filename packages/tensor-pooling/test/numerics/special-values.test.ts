/**
 * NaN, infinities, empty windows, ties and determinism, on every backend: the policy of
 * docs/numerics.md, example by example.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  adaptiveMaxPool,
  avgPool,
  avgPoolBackward,
  globalAvgPool,
  globalLpPool,
  globalMaxPool,
  lpPool,
  lpPoolBackward,
  maskedGlobalAvgPool,
  maxPoolBackward,
  maxPoolWithIndices,
  type FloatArray,
  type Tensor,
} from '../../src/index.js';
import { onEveryBackend } from '../helpers/cases.js';
import { randomValues } from '../helpers/random.js';
import { assertSameBits } from '../helpers/ulp.js';

function row(values: readonly number[], dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  return { shape: [1, 1, values.length], data };
}

/** Element-wise with Object.is, so NaN matches NaN and the sign of zero counts. */
function assertValues(actual: FloatArray | Int32Array, expected: readonly number[], context: string): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  expected.forEach((e, i) => assert.ok(Object.is(actual[i], e), `${context}: element ${i} is ${actual[i]}, expected ${e}`));
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`NaN propagates through average, max and Lp pooling (${dtype})`, () => {
    const x = row([1, NaN, 3, 4, 5], dtype);
    for (const { backend, result } of onEveryBackend((b) => avgPool(x, { spatialDims: 1, kernel: 2, stride: 1, backend: b }))) {
      assertValues(result.data, [NaN, NaN, 3.5, 4.5], `avgPool [${backend}]`);
      const max = maxPoolWithIndices(x, { spatialDims: 1, kernel: 2, stride: 1, backend });
      assertValues(max.values.data, [NaN, NaN, 4, 5], `maxPool [${backend}]`);
      // As in PyTorch, the index of a NaN maximum is the NaN's position.
      assertValues(max.indices.data, [1, 1, 3, 4], `maxPool indices [${backend}]`);
      assertValues(lpPool(x, { spatialDims: 1, kernel: 2, stride: 1, p: 1, backend }).data, [NaN, NaN, 7, 9], `lpPool [${backend}]`);
      assertValues(globalAvgPool(x, { spatialDims: 1, backend }).data, [NaN], `globalAvgPool [${backend}]`);
      assertValues(globalMaxPool(x, { spatialDims: 1, backend }).data, [NaN], `globalMaxPool [${backend}]`);
      assertValues(globalLpPool(x, { spatialDims: 1, backend }).data, [NaN], `globalLpPool [${backend}]`);
      assertValues(adaptiveMaxPool(x, { spatialDims: 1, outputSize: 2, backend }).data, [NaN, 5], `adaptiveMaxPool [${backend}]`);
    }
    // A NaN that the mask leaves out does not reach the masked mean.
    const masked = maskedGlobalAvgPool(x, { spatialDims: 1, mask: { shape: [1, 5], data: Uint8Array.of(1, 0, 1, 1, 1) } });
    assertValues(masked.data, [13 / 4], 'maskedGlobalAvgPool');
  });

  test(`infinities follow IEEE: Inf and -Inf in one window average to NaN (${dtype})`, () => {
    const x = row([Infinity, 1, Infinity, -Infinity, -Infinity, -Infinity], dtype);
    for (const { backend, result } of onEveryBackend((b) => avgPool(x, { spatialDims: 1, kernel: 2, stride: 1, backend: b }))) {
      assertValues(result.data, [Infinity, Infinity, NaN, -Infinity, -Infinity], `avgPool [${backend}]`);
      const max = maxPoolWithIndices(x, { spatialDims: 1, kernel: 2, stride: 1, backend });
      assertValues(max.values.data, [Infinity, Infinity, Infinity, -Infinity, -Infinity], `maxPool [${backend}]`);
      // An all -Infinity window still has a maximum: its first position, not "no index".
      assertValues(max.indices.data, [0, 2, 2, 3, 4], `maxPool indices [${backend}]`);
      assertValues(lpPool(x, { spatialDims: 1, kernel: 2, stride: 1, p: 2, backend }).data, [Infinity, Infinity, Infinity, Infinity, Infinity], `lpPool [${backend}]`);
    }
  });
}

test('a window with no input position gives 0 for average and Lp pooling and -Infinity with index -1 for max', () => {
  // Length 1, kernel 2 with dilation 3 (effective 4), padding 2: both windows' taps land in padding.
  const x = row([5]);
  const options = { kernel: 2, dilation: 3, padding: 2, stride: 1, spatialDims: 1 };
  for (const { backend, result } of onEveryBackend((b) => avgPool(x, { ...options, backend: b }))) {
    assertValues(result.data, [0, 0], `avgPool [${backend}]`);
    assertValues(avgPool(x, { ...options, countIncludePad: true, backend }).data, [0, 0], `avgPool countIncludePad [${backend}]`);
    assertValues(avgPool(x, { ...options, divisorOverride: 3, backend }).data, [0, 0], `avgPool divisorOverride [${backend}]`);
    const max = maxPoolWithIndices(x, { ...options, backend });
    assertValues(max.values.data, [-Infinity, -Infinity], `maxPool [${backend}]`);
    assertValues(max.indices.data, [-1, -1], `maxPool indices [${backend}]`);
    assertValues(lpPool(x, { ...options, backend }).data, [0, 0], `lpPool [${backend}]`);
    const dy = row([1, 1]);
    assertValues(avgPoolBackward(dy, x, { ...options, countIncludePad: true, backend }).data, [0], `avgPoolBackward [${backend}]`);
    assertValues(maxPoolBackward(dy, x, { ...options, backend }).data, [0], `maxPoolBackward [${backend}]`);
    assertValues(lpPoolBackward(dy, x, { ...options, backend }).data, [0], `lpPoolBackward [${backend}]`);
  }
  // A sample whose mask keeps nothing averages to 0 too.
  assertValues(maskedGlobalAvgPool(row([1, 2]), { spatialDims: 1, validLengths: [[0]] }).data, [0], 'maskedGlobalAvgPool');
});

test('ties: max pooling keeps the first maximum in scan order and routes the gradient to it alone', () => {
  // 2x3 map, one 2x3 window: the maximum 7 sits at (0, 2) and (1, 0); (0, 2) comes first row-major.
  const x = { shape: [1, 1, 2, 3], data: Float32Array.of(1, 2, 7, 7, 0, 7) };
  for (const { backend, result } of onEveryBackend((b) => maxPoolWithIndices(x, { kernel: [2, 3], backend: b }))) {
    assertValues(result.indices.data, [2], `maxPool indices [${backend}]`);
    const dx = maxPoolBackward({ shape: [1, 1, 1, 1], data: Float32Array.of(1) }, x, { kernel: [2, 3], backend });
    assertValues(dx.data, [0, 0, 1, 0, 0, 0], `maxPoolBackward [${backend}]`);
  }
});

test('backward passes are deterministic: overlapping windows give the same bits on every run', () => {
  const x = { shape: [2, 3, 17, 19], data: randomValues(7, 2 * 3 * 17 * 19, 'uniform', 'float32') };
  const options = { kernel: 3, stride: 1, padding: 1, countIncludePad: true };
  const dyShape = [2, 3, 17, 19];
  const dy = { shape: dyShape, data: randomValues(8, x.data.length, 'uniform', 'float32') };
  for (const { backend, result } of onEveryBackend((b) => avgPoolBackward(dy, x, { ...options, backend: b }))) {
    for (let run = 0; run < 3; run++) {
      assertSameBits(avgPoolBackward(dy, x, { ...options, backend }).data, result.data, `avgPoolBackward [${backend}] run ${run}`);
    }
    const lp = lpPoolBackward(dy, x, { kernel: 3, stride: 1, padding: 1, p: 3, backend });
    assertSameBits(lpPoolBackward(dy, x, { kernel: 3, stride: 1, padding: 1, p: 3, backend }).data, lp.data, `lpPoolBackward [${backend}]`);
  }
});
