/**
 * Proof by running: each rewritten model, on onnxruntime-web's wasm backend in Node, gives the
 * original model's outputs on onnxruntime-node (bit for bit where the same kernels do the same
 * arithmetic, within float32 rounding where they do not), and the spec's (runOnnxNode) where
 * onnxruntime-node itself departs from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { runOnnxNode } from 'tensor-pooling';
import { inspectOnnxModel, rewriteOnnxModel } from '../src/index.js';
import type { TestAttribute } from './models.js';
import { floatInitializer, model, node, poolModel, randomFloats, valueInfo } from './models.js';
import { runModel } from './runners.js';

function assertBitsEqual(actual: { shape: readonly number[]; data: ArrayLike<number> }, expected: { shape: readonly number[]; data: ArrayLike<number> }, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  for (let i = 0; i < expected.data.length; i++) {
    if (!Object.is(actual.data[i], expected.data[i])) assert.fail(`${what}: element ${i} is ${actual.data[i]}, expected ${expected.data[i]}`);
  }
}

function assertWithinRounding(actual: { shape: readonly number[]; data: ArrayLike<number> }, expected: { shape: readonly number[]; data: ArrayLike<number> }, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!;
    // Inputs lie in [-1, 1) and windows hold at most 27 taps: float32 summation is off by at most
    // 27 * 2^-24 of the sum of |x|, under 2^-19, however much the values cancel.
    if (!(Math.abs(actual.data[i]! - e) <= 2 ** -19)) assert.fail(`${what}: element ${i} is ${actual.data[i]}, expected ${e}`);
  }
}

interface PoolCase {
  readonly opType: string;
  readonly attributes: Readonly<Record<string, TestAttribute>>;
  readonly shape: readonly number[];
  /** onnxruntime-node departs from the spec on the original: compare with runOnnxNode instead. */
  readonly originalDeparts?: boolean;
  /** Default 22. */
  readonly opset?: number;
  /**
   * onnxruntime runs the original and the rewritten node through different arithmetic (at opset
   * 10 its counted-padding average is MLAS's, which rounds differently): equal within rounding.
   */
  readonly roundingDiffers?: boolean;
}

const CASES: readonly PoolCase[] = [
  // Shaped like the issues': RT-DETR's AveragePool, pyannote's MaxPool1d, a background-removal MaxPool.
  { opType: 'AveragePool', attributes: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 }, shape: [1, 3, 5, 7] },
  { opType: 'MaxPool', attributes: { kernel_shape: [3], strides: [3], ceil_mode: 1 }, shape: [2, 4, 31] },
  { opType: 'MaxPool', attributes: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, shape: [1, 2, 10, 9] },
  { opType: 'MaxPool', attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, shape: [1, 2, 8, 8] },
  // count_include_pad with explicit pads and an overhang: a Pad node in front.
  { opType: 'AveragePool', attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, shape: [1, 2, 4, 6] },
  { opType: 'AveragePool', attributes: { kernel_shape: [3], strides: [2], pads: [1, 0], ceil_mode: 1, count_include_pad: 1 }, shape: [1, 1, 7] },
  { opType: 'AveragePool', attributes: { kernel_shape: [2, 2, 2], strides: [2, 2, 2], pads: [1, 0, 1, 0, 0, 0], ceil_mode: 1, count_include_pad: 1 }, shape: [1, 1, 4, 5, 4] },
  { opType: 'AveragePool', attributes: { kernel_shape: [3, 2, 2], strides: [2, 2, 2], ceil_mode: 1 }, shape: [1, 2, 6, 5, 3] },
  // Before opset 11, Pad takes its pads as an attribute.
  { opType: 'AveragePool', attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, shape: [1, 2, 4, 6], opset: 10, roundingDiffers: true },
  { opType: 'LpPool', attributes: { kernel_shape: [2, 3], strides: [2, 2], ceil_mode: 1, p: 2 }, shape: [1, 2, 5, 6] },
  // ceil_mode that adds no window: only the attribute goes.
  { opType: 'AveragePool', attributes: { kernel_shape: [2], strides: [2], ceil_mode: 1, count_include_pad: 1 }, shape: [1, 1, 6] },
  // auto_pad to explicit pads.
  { opType: 'MaxPool', attributes: { kernel_shape: [3, 2], strides: [2, 1], auto_pad: 'SAME_UPPER' }, shape: [1, 2, 7, 6] },
  { opType: 'AveragePool', attributes: { kernel_shape: [3], strides: [2], auto_pad: 'SAME_LOWER', count_include_pad: 1 }, shape: [1, 1, 8] },
  { opType: 'MaxPool', attributes: { kernel_shape: [2], dilations: [2], auto_pad: 'SAME_UPPER' }, shape: [1, 1, 5], originalDeparts: true },
  { opType: 'AveragePool', attributes: { kernel_shape: [3], strides: [2], auto_pad: 'VALID', ceil_mode: 1 }, shape: [1, 1, 6], originalDeparts: true },
];

