/**
 * Masked global average with weights anywhere in the float64 range: the weighted mean does not
 * depend on the weights' scale (docs/numerics.md). Weights of 1e308 used to overflow Σw and Σw·x
 * to Infinity and the mean to NaN; subnormal weights lost the bits of w·x.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { maskedGlobalAvgPool, maskedGlobalAvgPoolBackward, type Tensor } from '../../src/index.js';
import { assertSameBits } from '../helpers/ulp.js';

function row(values: readonly number[], dtype: 'float32' | 'float64' = 'float64'): Tensor {
  return { shape: [1, 1, values.length], data: dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values) };
}

const weights = (values: readonly number[]) => ({ shape: [1, values.length], data: Float64Array.from(values) });

test('weights near the float64 maximum give the weighted mean, not NaN', () => {
  const x = row([1, 2, 3, 4]);
  // 2^1023 three times sums to Infinity in float64.
  assert.equal(maskedGlobalAvgPool(x, { spatialDims: 1, mask: weights([2 ** 1023, 2 ** 1023, 0, 2 ** 1023]) }).data[0], 7 / 3);
  // 1e308 and half of it on [1, 4]: (1e308 + 2e308) / 1.5e308 = 2.
  assert.equal(maskedGlobalAvgPool(row([1, 4], 'float32'), { spatialDims: 1, mask: weights([1e308, 1e308 / 2]) }).data[0], 2);
  assert.equal(maskedGlobalAvgPool(row([1, 4]), { spatialDims: 1, mask: weights([1e308, 1e308 / 2]) }).data[0], 2);
});

test('only the ratios of the weights count: 1e308 or subnormal weights give the bits of small ones', () => {
  const x = row([1.3, 1.7, -0.1, 5.5]);
  const expected = maskedGlobalAvgPool(x, { spatialDims: 1, mask: weights([1, 2, 3, 0.5]) }).data;
  for (const scale of [2 ** 1020, 2 ** -1070, 2 ** 600, 2 ** -600]) {
    const got = maskedGlobalAvgPool(x, { spatialDims: 1, mask: weights([1, 2, 3, 0.5].map((w) => w * scale)) }).data;
    assertSameBits(got, expected, `weights times 2^${Math.log2(scale)}`);
  }
});

test('backward with weights near the float64 maximum: dy times w / Σw', () => {
  const dx = maskedGlobalAvgPoolBackward({ shape: [1, 1], data: Float64Array.of(3) }, [1, 1, 4], {
    spatialDims: 1,
    mask: weights([2 ** 1023, 2 ** 1023, 0, 2 ** 1023]),
  }).data;
  assert.deepEqual([...dx], [1, 1, 0, 1]);
});

test('a weight that scaling to the largest takes below the smallest float64 counts as 0: its value is not read', () => {
  // 2^-100 against 2^1000: scaled, 2^-1100 underflows to 0, so the NaN beside it is masked out.
  assert.equal(maskedGlobalAvgPool(row([1, NaN]), { spatialDims: 1, mask: weights([2 ** 1000, 2 ** -100]) }).data[0], 1);
});
