/** ONNX rules beyond the conformance vectors. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, runOnnxNode } from '../../src/index.js';
import { ONNX_OP_TYPES } from '../../src/dialects/onnx.js';
import { assertReadOnce, counting, flipping, hugeLists, label, refuses, revoked, WRONG_TYPES } from './hostile.js';

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

test('MaxUnpool takes MaxPool\'s whole-tensor indices back; an index may leave its plane, as in the reference', () => {
  const x = { shape: [1, 2, 2, 2], data: Float32Array.of(1, 5, 2, 0, 7, 3, 4, 8) };
  const [pooled, indices] = runOnnxNode('MaxPool', { kernel_shape: [2, 2] }, [x]);
  assert.deepEqual([...indices!.data], [1n, 7n]);
  const [restored] = runOnnxNode('MaxUnpool', { kernel_shape: [2, 2] }, [pooled, indices]);
  assert.deepEqual(restored!.shape, [1, 2, 2, 2]);
  assert.deepEqual([...restored!.data], [0, 5, 0, 0, 0, 0, 0, 8]);
  // onnx/reference/ops/op_max_unpool.py writes Y.flat[I] = X.flat: channel 1's 8 can land in channel 0.
  const crossing = { shape: [1, 2, 1, 1], data: BigInt64Array.of(1n, 2n) };
  assert.deepEqual([...runOnnxNode('MaxUnpool', { kernel_shape: [2, 2] }, [pooled, crossing])[0]!.data], [0, 5, 8, 0, 0, 0, 0, 0]);
  // The default output has 8 positions: 8 and -1 address none of them, nor does an int64 whose low
  // 32 bits alone would (int64 indices are read as two 32-bit words).
  for (const bad of [8n, -1n, 2n ** 32n + 1n, -(2n ** 32n) + 1n, 2n ** 31n, 2n ** 63n - 1n, -(2n ** 63n)]) {
    const e = refuses(() => runOnnxNode('MaxUnpool', { kernel_shape: [2, 2] }, [pooled, { shape: [1, 2, 1, 1], data: BigInt64Array.of(0n, bad) }]), 'INDEX_OUT_OF_RANGE');
    assert.match(e.message, new RegExp(`^MaxUnpool: I\\[1\\] = ${Number(bad)} is outside`), String(bad));
  }
  // int64 indices in a view at an offset into a larger buffer are read where the view is.
  const padded = BigInt64Array.of(99n, 1n, 2n, 99n);
  const viewed = { shape: [1, 2, 1, 1], data: padded.subarray(1, 3) };
  assert.deepEqual([...runOnnxNode('MaxUnpool', { kernel_shape: [2, 2] }, [pooled, viewed])[0]!.data], [0, 5, 8, 0, 0, 0, 0, 0]);
});

test('MaxUnpool with a larger output_shape: the default output lands in its low corner (test_maxunpool_export_with_output_shape)', () => {
  const xT = { shape: [1, 1, 2, 2], data: Float32Array.of(5, 6, 7, 8) };
  const xI = { shape: [1, 1, 2, 2], data: BigInt64Array.of(5n, 7n, 13n, 15n) };
  const shape = (...dims: bigint[]) => ({ shape: [dims.length], data: BigInt64Array.of(...dims) });
  // 5, 7, 13, 15 are (1, 1), (1, 3), (3, 1), (3, 3) of the 4x4 default, and stay there in 5x5.
  const [y] = runOnnxNode('MaxUnpool', { kernel_shape: [2, 2], strides: [2, 2] }, [xT, xI, shape(1n, 1n, 5n, 5n)]);
  assert.deepEqual(y!.shape, [1, 1, 5, 5]);
  const at = (r: number, c: number) => y!.data[r * 5 + c];
  assert.deepEqual([at(1, 1), at(1, 3), at(3, 1), at(3, 3)], [5, 6, 7, 8]);
  assert.equal([...y!.data].reduce((p: number, v) => p + Number(v), 0), 26);
  // Two planes and a 1-D output two longer than the default: plane c keeps its positions.
  const two = { shape: [1, 2, 2], data: Float64Array.of(1, 2, 3, 4) };
  const twoAt = { shape: [1, 2, 2], data: BigInt64Array.of(0n, 3n, 4n, 7n) };
  const [wide] = runOnnxNode('MaxUnpool', { kernel_shape: [2], strides: [2] }, [two, twoAt, shape(1n, 2n, 6n)]);
  assert.deepEqual([...wide!.data], [1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0]);
  // N and C must be X's; no axis may be smaller than the default (onnxruntime refuses both too).
  for (const dims of [[2n, 1n, 5n, 5n], [1n, 2n, 5n, 5n], [1n, 1n, 3n, 5n], [1n, 1n, 5n]]) {
    const e = refuses(() => runOnnxNode('MaxUnpool', { kernel_shape: [2, 2], strides: [2, 2] }, [xT, xI, shape(...dims)]), 'SHAPE_MISMATCH');
    assert.match(e.message, /output_shape/);
  }
});

test('windows larger than the padded input are an error, as in ONNX\'s reference (onnxruntime returns an empty tensor)', () => {
  const x = { shape: [1, 1, 3], data: Float32Array.of(1, 2, 3) };
  for (const op of ['AveragePool', 'MaxPool', 'LpPool'] as const) {
    refuses(() => runOnnxNode(op, { kernel_shape: [4] }, [x]), 'OUTPUT_EMPTY', op);
    refuses(() => runOnnxNode(op, { kernel_shape: [4], auto_pad: 'VALID' }, [x]), 'OUTPUT_EMPTY', op);
  }
});

test('MaxPool on integer data checks shape and length before widening anything', () => {
  const from = Float64Array.from;
  // A widening before the checks would call Float64Array.from on the caller's bytes.
  Float64Array.from = () => {
    throw new Error('widened before checking');
  };
  try {
    refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2, 2] }, [{ shape: [1, 1, 4, 4], data: new Uint8Array(15) }]), 'DATA_LENGTH_MISMATCH');
    refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2] }, [{ shape: [1, 1, 4, 4], data: new Uint8Array(16) }]), 'INVALID_RANK');
    refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2, 2], pads: [1] }, [{ shape: [1, 1, 4, 4], data: new Uint8Array(16) }]), 'INVALID_PARAMETER');
    refuses(() => runOnnxNode('GlobalMaxPool', {}, [{ shape: [1, 1, 2 ** 16, 2 ** 16], data: new Uint8Array(4) }]), 'SIZE_TOO_LARGE');
  } finally {
    Float64Array.from = from;
  }
});

test('every input, attribute map and input list of the wrong type is a coded error', () => {
  const x = { shape: [1, 1, 4], data: new Float32Array(4) };
  const indices = { shape: [1, 1, 2], data: BigInt64Array.of(0n, 2n) };
  const pooled = { shape: [1, 1, 2], data: new Float32Array(2) };
  for (const op of ONNX_OP_TYPES) {
    const attrs = op.startsWith('Global') ? {} : { kernel_shape: [2], strides: [2] };
    const inputs = op === 'MaxUnpool' ? [pooled, indices] : [x];
    for (const bad of [...WRONG_TYPES, revoked(), { shape: [1, 1, 4], data: [0, 0, 0, 0] }, { shape: 'x', data: new Float32Array(4) }]) {
      if (bad !== undefined) refuses(() => runOnnxNode(op, bad as never, inputs), undefined, `${op} attrs ${label(bad)}`);
      refuses(() => runOnnxNode(op, attrs, bad as never), undefined, `${op} inputs ${label(bad)}`);
      inputs.forEach((_, i) => {
        const withBad = inputs.map((t, j) => (i === j ? bad : t));
        refuses(() => runOnnxNode(op, attrs, withBad as never), undefined, `${op} input ${i} ${label(bad)}`);
      });
      if (op === 'MaxUnpool' && bad !== undefined) refuses(() => runOnnxNode(op, attrs, [pooled, indices, bad] as never), undefined, `output_shape ${label(bad)}`);
      if (!op.startsWith('Global')) refuses(() => runOnnxNode(op, { ...attrs, kernel_shape: bad } as never, inputs), undefined, `${op} kernel_shape ${label(bad)}`);
    }
    // More inputs than the operator has.
    refuses(() => runOnnxNode(op, attrs, [...inputs, x, x]), 'INVALID_PARAMETER', op);
  }
  // A Proxy over a typed array passes instanceof but is no typed array.
  refuses(() => runOnnxNode('AveragePool', { kernel_shape: [2] }, [{ shape: [1, 1, 4], data: new Proxy(new Float32Array(4), {}) }]), 'UNSUPPORTED_DTYPE');
});

test('attributes and inputs are read once: a getter that changes its answer cannot split validation from planning', () => {
  const x = { shape: [1, 1, 4], data: Float32Array.of(1, 2, 3, 4) };
  const attrs = counting({ kernel_shape: counting([2]).proxy, strides: [2], pads: [0, 0] });
  const input = counting({ shape: counting([1, 1, 4]).proxy, data: x.data });
  assert.deepEqual([...runOnnxNode('AveragePool', attrs.proxy, [input.proxy])[0]!.data], [1.5, 3.5]);
  assertReadOnce(attrs.reads, 'attrs');
  assertReadOnce(input.reads, 'X');
  // kernel_shape answers [2] first and [7] afterwards: the first answer is the one planned.
  const fickle = flipping({ strides: [2] }, 'kernel_shape', [2], [7]);
  assert.deepEqual([...runOnnxNode('AveragePool', fickle as never, [x])[0]!.data], [1.5, 3.5]);
  const fickleX = flipping({ data: x.data }, 'shape', [1, 1, 4], [1, 1, 2, 2]);
  assert.deepEqual(runOnnxNode('MaxPool', { kernel_shape: [2], strides: [2] }, [fickleX as never])[0]!.shape, [1, 1, 2]);
});

test('huge attribute lists and values are refused at once, with short messages', () => {
  const x = { shape: [1, 1, 4], data: new Float32Array(4) };
  for (const list of hugeLists()) {
    for (const name of ['kernel_shape', 'strides', 'pads', 'dilations']) {
      refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2], [name]: list } as never, [x]), undefined, name);
    }
    refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2] }, list as never), 'INVALID_PARAMETER', 'inputs');
    refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2] }, [{ shape: list, data: new Float32Array(4) }] as never), undefined, 'shape');
  }
  for (const value of [2 ** 32, 2 ** 40, 2 ** 53, 1e300]) {
    refuses(() => runOnnxNode('AveragePool', { kernel_shape: [value] }, [x]), 'INVALID_PARAMETER', `kernel ${value}`);
    refuses(() => runOnnxNode('AveragePool', { kernel_shape: [2], pads: [value, 0] }, [x]), 'INVALID_PARAMETER', `pads ${value}`);
    refuses(() => runOnnxNode('LpPool', { kernel_shape: [2], p: value }, [x]), 'INVALID_PARAMETER', `p ${value}`);
  }
  const hugeAutoPad = 'x'.repeat(1e7);
  refuses(() => runOnnxNode('AveragePool', { kernel_shape: [2], auto_pad: hugeAutoPad } as never, [x]), 'INVALID_PARAMETER', 'auto_pad');
  // The largest integers allowed still plan only arithmetic: a kernel past the input, a pad too large to allocate.
  refuses(() => runOnnxNode('AveragePool', { kernel_shape: [2 ** 31 - 1] }, [x]), 'OUTPUT_EMPTY');
  refuses(() => runOnnxNode('AveragePool', { kernel_shape: [1], pads: [2 ** 31 - 1, 2 ** 31 - 1] }, [x]), 'SIZE_TOO_LARGE');
  refuses(() => runOnnxNode('MaxUnpool', { kernel_shape: [2 ** 31 - 1] }, [x, { shape: [1, 1, 4], data: new BigInt64Array(4) }]), 'SIZE_TOO_LARGE');
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
