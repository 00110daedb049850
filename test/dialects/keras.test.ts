/** Keras rules: data_format, 'same', global pooling with keepdims and the 1-D mask. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, keras } from '../../src/index.js';

test('channels_first and channels_last give the same numbers in their own layouts', () => {
  // (N=1, H=2, W=3, C=2) channels_last, and its transpose (1, 2, 2, 3).
  const last = { shape: [1, 2, 3, 2], data: Float64Array.of(1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60) };
  const first = { shape: [1, 2, 2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60) };
  // pool 2, 'same': ceil(2/2) x ceil(3/2) = 1 x 2; windows cols [0,1] and [2, pad]: padding not counted.
  const a = keras.averagePooling2d(last, { padding: 'same' });
  const b = keras.averagePooling2d(first, { padding: 'SAME', data_format: 'channels_first' });
  assert.deepEqual(a.shape, [1, 1, 2, 2]);
  assert.deepEqual(b.shape, [1, 2, 1, 2]);
  assert.deepEqual([...a.data], [3, 30, 4.5, 45]);
  assert.deepEqual([...b.data], [3, 4.5, 30, 45]);
});

test('global pooling keepdims, and GlobalAveragePooling1D with a mask (all-zero mask -> NaN)', () => {
  const x = { shape: [2, 3, 1], data: Float64Array.of(1, 2, 6, 4, 5, 6) };
  assert.deepEqual(keras.globalMaxPooling1d(x, { keepdims: true }).shape, [2, 1, 1]);
  const mask = { shape: [2, 3], data: Uint8Array.of(1, 0, 1, 0, 0, 0) };
  const y = keras.globalAveragePooling1d(x, {}, mask);
  assert.deepEqual(y.shape, [2, 1]);
  assert.equal(y.data[0], 3.5);
  assert.ok(Number.isNaN(y.data[1]!));
  assert.throws(() => keras.globalAveragePooling1d({ shape: [3, 1], data: new Float64Array(3) }), (e: unknown) => e instanceof PoolingError && e.code === 'INVALID_RANK');
});
