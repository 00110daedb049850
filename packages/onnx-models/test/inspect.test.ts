import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnnxNode } from 'tensor-pooling';
import { inspectOnnxModel, type RuntimeVerdict } from '../src/index.js';
import { create } from '@bufbuild/protobuf';
import { AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema } from 'onnx-buf';
import { int64Initializer, model, node, poolModel, valueInfo } from './models.js';

function verdictOf(runtimes: readonly RuntimeVerdict[], runtime: string): RuntimeVerdict {
  return runtimes.find((r) => r.runtime === runtime)!;
}

test("RT-DETR's AveragePool (2x2, stride 2, ceil_mode, count_include_pad): shapes, sizing, and WebGPU refusing it", () => {
  const report = inspectOnnxModel(poolModel('AveragePool', { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 }, [1, 3, 5, 5]));
  assert.equal(report.opset, 22);
  assert.equal(report.poolingNodes.length, 1);
  const pool = report.poolingNodes[0]!;
  assert.equal(pool.name, 'pool');
  assert.match(pool.description, /average over a 2x2 window, stride 2x2, no padding, ceil mode .*padding counts in the divisor/);
  assert.deepEqual(pool.input, { name: 'X', shape: [1, 3, 5, 5], shapeFrom: 'model' });
  assert.deepEqual(pool.output.shape, [1, 3, 3, 3]);
  assert.deepEqual(pool.output.declaredShape, ['y0', 'y1', 'y2', 'y3']);
  assert.deepEqual(pool.axes.map((a) => [a.name, a.size, a.out, a.rule, a.padBegin, a.padEnd]), [['H', 5, 3, 'ceil', 0, 0], ['W', 5, 3, 'ceil', 0, 0]]);
  assert.match(pool.axes[0]!.formula, /ceil\(1\.5\) \+ 1 = 3/);
  assert.equal(verdictOf(pool.runtimes, 'onnxruntime-cpu').verdict, 'spec');
  assert.equal(verdictOf(pool.runtimes, 'onnxruntime-web-wasm').verdict, 'spec');
  const webgpu = verdictOf(pool.runtimes, 'onnxruntime-web-webgpu');
  assert.equal(webgpu.verdict, 'refuses');
  assert.equal(webgpu.tested, false);
  assert.match(webgpu.reasons[0]!, /refuses: throws "using ceil\(\) in shape computation.*onnxruntime #21206.*not tested here/);
});

test('the output shape is the one runOnnxNode gives, in 1-D, 2-D and 3-D', () => {
  const cases: [string, Record<string, number | string | number[]>, number[]][] = [
    ['MaxPool', { kernel_shape: [3], strides: [2], ceil_mode: 1 }, [1, 2, 6]],
    ['MaxPool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, [1, 1, 8, 8]],
    ['AveragePool', { kernel_shape: [2, 2, 2], strides: [2, 2, 2], ceil_mode: 1 }, [1, 1, 3, 5, 4]],
    ['LpPool', { kernel_shape: [2, 3], auto_pad: 'SAME_LOWER', p: 3 }, [2, 1, 5, 7]],
    ['GlobalAveragePool', {}, [1, 4, 3, 3]],
  ];
  for (const [opType, attributes, shape] of cases) {
    const pool = inspectOnnxModel(poolModel(opType, attributes, shape)).poolingNodes[0]!;
    const x = { shape, data: new Float32Array(shape.reduce((p, d) => p * d, 1)) };
    const [y] = runOnnxNode(opType as 'MaxPool', attributes, [x], opType === 'MaxPool' ? { outputs: ['Y'] } : undefined);
    assert.deepEqual(pool.output.shape, y!.shape, `${opType} ${JSON.stringify(attributes)}`);
    assert.equal(pool.axes.length, shape.length - 2);
  }
  const same = inspectOnnxModel(poolModel('LpPool', { kernel_shape: [2, 3], auto_pad: 'SAME_LOWER', p: 3 }, [2, 1, 5, 7]));
  assert.deepEqual(same.poolingNodes[0]!.axes.map((a) => [a.rule, a.padBegin, a.padEnd]), [['same', 1, 0], ['same', 1, 1]]);
  assert.equal(inspectOnnxModel(poolModel('GlobalAveragePool', {}, [1, 4, 3, 3])).poolingNodes[0]!.axes[0]!.rule, 'global');
});

test('a symbolic input shape leaves the node described but unsized until inputShapes gives it', () => {
  const bytes = poolModel('AveragePool', { kernel_shape: [3], strides: [2], auto_pad: 'VALID', ceil_mode: 1 }, ['batch', 1, 'length']);
  const unsized = inspectOnnxModel(bytes).poolingNodes[0]!;
  assert.deepEqual(unsized.input, { name: 'X', shape: ['batch', 1, 'length'], shapeFrom: 'unknown' });
  assert.equal(unsized.output.shape, null);
  assert.deepEqual(unsized.axes, []);
  const cpu = verdictOf(unsized.runtimes, 'onnxruntime-cpu');
  assert.equal(cpu.verdict, 'unknown');
  assert.match(cpu.reasons[0]!, /may differ, depending on the input shape/);
  const sized = inspectOnnxModel(bytes, { inputShapes: { X: [1, 1, 6] } }).poolingNodes[0]!;
  assert.equal(sized.input.shapeFrom, 'inputShapes');
  assert.deepEqual(sized.output.shape, [1, 1, 2]);
  assert.equal(verdictOf(sized.runtimes, 'onnxruntime-cpu').verdict, 'wrong');
  assert.equal(verdictOf(inspectOnnxModel(bytes, { inputShapes: { X: [1, 1, 7] } }).poolingNodes[0]!.runtimes, 'onnxruntime-cpu').verdict, 'spec');
});

test('a node the dialect refuses on its shape is reported, not thrown', () => {
  const pool = inspectOnnxModel(poolModel('MaxPool', { kernel_shape: [4] }, [1, 1, 3])).poolingNodes[0]!;
  assert.equal(pool.output.shape, null);
  assert.equal(pool.refused?.code, 'OUTPUT_EMPTY');
});

test('pooling nodes inside a CNN are found in graph order; value_info gives their shapes', () => {
  const bytes = model({
    nodes: [
      node({ opType: 'Relu', inputs: ['X'], outputs: ['r'] }),
      node({ opType: 'MaxPool', inputs: ['r'], outputs: ['m', 'i'], attributes: { kernel_shape: [2, 2], strides: [2, 2] } }),
      node({ opType: 'MaxUnpool', inputs: ['m', 'i', 'size'], outputs: ['u'], attributes: { kernel_shape: [2, 2], strides: [2, 2] }, name: 'unpool' }),
      node({ opType: 'GlobalMaxPool', inputs: ['u'], outputs: ['Y'], name: 'global' }),
    ],
    inputs: [valueInfo('X', [1, 2, 4, 4])],
    outputs: [valueInfo('Y', [1, 2, 1, 1])],
    initializers: [int64Initializer('size', [1, 2, 5, 5])],
    valueInfo: [valueInfo('r', [1, 2, 4, 4]), valueInfo('m', [1, 2, 2, 2])],
  });
  const report = inspectOnnxModel(bytes);
  assert.equal(report.nodeCount, 4);
  assert.deepEqual(report.poolingNodes.map((n) => [n.index, n.name, n.opType]), [[1, '#1', 'MaxPool'], [2, 'unpool', 'MaxUnpool'], [3, 'global', 'GlobalMaxPool']]);
  const [max, unpool, global] = report.poolingNodes;
  assert.match(max!.description, /with its Indices/);
  assert.equal(verdictOf(max!.runtimes, 'onnxruntime-web-webgpu').verdict, 'refuses');
  assert.deepEqual(unpool!.output.shape, [1, 2, 5, 5]);
  assert.equal(global!.input.shapeFrom, 'unknown');
  assert.deepEqual(inspectOnnxModel(bytes, { inputShapes: { u: [1, 2, 5, 5] } }).poolingNodes[2]!.output.shape, [1, 2, 1, 1]);
});

test('pooling nodes inside subgraphs are counted as not inspected', () => {
  const body = create(GraphProtoSchema, {
    name: 'then',
    node: [node({ opType: 'MaxPool', inputs: ['X'], outputs: ['t'], attributes: { kernel_shape: [2], ceil_mode: 1 } })],
    output: [valueInfo('t', [1, 1, 2])],
  });
  const branch = create(AttributeProtoSchema, { name: 'then_branch', type: AttributeProto_AttributeType.GRAPH, g: body });
  const ifNode = node({ opType: 'If', inputs: ['cond'], outputs: ['Y'] });
  ifNode.attribute.push(branch, create(AttributeProtoSchema, { name: 'else_branch', type: AttributeProto_AttributeType.GRAPH, g: body }));
  const bytes = model({ nodes: [ifNode], inputs: [valueInfo('X', [1, 1, 4]), valueInfo('cond', [], 9)], outputs: [valueInfo('Y', [1, 1, 2])] });
  const report = inspectOnnxModel(bytes);
  assert.equal(report.poolingNodes.length, 0);
  assert.equal(report.nestedPoolingNodes, 2);
  assert.equal(inspectOnnxModel(poolModel('MaxPool', { kernel_shape: [2] }, [1, 1, 4])).nestedPoolingNodes, 0);
});
