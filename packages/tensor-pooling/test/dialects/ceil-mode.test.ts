/**
 * The ceil-mode case L=5, kernel 2, stride 2, padding 1 in every dialect. The input is
 * x = [1, 2, 3, 4, 5]; with one pad on each side the padded row is [p, 1, 2, 3, 4, 5, p], positions
 * -1 to 5. (5 + 2 - 2) / 2 = 2.5, so floor gives 3 outputs and ceil 4; the 4th window would
 * start at 3 * 2 = 6 - 1 = position 5, inside the end padding.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, keras, onnx, runOnnxNode, tfjs, torch } from '../../src/index.js';

const x = { shape: [1, 1, 5], data: Float64Array.of(1, 2, 3, 4, 5) };

test('PyTorch: the 4th window starts in the end padding and is dropped; padding counts in the divisor', () => {
  const args = { kernel_size: 2, stride: 2, padding: 1, ceil_mode: true };
  // Windows [-1, 0], [1, 2], [3, 4]: (0 + 1) / 2, (2 + 3) / 2, (4 + 5) / 2 with count_include_pad=True.
  assert.deepEqual([...torch.avgPool1d(x, args).data], [0.5, 2.5, 4.5]);
  // Without it the first window divides by its one real element: 1 / 1.
  assert.deepEqual([...torch.avgPool1d(x, { ...args, count_include_pad: false }).data], [1, 2.5, 4.5]);
  // Max of each window: 1, 3, 5.
  assert.deepEqual([...torch.maxPool1d(x, args).data], [1, 3, 5]);
});

test('ONNX: the same rule ("windows that would start in the right padded region are ignored")', () => {
  const attrs = { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 };
  const input = { shape: [1, 1, 5], data: Float32Array.of(1, 2, 3, 4, 5) };
  // count_include_pad defaults to 0: [1/1, 5/2, 9/2].
  assert.deepEqual([...runOnnxNode('AveragePool', attrs, [input])[0]!.data], [1, 2.5, 4.5]);
  assert.deepEqual([...onnx.runOnnxNode('AveragePool', { ...attrs, count_include_pad: 1 }, [input])[0]!.data], [0.5, 2.5, 4.5]);
  const [values, indices] = runOnnxNode('MaxPool', attrs, [input]);
  assert.deepEqual([...values!.data], [1, 3, 5]);
  // The maxima sit at positions 0, 2 and 4 of the whole (1, 1, 5) tensor.
  assert.deepEqual([...indices!.data], [0n, 2n, 4n]);
});

test('TF.js: dimRoundingMode ceil keeps the 4th window although it holds no input', () => {
  // TF.js is 2-D only: the row is an H=5, W=1 map (NHWC [5, 1, 1]) padded 1 on top and bottom.
  const column = { shape: [5, 1, 1], data: Float32Array.of(1, 2, 3, 4, 5) };
  const pad = [[0, 0], [1, 1], [0, 0], [0, 0]] as const;
  // ceil((5 - 2 + 2) / 2 + 1) = ceil(3.5) = 4 outputs; padding never counts, the empty 4th window is 0/0.
  const avg = tfjs.avgPool(column, [2, 1], [2, 1], pad, 'ceil');
  assert.deepEqual(avg.shape, [4, 1, 1]);
  assert.deepEqual([...avg.data], [1, 2.5, 4.5, NaN]);
  // The empty window's maximum is -Infinity (max starts there and skips nothing else).
  assert.deepEqual([...tfjs.maxPool(column, [2, 1], [2, 1], pad, 'ceil').data], [1, 3, 5, -Infinity]);
  // The default rounding truncates 3.5 to 3.
  assert.deepEqual([...tfjs.avgPool(column, [2, 1], [2, 1], pad).data], [1, 2.5, 4.5]);
});

test('Keras: no ceil mode and no numeric padding; "same" pads the end instead', () => {
  const row = { shape: [1, 5, 1], data: Float64Array.of(1, 2, 3, 4, 5) };
  assert.throws(
    () => keras.averagePooling1d(row, { pool_size: 2, strides: 2, padding: 1 as unknown as string }),
    (e: unknown) => e instanceof PoolingError && e.code === 'INVALID_PARAMETER' && /padding/.test(e.message),
  );
  // 'same': ceil(5 / 2) = 3 outputs, total pad (3 - 1) * 2 + 2 - 5 = 1, all at the end:
  // windows [0, 1], [2, 3], [4, 5=pad] -> 1.5, 3.5 and 5 / 1 (padding is never counted).
  assert.deepEqual([...keras.averagePooling1d(row, { pool_size: 2, strides: 2, padding: 'same' }).data], [1.5, 3.5, 5]);
  // 'valid': floor((5 - 2) / 2) + 1 = 2 outputs.
  assert.deepEqual([...keras.averagePooling1d(row, { pool_size: 2, strides: 2 }).data], [1.5, 3.5]);
});
