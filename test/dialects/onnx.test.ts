/** ONNX rules beyond the conformance vectors. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, runOnnxNode } from '../../src/index.js';

const code = (c: string) => (e: unknown) => e instanceof PoolingError && e.code === c;

test('MaxPool indices index the whole tensor; storage_order 1 makes the spatial part column-major', () => {
  // (1, 2, 2, 3): one 2x3 window per channel; maxima at (h, w) = (1, 0) in channel 0 and (0, 2) in channel 1.
  const x = { shape: [1, 2, 2, 3], data: Float32Array.of(0, 1, 2, 9, 3, 4, 5, 6, 8, 1, 2, 3) };
  const attrs = { kernel_shape: [2, 3] };
  // Row-major: c*H*W + h*W + w = 0 + 3 and 6 + 2.
  assert.deepEqual([...runOnnxNode('MaxPool', attrs, [x])[1]!.data], [3n, 8n]);
  // Column-major: c*H*W + w*H + h = 0 + 1 and 6 + 4.
  assert.deepEqual([...runOnnxNode('MaxPool', { ...attrs, storage_order: 1 }, [x])[1]!.data], [1n, 10n]);
});

test('MaxUnpool takes MaxPool\'s whole-tensor indices back, plane by plane', () => {
  const x = { shape: [1, 2, 2, 2], data: Float32Array.of(1, 5, 2, 0, 7, 3, 4, 8) };
  const [pooled, indices] = runOnnxNode('MaxPool', { kernel_shape: [2, 2] }, [x]);
  assert.deepEqual([...indices!.data], [1n, 7n]);
  const [restored] = runOnnxNode('MaxUnpool', { kernel_shape: [2, 2] }, [pooled, indices]);
  assert.deepEqual(restored!.shape, [1, 2, 2, 2]);
  assert.deepEqual([...restored!.data], [0, 5, 0, 0, 0, 0, 0, 8]);
  const wrongPlane = { shape: [1, 2, 1, 1], data: BigInt64Array.of(1n, 2n) };
  assert.throws(() => runOnnxNode('MaxUnpool', { kernel_shape: [2, 2] }, [pooled, wrongPlane]), code('INDEX_OUT_OF_RANGE'));
});

test('SAME_LOWER puts the odd pad first; GlobalLpPool uses p; integer data only where max selects', () => {
  const x = { shape: [1, 1, 3], data: Float64Array.of(1, 2, 4) };
  // k=2, s=1: total pad 1, at the start: windows [-1,0], [0,1], [1,2] -> 1/1, 3/2, 6/2.
  assert.deepEqual([...runOnnxNode('AveragePool', { kernel_shape: [2], auto_pad: 'SAME_LOWER' }, [x])[0]!.data], [1, 1.5, 3]);
  const lp = runOnnxNode('GlobalLpPool', { p: 3 }, [x])[0]!;
  assert.deepEqual(lp.shape, [1, 1, 1]);
  assert.ok(Math.abs((lp.data[0] as number) - Math.cbrt(1 + 8 + 64)) < 1e-12);
  const bytes = { shape: [1, 1, 3], data: Uint8Array.of(200, 7, 255) };
  const y = runOnnxNode('GlobalMaxPool', {}, [bytes])[0]!;
  assert.ok(y.data instanceof Uint8Array);
  assert.deepEqual([...y.data], [255]);
  assert.throws(() => runOnnxNode('AveragePool', { kernel_shape: [2] }, [bytes]), code('UNSUPPORTED_DTYPE'));
});

test('ONNX attribute errors name the attribute', () => {
  const x = { shape: [1, 1, 4], data: new Float32Array(4) };
  assert.throws(() => runOnnxNode('AveragePool', { kernel_shape: [2], auto_pad: 'SAME_UPPER', pads: [1, 0] }, [x]), code('INVALID_PARAMETER'));
  assert.throws(() => runOnnxNode('MaxPool', { kernel_shape: [2], count_include_pad: 1 }, [x]), (e: unknown) => code('INVALID_PARAMETER')(e) && /count_include_pad/.test(String(e)));
  assert.throws(() => runOnnxNode('AveragePool', { kernel_shape: [2, 2] }, [x]), code('INVALID_RANK'));
  assert.throws(() => runOnnxNode('Conv' as never, {}, [x]), code('UNSUPPORTED_OPTION'));
  assert.throws(() => runOnnxNode('LpPool', { kernel_shape: [2], p: 0 }, [x]), (e: unknown) => code('INVALID_PARAMETER')(e) && /\bp\b/.test(String(e)));
});
