/**
 * Where onnxruntime-node 1.30 (CPU provider) and the ONNX dialect differ, pinned with minimal
 * reproducers: each test asserts the peer's exact output next to ours, so it fails the day the
 * peer changes. docs/peer-differences.md explains each case and which side follows the spec.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runOnnxNode, type OnnxTensor } from '../../src/index.js';
import { releaseOrtSessions, runOrtNode, type OrtTensor } from '@tensor-pooling/test-kit/onnx-runtime';
import type { PoolAttributes } from '@tensor-pooling/test-kit/onnx-cases';
import { FLOAT32_MAX } from '@tensor-pooling/test-kit/compare';

after(releaseOrtSessions);

function input(shape: number[], values: number[]): { shape: number[]; data: Float32Array } {
  return { shape, data: Float32Array.from(values) };
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function bothSides(
  opType: 'AveragePool' | 'MaxPool' | 'LpPool' | 'GlobalAveragePool',
  attributes: PoolAttributes,
  x: { shape: number[]; data: Float32Array },
  opset?: number,
): Promise<{ ours: OnnxTensor[]; peer: OrtTensor[] }> {
  const outputTypes = opType === 'MaxPool' ? (['float32', 'int64'] as const) : (['float32'] as const);
  const peer = await runOrtNode({ opType, attributes, inputs: [x], outputTypes: [...outputTypes], ...(opset ? { opset } : {}) });
  return { ours: runOnnxNode(opType, attributes, [x]), peer };
}

const plain = (t: OnnxTensor | OrtTensor | undefined) => ({
  shape: [...t!.shape],
  data: Array.from(t!.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
});

test('SAME_UPPER / SAME_LOWER with dilations: onnxruntime pads for the undilated kernel and loses outputs', async () => {
  // L=5, k=2, d=2 (effective 3), s=1. Spec: out = ceil(5/1) = 5, total pad = 4*1 + 3 - 5 = 2.
  // onnxruntime computes the pad from k=2 (total 1) but sizes windows with k_eff=3: out = 5+1-3+1 = 4.
  const x = input([1, 1, 5], oneToN(5));
  const upper = await bothSides('AveragePool', { kernel_shape: [2], dilations: [2], auto_pad: 'SAME_UPPER' }, x);
  assert.deepEqual(plain(upper.ours[0]), { shape: [1, 1, 5], data: [2, 2, 3, 4, 4] });
  assert.deepEqual(plain(upper.peer[0]), { shape: [1, 1, 4], data: [2, 3, 4, 4] });
  const lower = await bothSides('AveragePool', { kernel_shape: [2], dilations: [2], auto_pad: 'SAME_LOWER' }, x);
  assert.deepEqual(plain(lower.ours[0]), { shape: [1, 1, 5], data: [2, 2, 3, 4, 4] });
  assert.deepEqual(plain(lower.peer[0]), { shape: [1, 1, 4], data: [2, 2, 3, 4] });
  // On a length-1 axis the peer's output is empty. The spec's one window pads 1+1 and its taps
  // (-1 and 1) both fall in the padding, so the max over nothing is -Infinity.
  const single = await bothSides('MaxPool', { kernel_shape: [2], dilations: [2], auto_pad: 'SAME_UPPER' }, input([1, 1, 1], [7]));
  assert.deepEqual(plain(single.ours[0]), { shape: [1, 1, 1], data: [-Infinity] });
  assert.deepEqual(plain(single.peer[0]), { shape: [1, 1, 0], data: [] });
});

test('SAME_UPPER with a stride above the kernel: onnxruntime splits a negative total pad and shifts the windows', async () => {
  // L=6, k=1, s=3: out = 2 and (2-1)*3 + 1 - 6 = -2. TF and Keras clamp the total at 0 (windows at
  // 0 and 3); onnxruntime keeps -2, begins at -2/2 = -1, so its windows sit at 1 and 4.
  const x = input([1, 1, 6], oneToN(6));
  const upper = await bothSides('MaxPool', { kernel_shape: [1], strides: [3], auto_pad: 'SAME_UPPER' }, x);
  assert.deepEqual(plain(upper.ours[0]), { shape: [1, 1, 2], data: [1, 4] });
  assert.deepEqual(plain(upper.ours[1]), { shape: [1, 1, 2], data: [0, 3] });
  assert.deepEqual(plain(upper.peer[0]), { shape: [1, 1, 2], data: [2, 5] });
  assert.deepEqual(plain(upper.peer[1]), { shape: [1, 1, 2], data: [1, 4] });
  // SAME_LOWER begins at (-2 + 1) / 2, which C++ truncates to 0: there the two agree.
  const lower = await bothSides('MaxPool', { kernel_shape: [1], strides: [3], auto_pad: 'SAME_LOWER' }, x);
  assert.deepEqual(plain(lower.peer[0]), plain(lower.ours[0]));
});

test('VALID with ceil_mode: onnxruntime rounds up, the spec formula does not', async () => {
  // Spec: VALID out = ceil((L - k_eff + 1) / s) = ceil((6 - 3 + 1) / 2) = 2, whatever ceil_mode says.
  const x = input([1, 1, 6], oneToN(6));
  const { ours, peer } = await bothSides('MaxPool', { kernel_shape: [3], strides: [2], auto_pad: 'VALID', ceil_mode: 1 }, x);
  assert.deepEqual(plain(ours[0]), { shape: [1, 1, 2], data: [3, 5] });
  assert.deepEqual(plain(peer[0]), { shape: [1, 1, 3], data: [3, 5, 6] });
});

test('MaxPool over a window with no input position: onnxruntime gives -FLT_MAX and a negative pseudo-index', async () => {
  // k=2, dilation 2, pads 1+1 on a length-1 axis: the taps sit at -1 and 1, both padding.
  const oneD = await bothSides('MaxPool', { kernel_shape: [2], dilations: [2], pads: [1, 1] }, input([1, 1, 1], [5]));
  assert.deepEqual(plain(oneD.ours[0]), { shape: [1, 1, 1], data: [-Infinity] });
  assert.deepEqual(plain(oneD.ours[1]), { shape: [1, 1, 1], data: [-1] });
  assert.deepEqual(plain(oneD.peer[0]), { shape: [1, 1, 1], data: [-FLOAT32_MAX] });
  assert.deepEqual(plain(oneD.peer[1]), { shape: [1, 1, 1], data: [-1] });
  // In 2-D the peer flattens the coordinates (-1, -1) inside the plane: plane * H * W - W - 1.
  const twoD = await bothSides(
    'MaxPool',
    { kernel_shape: [2, 1], dilations: [2, 1], pads: [1, 0, 1, 0] },
    input([1, 2, 1, 3], oneToN(6)),
  );
  assert.deepEqual(plain(twoD.ours[1]).data, [-1, -1, -1, -1, -1, -1]);
  assert.deepEqual(plain(twoD.peer[1]).data, [-4, -4, -4, -1, -1, -1]);
});

test('MaxPool with NaN: onnxruntime keeps a NaN only when it is the first tap of its window', async () => {
  const x = input([1, 1, 4], [1, NaN, 3, 4]);
  const { ours, peer } = await bothSides('MaxPool', { kernel_shape: [3] }, x);
  assert.deepEqual(plain(ours[0]).data, [NaN, NaN]);
  assert.deepEqual(plain(ours[1]).data, [1, 1]);
  assert.deepEqual(plain(peer[0]).data, [3, NaN]);
  assert.deepEqual(plain(peer[1]).data, [2, 1]);
});

test('pads of at least the kernel: onnxruntime refuses them, the ONNX dialect pools over them', async () => {
  const x = input([1, 1, 3], [1, 2, 3]);
  const attributes = { kernel_shape: [2], pads: [2, 0] };
  await assert.rejects(
    runOrtNode({ opType: 'AveragePool', attributes, inputs: [x], outputTypes: ['float32'] }),
    /Pad should be smaller than kernel/,
  );
  // Windows start at -2, -1, 0, 1: the first holds padding only, which averages to 0.
  assert.deepEqual(plain(runOnnxNode('AveragePool', attributes, [x])[0]), { shape: [1, 1, 4], data: [0, 1, 1.5, 2.5] });
});

test('ceil_mode with count_include_pad: onnxruntime 1.30 divides like the spec at every opset (the old full-kernel divisor is gone)', async () => {
  // 4x4 arange(1..16), k=3, s=2, pads 1: the window at (0, 2) covers rows -1..1 and columns 3..5;
  // column 5 lies past the end padding, so the divisor is 3*2 = 6 and the value (4+8)/6 = 2.
  // Before microsoft/onnxruntime#16752 (opset 19) and #29629 (opsets 7-18) it was 12/9.
  const x = input([1, 1, 4, 4], oneToN(16));
  const attributes = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 };
  for (const opset of [10, 11, 18, 19, 22]) {
    const { ours, peer } = await bothSides('AveragePool', attributes, x, opset);
    assert.deepEqual(plain(peer[0]).shape, [1, 1, 3, 3]);
    assert.equal(plain(ours[0]).data[2], 2);
    assert.equal(plain(peer[0]).data[2], 2, `opset ${opset}`);
    plain(ours[0]).data.forEach((v, i) => assert.ok(Math.abs(v - plain(peer[0]).data[i]!) <= 1e-6 * Math.abs(v), `opset ${opset}`));
  }
});

test('float32 accumulation: onnxruntime loses digits on a large map, the dialect is within half an ulp', async () => {
  // 1024x1024 values in [1000, 1001): a float32 running sum reaches 1e9, where one ulp is 64.
  const side = 1024;
  const data = new Float32Array(side * side);
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = 1000 + state / 2 ** 32;
  }
  let sum = 0;
  for (const v of data) sum += v; // float64: exact to ~1e-7 here, far below a float32 ulp at 1000
  const exact = sum / data.length;
  const ulp = 2 ** -14; // float32 spacing in [512, 1024)
  const { ours, peer } = await bothSides('GlobalAveragePool', {}, { shape: [1, 1, side, side], data });
  const oursError = Math.abs(Number(ours[0]!.data[0]) - exact) / ulp;
  const peerError = Math.abs(Number(peer[0]!.data[0]) - exact) / ulp;
  assert.ok(oursError <= 0.5, `ours ${oursError} ulps`);
  // Measured: about 56000 ulps (1003.94 for a mean of 1000.51); the bound is (n - 1) u sum|x| / n.
  assert.ok(peerError > 1000, `peer ${peerError} ulps`);
  assert.ok(peerError < (side * side) * 2 ** -24 * 1001 / ulp, `peer ${peerError} ulps`);
});

test('operator coverage: onnxruntime 1.30 has no GlobalLpPool-22 and no float64 AveragePool', async () => {
  const x = input([1, 1, 2, 2], [1, 2, 3, 4]);
  await assert.rejects(
    runOrtNode({ opType: 'GlobalLpPool', attributes: {}, inputs: [x], outputTypes: ['float32'], opset: 22 }),
    /Could not find an implementation for GlobalLpPool\(22\)/,
  );
  const x64 = { shape: [1, 1, 2, 2], data: Float64Array.from([1, 2, 3, 4]) };
  await assert.rejects(
    runOrtNode({ opType: 'AveragePool', attributes: { kernel_shape: [2, 2] }, inputs: [x64], outputTypes: ['float64'] }),
    /Could not find an implementation for AveragePool\(22\)/,
  );
  assert.deepEqual(plain(runOnnxNode('AveragePool', { kernel_shape: [2, 2] }, [x64])[0]).data, [2.5]);
  assert.deepEqual(plain(runOnnxNode('GlobalLpPool', {}, [x])[0]).data, [Math.fround(Math.sqrt(30))]);
});

test('MaxUnpool with a larger output_shape: onnxruntime scatters straight into it and fails test_maxunpool_export_with_output_shape', async () => {
  // Indices 5, 7, 13, 15 address the 4x4 default output. ONNX's reference (and the backend test)
  // keep them at (1,1), (1,3), (3,1), (3,3) inside the 5x5 output; onnxruntime reads them as flat
  // positions of the 5x5 output: (1,0), (1,2), (2,3), (3,0).
  const xT = input([1, 1, 2, 2], [5, 6, 7, 8]);
  const xI = { shape: [1, 1, 2, 2], data: BigInt64Array.of(5n, 7n, 13n, 15n) };
  const outputShape = { shape: [4], data: BigInt64Array.of(1n, 1n, 5n, 5n) };
  const attributes = { kernel_shape: [2, 2], strides: [2, 2] };
  const [peer] = await runOrtNode({ opType: 'MaxUnpool', attributes, inputs: [xT, xI, outputShape], outputTypes: ['float32'] });
  const flatOf = (t: OnnxTensor | OrtTensor) => plain(t).data.flatMap((v, i) => (v === 0 ? [] : [[i, v]]));
  assert.deepEqual(flatOf(peer!), [[5, 5], [7, 6], [13, 7], [15, 8]]);
  assert.deepEqual(flatOf(runOnnxNode('MaxUnpool', attributes, [xT, xI, outputShape])[0]!), [[6, 5], [8, 6], [16, 7], [18, 8]]);
  // Both take an index into another (n, c) plane: channel 0's 1 goes to position 5, in channel 1.
  const x2 = input([1, 2, 1, 1], [1, 2]);
  const across = { shape: [1, 2, 1, 1], data: BigInt64Array.of(5n, 0n) };
  const [peerAcross] = await runOrtNode({ opType: 'MaxUnpool', attributes, inputs: [x2, across], outputTypes: ['float32'] });
  assert.deepEqual(plain(peerAcross), { shape: [1, 2, 2, 2], data: [2, 0, 0, 0, 0, 1, 0, 0] });
  assert.deepEqual(plain(runOnnxNode('MaxUnpool', attributes, [x2, across])[0]), plain(peerAcross));
  // Both refuse an output_shape that changes N or C or shrinks an axis.
  for (const dims of [[2n, 1n, 4n, 4n], [1n, 1n, 3n, 3n]]) {
    const shrunk = { shape: [4], data: BigInt64Array.from(dims) };
    await assert.rejects(runOrtNode({ opType: 'MaxUnpool', attributes, inputs: [xT, xI, shrunk], outputTypes: ['float32'] }));
    assert.throws(() => runOnnxNode('MaxUnpool', attributes, [xT, xI, shrunk]), { name: 'PoolingError', code: 'SHAPE_MISMATCH' });
  }
});

test('a window larger than the input: onnxruntime returns an empty tensor, the ONNX reference and the dialect refuse', async () => {
  // L=3, k=4: (3 - 4) / 1 + 1 = 0 outputs. The reference raises "output shape cannot be null or negative".
  const x = input([1, 1, 3], [1, 2, 3]);
  const [peer] = await runOrtNode({ opType: 'AveragePool', attributes: { kernel_shape: [4] }, inputs: [x], outputTypes: ['float32'] });
  assert.deepEqual(plain(peer), { shape: [1, 1, 0], data: [] });
  assert.throws(() => runOnnxNode('AveragePool', { kernel_shape: [4] }, [x]), { name: 'PoolingError', code: 'OUTPUT_EMPTY' });
  // k=5 gives -1: onnxruntime refuses too.
  await assert.rejects(runOrtNode({ opType: 'AveragePool', attributes: { kernel_shape: [5] }, inputs: [x], outputTypes: ['float32'] }));
});