for (const c of CASES) {
  test(`${c.opType} ${JSON.stringify(c.attributes)} on ${JSON.stringify(c.shape)}${c.opset === undefined ? '' : `, opset ${c.opset}`}: the rewrite runs on onnxruntime-web wasm with the same outputs`, async () => {
    const bytes = poolModel(c.opType, c.attributes, c.shape, c.opset);
    const { bytes: out, rewritten, leftAlone } = rewriteOnnxModel(bytes, { for: 'ort-web' });
    assert.deepEqual(leftAlone, []);
    assert.equal(rewritten.length, 1);
    const after = inspectOnnxModel(out).poolingNodes[0]!;
    assert.equal(after.attributes.ceil_mode, undefined);
    assert.equal(after.attributes.auto_pad, undefined);
    assert.ok(!after.runtimes.some((r) => r.reasons.some((reason) => /\[(webgpu-ceil-mode|valid-padding-with-ceil-mode|same-padding-with-dilation);/.test(reason))));
    assert.equal(after.runtimes.find((r) => r.runtime === 'onnxruntime-cpu')!.verdict, 'spec');
    const count = c.shape.reduce((p, d) => p * d, 1);
    for (const seed of [1, 2, 3]) {
      const x = { shape: c.shape, data: randomFloats(count, seed) };
      const expected = c.originalDeparts
        ? runOnnxNode(c.opType as 'MaxPool', c.attributes as never, [x], c.opType === 'MaxPool' ? { outputs: ['Y'] } : undefined)[0]!
        : (await runModel('onnxruntime-cpu', bytes, { X: x })).Y!;
      const y = (await runModel('onnxruntime-web-wasm', out, { X: x })).Y!;
      const cpu = (await runModel('onnxruntime-cpu', out, { X: x })).Y!;
      // Against the spec (runOnnxNode) an average differs in rounding only: the library rounds the
      // exact mean once, onnxruntime sums in float32 and divides. Against onnxruntime, bit for bit.
      const compare = (c.originalDeparts && c.opType !== 'MaxPool') || c.roundingDiffers ? assertWithinRounding : assertBitsEqual;
      compare(y as { shape: number[]; data: Float32Array }, expected as { shape: number[]; data: Float32Array }, `seed ${seed}`);
      compare(cpu as { shape: number[]; data: Float32Array }, expected as { shape: number[]; data: Float32Array }, `seed ${seed}, rewritten on onnxruntime-node`);
      if (c.roundingDiffers) {
        const spec = runOnnxNode(c.opType as 'AveragePool', c.attributes as never, [x])[0]!;
        assertWithinRounding(y as { shape: number[]; data: Float32Array }, spec as { shape: number[]; data: Float32Array }, `seed ${seed}, against the spec`);
      }
    }
  });
}

test('count_include_pad with explicit pads and an overhang becomes a Pad node in front, named apart from the graph', () => {
  const bytes = poolModel('AveragePool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, [1, 2, 4, 6]);
  const { bytes: out, rewritten } = rewriteOnnxModel(bytes, { for: 'ort-web' });
  assert.match(rewritten[0]!.change, /became a Pad node writing the explicit padding \[0, 0, 1, 1, 0, 0, 1, 1\] as zeros, then pads \[0, 0, 1, 1\] with count_include_pad 0/);
  const graph = fromBinary(ModelProtoSchema, out).graph!;
  assert.deepEqual(graph.node.map((n) => n.opType), ['Pad', 'AveragePool']);
  assert.deepEqual(graph.node[1]!.input, [graph.node[0]!.output[0]]);
  assert.deepEqual(graph.node[0]!.input, ['X', graph.initializer[0]!.name]);
});

test('nodes without a known shape, or with no exact form onnxruntime accepts, are left alone and the report says why', () => {
  const symbolic = poolModel('MaxPool', { kernel_shape: [3], strides: [2], ceil_mode: 1 }, ['N', 1, 'L']);
  const unknown = rewriteOnnxModel(symbolic, { for: 'ort-web' });
  assert.deepEqual(unknown.bytes, symbolic);
  assert.deepEqual(unknown.rewritten, []);
  assert.match(unknown.leftAlone[0]!.reason, /X's shape \(X\) is unknown: give it in inputShapes/);
  assert.equal(rewriteOnnxModel(symbolic, { for: 'ort-web', inputShapes: { X: [1, 1, 6] } }).rewritten.length, 1);
  // SAME with a dilated kernel needs pads of at least kernel_shape, which onnxruntime refuses.
  const wide = poolModel('MaxPool', { kernel_shape: [2], dilations: [4], auto_pad: 'SAME_UPPER' }, [1, 1, 9]);
  const refused = rewriteOnnxModel(wide, { for: 'ort-web' });
  assert.deepEqual(refused.bytes, wide);
  assert.match(refused.leftAlone[0]!.reason, /needs pads \[2, 2\], and onnxruntime refuses pads of at least kernel_shape \[2\]/);
  // Dilations on WebGPU: nothing to rewrite, but the report says the node will not be right there.
  const dilated = rewriteOnnxModel(poolModel('AveragePool', { kernel_shape: [2, 2], dilations: [2, 2] }, [1, 1, 5, 5]), { for: 'ort-web' });
  assert.deepEqual(dilated.rewritten, []);
  assert.match(dilated.leftAlone[0]!.reason, /no exact rewrite known: onnxruntime-web-webgpu wrong: sizes the output with the dilations but its 1-D\/2-D shader ignores them/);
});

test('a small CNN with pooling between convolutions: rewritten on onnxruntime-web wasm gives the original outputs on onnxruntime-node', async () => {
  const bytes = model({
    nodes: [
      node({ opType: 'Conv', inputs: ['X', 'W1', 'B1'], outputs: ['c1'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: 'conv1' }),
      node({ opType: 'Relu', inputs: ['c1'], outputs: ['r1'], name: 'relu1' }),
      node({ opType: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attributes: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, name: 'pool1' }),
      node({ opType: 'Conv', inputs: ['p1', 'W2'], outputs: ['c2'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: 'conv2' }),
      node({ opType: 'AveragePool', inputs: ['c2'], outputs: ['p2'], attributes: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0], ceil_mode: 1, count_include_pad: 1 }, name: 'pool2' }),
      node({ opType: 'Conv', inputs: ['p2', 'W3'], outputs: ['c3'], attributes: { kernel_shape: [1, 1] }, name: 'conv3' }),
      node({ opType: 'GlobalAveragePool', inputs: ['c3'], outputs: ['Y'], name: 'head' }),
    ],
    inputs: [valueInfo('X', [1, 3, 16, 14])],
    outputs: [valueInfo('Y', [1, 4, 1, 1])],
    initializers: [
      floatInitializer('W1', [8, 3, 3, 3], randomFloats(216, 11)),
      floatInitializer('B1', [8], randomFloats(8, 12)),
      floatInitializer('W2', [6, 8, 3, 3], randomFloats(432, 13)),
      floatInitializer('W3', [4, 6, 1, 1], randomFloats(24, 14)),
    ],
    valueInfo: [valueInfo('r1', [1, 8, 16, 14]), valueInfo('c2', [1, 6, 8, 7])],
  });
  const { bytes: out, rewritten, leftAlone } = rewriteOnnxModel(bytes, { for: 'ort-web' });
  assert.deepEqual(rewritten.map((r) => r.name), ['pool1', 'pool2']);
  assert.deepEqual(leftAlone, []);
  for (const seed of [21, 22, 23]) {
    const x = { shape: [1, 3, 16, 14], data: randomFloats(3 * 16 * 14, seed) };
    const expected = (await runModel('onnxruntime-cpu', bytes, { X: x })).Y!;
    const y = (await runModel('onnxruntime-web-wasm', out, { X: x })).Y!;
    assert.deepEqual(y.shape, expected.shape);
    // Convolutions go through different SIMD code in Node and in wasm: allow float32 rounding there.
    const e = expected.data as Float32Array;
    (y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= 1e-5 * Math.max(1, Math.abs(e[i]!)), `element ${i}: ${v} vs ${e[i]}`));
    assertBitsEqual((await runModel('onnxruntime-cpu', out, { X: x })).Y! as { shape: number[]; data: Float32Array }, { shape: expected.shape, data: e }, 'rewritten on onnxruntime-node');
  }
});
