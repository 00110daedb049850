/** PyTorch rules beyond the conformance vectors (which reach PyTorch only through ONNX exports). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, torch } from '../../src/index.js';
import { assertReadOnce, counting, flipping, hugeLists, label, refuses, revoked, WRONG_TYPES } from './hostile.js';

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

test('max_unpool output_size: PyTorch\'s open interval around the default, N and C dropped from a full shape', () => {
  const x = { shape: [1, 1, 2], data: Float32Array.of(3, 4) };
  const at = { shape: [1, 1, 2], data: Int32Array.of(1, 4) };
  // Default (2 - 1) * 2 + 2 = 4; 5 lies inside (2, 6): the indices address the 5-long plane.
  assert.deepEqual([...torch.maxUnpool1d(x, at, { kernel_size: 2, output_size: [5] }).data], [0, 3, 0, 0, 4]);
  // _unpool_output_size raises for default + stride and default - stride themselves.
  refuses(() => torch.maxUnpool1d(x, at, { kernel_size: 2, output_size: [6] }), 'INVALID_PARAMETER');
  refuses(() => torch.maxUnpool1d(x, { shape: [1, 1, 2], data: Int32Array.of(0, 1) }, { kernel_size: 2, output_size: [2] }), 'INVALID_PARAMETER');
  // An unbatched (C, L) input with a full (N, C, L) output_size: only the last size counts.
  const unbatched = { shape: [1, 2], data: Float32Array.of(3, 4) };
  const y = torch.maxUnpool1d(unbatched, { shape: [1, 2], data: Int32Array.of(1, 4) }, { kernel_size: 2, output_size: [9, 9, 5] });
  assert.deepEqual(y.shape, [1, 5]);
  refuses(() => torch.maxUnpool1d(unbatched, { shape: [1, 2], data: Int32Array.of(1, 3) }, { kernel_size: 2, output_size: [1, 5] }), 'INVALID_PARAMETER');
  // A kernel larger than the input is PyTorch's "Output size is too small", never an empty tensor.
  refuses(() => torch.avgPool1d({ shape: [1, 1, 3], data: new Float32Array(3) }, { kernel_size: 4 }), 'OUTPUT_EMPTY');
  refuses(() => torch.maxPool2d({ shape: [1, 3, 3], data: new Float32Array(9) }, { kernel_size: [4, 1] }), 'OUTPUT_EMPTY');
});

test('every torch function refuses arguments of the wrong type with a coded error', () => {
  const x = { shape: [1, 1, 4], data: Float32Array.of(1, 2, 3, 4) };
  const dy = { shape: [1, 1, 2], data: Float32Array.of(1, 1) };
  const idx = { shape: [1, 1, 2], data: Int32Array.of(1, 3) };
  const k = { kernel_size: 2 };
  const calls: [string, (...args: unknown[]) => unknown, readonly unknown[]][] = [
    ['avgPool1d', torch.avgPool1d as never, [x, k]],
    ['avgPool1dBackward', torch.avgPool1dBackward as never, [dy, x, k]],
    ['maxPool1d', torch.maxPool1d as never, [x, k]],
    ['maxPool1dBackward', torch.maxPool1dBackward as never, [dy, x, k]],
    ['lpPool1d', torch.lpPool1d as never, [x, { norm_type: 2, kernel_size: 2 }]],
    ['lpPool1dBackward', torch.lpPool1dBackward as never, [dy, x, { norm_type: 2, kernel_size: 2 }]],
    ['adaptiveAvgPool1d', torch.adaptiveAvgPool1d as never, [x, 2]],
    ['adaptiveAvgPool1dBackward', torch.adaptiveAvgPool1dBackward as never, [dy, x, 2]],
    ['adaptiveMaxPool1d', torch.adaptiveMaxPool1d as never, [x, 2, false]],
    ['adaptiveMaxPool1dBackward', torch.adaptiveMaxPool1dBackward as never, [dy, x, 2]],
    ['maxUnpool1d', torch.maxUnpool1d as never, [dy, idx, k]],
    ['maxUnpool1dBackward', torch.maxUnpool1dBackward as never, [x, idx, k]],
  ];
  for (const [name, fn, args] of calls) {
    assert.doesNotThrow(() => fn(...args), name);
    args.forEach((_, at) => {
      for (const value of [...WRONG_TYPES, revoked(), ...hugeLists()]) {
        // undefined is a valid return_indices, and 2 a valid adaptive output_size.
        if ((name === 'adaptiveMaxPool1d' && at === 2 && (value === undefined || typeof value === 'boolean')) || (name.startsWith('adaptive') && at > 0 && typeof value === 'number' && value === 2)) continue;
        const withBad = args.map((a, i) => (i === at ? value : a));
        refuses(() => fn(...withBad), undefined, `${name} argument ${at} = ${label(value)}`);
      }
    });
    for (const key of ['kernel_size', 'stride', 'padding', 'ceil_mode', 'output_size']) {
      if (name.startsWith('adaptive')) break;
      for (const value of ['x', {}, revoked(), ...hugeLists(), 2 ** 32, -1]) {
        if (name.startsWith('lp') && (key === 'padding' || key === 'output_size')) continue;
        if (!name.startsWith('maxUnpool') && key === 'output_size') continue;
        if (name.startsWith('maxUnpool') && key === 'ceil_mode') continue;
        const options = { ...(args[args.length - 1] as object), [key]: value };
        refuses(() => fn(...args.slice(0, -1), options), undefined, `${name} ${key} = ${label(value)}`);
      }
    }
  }
});

test('torch arguments are read once: a getter that changes its answer is planned with its first answer', () => {
  const x = { shape: [1, 1, 4], data: Float32Array.of(1, 2, 3, 4) };
  const args = counting({ kernel_size: counting([2]).proxy, stride: 2, ceil_mode: false });
  assert.deepEqual([...torch.avgPool1d(x, args.proxy as never).data], [1.5, 3.5]);
  assertReadOnce(args.reads, 'args');
  const fickle = flipping({ stride: 2 }, 'kernel_size', 2, undefined);
  assert.deepEqual([...torch.maxPool1d(x, fickle as never).data], [2, 4]);
  const input = counting({ shape: counting([1, 1, 4]).proxy, data: x.data });
  assert.deepEqual([...torch.maxPool1d(input.proxy, { kernel_size: 2, return_indices: true })[1].data], [1, 3]);
  assertReadOnce(input.reads, 'input');
});
