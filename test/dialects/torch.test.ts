/** PyTorch rules beyond the conformance vectors (which reach PyTorch only through ONNX exports). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, torch } from '../../src/index.js';

const code = (c: string) => (e: unknown) => e instanceof PoolingError && e.code === c;
const close = (actual: ArrayLike<number>, expected: number[]) =>
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i]! - e) < 1e-12, `[${i}] ${actual[i]} vs ${e}`));

test('avg_pool2d: count_include_pad counts padding but not the ceil-mode overhang; divisor_override replaces it', () => {
  // 4x4 arange(1, 17), kernel 3, stride 2, padding 1, ceil_mode: 3x3 out, rows/cols start at -1, 1, 3.
  const x = { shape: [1, 1, 4, 4], data: Float64Array.from({ length: 16 }, (_, i) => i + 1) };
  const args = { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true };
  const y = torch.avgPool2d(x, args);
  assert.deepEqual(y.shape, [1, 1, 3, 3]);
  // (1+2+5+6)/9; (2+3+4+6+7+8)/9; cols 3..5 reach pad col 4 and overhang col 5: (4+8)/(3*2).
  close(y.data, [14 / 9, 30 / 9, 2]);
  close(torch.avgPool2d(x, { ...args, divisor_override: 2 }).data, [7, 15, 6]);
  assert.throws(() => torch.avgPool1d({ shape: [1, 4], data: new Float64Array(4) }, { kernel_size: 2, divisor_override: 2 } as never), code('INVALID_PARAMETER'));
});

test('padding above half the effective kernel is PyTorch\'s error, naming padding', () => {
  const x = { shape: [1, 1, 8, 8], data: new Float32Array(64) };
  assert.throws(() => torch.maxPool2d(x, { kernel_size: 2, padding: 2 }), (e: unknown) => code('PAD_TOO_LARGE')(e) && /padding/.test(String(e)));
  // The limit is half the effective kernel: dilation 4 makes it 4*(2-1)+1 = 5, so padding 2 is allowed.
  assert.doesNotThrow(() => torch.maxPool2d(x, { kernel_size: 2, padding: 2, dilation: 4 }));
});

test('unbatched input (C, L) and return_indices as per-plane flat indices; max_unpool puts them back', () => {
  const x = { shape: [2, 4], data: Float32Array.of(1, 9, 3, 2, 8, 0, 5, 7) };
  const [values, indices] = torch.maxPool1d(x, { kernel_size: 2, return_indices: true });
  assert.deepEqual(values.shape, [2, 2]);
  assert.deepEqual([...values.data], [9, 3, 8, 7]);
  assert.deepEqual([...indices.data], [1, 2, 0, 3]);
  const back = torch.maxUnpool1d(values, indices, { kernel_size: 2 });
  assert.deepEqual([...back.data], [0, 9, 3, 0, 8, 0, 0, 7]);
});

test('lp_pool is avg_pool(x^p) * prod(kernel) then ^(1/p): signs kept, overhang not counted', () => {
  // p=1 on [-3, 1]: PyTorch gives -2 where ONNX's (sum |x|^p)^(1/p) gives 4.
  close(torch.lpPool1d({ shape: [1, 1, 2], data: Float64Array.of(-3, 1) }, { norm_type: 1, kernel_size: 2 }).data, [-2]);
  // p=2, kernel 2, ceil_mode on [3, 4, 5]: the 2nd window holds 5 and one overhang tap, divided by 1
  // (the overhang is not counted) and multiplied by 2: sqrt(2 * 25).
  close(torch.lpPool1d({ shape: [1, 1, 3], data: Float64Array.of(3, 4, 5) }, { norm_type: 2, kernel_size: 2, ceil_mode: true }).data, [5, Math.sqrt(50)]);
});

test('adaptive pooling bins [floor(i*L/O), ceil((i+1)*L/O)) and the backward of avg_pool', () => {
  const x = { shape: [1, 5], data: Float64Array.of(1, 2, 3, 4, 5) };
  // L=5, O=3: [0,2) [1,4) [3,5).
  close(torch.adaptiveAvgPool1d(x, 3).data, [1.5, 3, 4.5]);
  const [maxima, at] = torch.adaptiveMaxPool1d(x, 3, true);
  assert.deepEqual([...maxima.data], [2, 4, 5]);
  assert.deepEqual([...at.data], [1, 3, 4]);
  // Each input of a 2-wide, stride-2 average receives half of its window's gradient.
  const dx = torch.avgPool1dBackward({ shape: [1, 2], data: Float64Array.of(1, 4) }, { shape: [1, 4], data: new Float64Array(4) }, { kernel_size: 2 });
  assert.deepEqual([...dx.data], [0.5, 0.5, 2, 2]);
});
