/** Keras rules: data_format, 'same', global pooling with keepdims and the 1-D mask. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, keras } from '../../src/index.js';
import { assertReadOnce, counting, flipping, hugeLists, label, refuses, revoked, WRONG_TYPES } from './hostile.js';

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

test('GlobalAveragePooling1D takes only an (N, steps) mask, as Keras expands it to (N, steps, 1)', () => {
  const x = { shape: [2, 3, 2], data: Float64Array.of(1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60) };
  // Per-channel (N, steps, C) masks are what maskedGlobalAvgPool accepts, not Keras: the first
  // sample's first three weights are 0 although its channels have real steps (the old code gave NaN).
  const perChannel = { shape: [2, 3, 2], data: Float64Array.of(0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1) };
  for (const mask of [perChannel, { shape: [6], data: new Uint8Array(6) }, { shape: [1, 3], data: new Uint8Array(3) }, { shape: [2, 2], data: new Uint8Array(4) }]) {
    const e = refuses(() => keras.globalAveragePooling1d(x, {}, mask), 'MASK_SHAPE_MISMATCH');
    assert.match(e.message, /\[2, 3\]/);
  }
  // channels_first: inputs (N, C, steps) = (2, 2, 3), the mask is still (N, steps).
  const y = keras.globalAveragePooling1d({ shape: [2, 2, 3], data: x.data }, { data_format: 'channels_first' }, { shape: [2, 3], data: Uint8Array.of(1, 1, 0, 0, 0, 1) });
  // Sample 0: channels [1, 10, 2] and [20, 3, 30] over steps 0 and 1; sample 1: step 2 of [4, 40, 5], [50, 6, 60].
  assert.deepEqual([...y.data], [5.5, 11.5, 5, 60]);
  for (const bad of [...WRONG_TYPES.filter((v) => v !== undefined), revoked(), { shape: [2, 3], data: new Int32Array(6) }]) {
    refuses(() => keras.globalAveragePooling1d(x, {}, bad as never), undefined, `mask ${label(bad)}`);
  }
});

test('a "valid" window larger than the input: Keras\'s shape rule gives an empty tensor at 0 and refuses a negative size', () => {
  const x = { shape: [1, 3, 2], data: new Float32Array(6) };
  // floor((3 - 4) / 1) + 1 = 0 and floor((3 - 5) / 2) + 1 = 0: shape (1, 0, 2).
  for (const args of [{ pool_size: 4, strides: 1 }, { pool_size: 5, strides: 2 }]) {
    const y = keras.averagePooling1d(x, args);
    assert.deepEqual(y.shape, [1, 0, 2]);
    assert.ok(y.data instanceof Float32Array && y.data.length === 0);
  }
  // channels_first (1, C=2, H=3, W=4), pool [2, 5]: H gives 2, W floor((4 - 5) / 1) + 1 = 0.
  assert.deepEqual(keras.maxPooling2d({ shape: [1, 2, 3, 4], data: new Float64Array(24) }, { pool_size: [2, 5], strides: 1, data_format: 'channels_first' }).shape, [1, 2, 2, 0]);
  // floor((3 - 5) / 1) + 1 = -1: "Computed output size would be negative".
  const e = refuses(() => keras.averagePooling1d(x, { pool_size: 5, strides: 1 }), 'OUTPUT_EMPTY');
  assert.match(e.message, /negative/);
  // 'same' never empties a non-empty axis: ceil(3 / 5) = 1.
  assert.deepEqual(keras.averagePooling1d(x, { pool_size: 5, padding: 'same' }).shape, [1, 1, 2]);
});

test('every keras function refuses arguments of the wrong type, and reads its arguments once', () => {
  const x1 = { shape: [1, 4, 1], data: Float32Array.of(1, 2, 3, 4) };
  const fns = [keras.averagePooling1d, keras.maxPooling1d, keras.globalAveragePooling1d, keras.globalMaxPooling1d] as ((x: unknown, a?: unknown) => unknown)[];
  for (const fn of fns) {
    assert.doesNotThrow(() => fn(x1, {}));
    for (const value of [...WRONG_TYPES, revoked(), ...hugeLists()]) {
      refuses(() => fn(value), undefined, `${fn.name} inputs ${label(value)}`);
      if (value !== undefined) refuses(() => fn(x1, value), undefined, `${fn.name} args ${label(value)}`);
    }
  }
  for (const key of ['pool_size', 'strides', 'padding', 'data_format']) {
    for (const value of ['x'.repeat(1e7), {}, revoked(), ...hugeLists(), 2 ** 32, 0]) {
      if (key === 'padding' && value === 0) continue;
      refuses(() => keras.averagePooling1d(x1, { [key]: value } as never), 'INVALID_PARAMETER', `${key} ${label(value)}`);
    }
  }
  const args = counting({ pool_size: counting([2]).proxy, strides: 2, padding: 'valid' });
  assert.deepEqual([...keras.averagePooling1d(x1, args.proxy as never).data], [1.5, 3.5]);
  assertReadOnce(args.reads, 'args');
  const fickle = flipping({}, 'pool_size', 2, 3);
  assert.deepEqual([...keras.maxPooling1d(x1, fickle as never).data], [2, 4]);
});
