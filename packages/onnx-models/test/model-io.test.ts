import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { ModelProtoSchema, NodeProtoSchema, StringStringEntryProtoSchema, TensorProtoSchema, TensorProto_DataLocation, type NodeProto } from 'onnx-buf';
import { PoolingError } from 'tensor-pooling';
import { inspectOnnxModel, rewriteOnnxModel } from '../src/index.js';
import { floatInitializer, modelMessage, node, poolModel, randomFloats, valueInfo } from './models.js';

/** An initializer whose data lies in another file, as models over 2 GB keep their weights. */
function externalInitializer() {
  const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
  return create(TensorProtoSchema, {
    name: 'unused_weights',
    dims: [1024n, 1024n],
    dataType: 1,
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: [entry('location', 'weights.bin'), entry('offset', '0'), entry('length', '4194304')],
  });
}

/** A small CNN whose graph and model carry fields onnx.proto does not know, and a raw_data initializer. */
function modelWithUnknownFields(ceil: number): Uint8Array {
  const message = modelMessage({
    nodes: [
      node({ opType: 'Conv', inputs: ['X', 'W'], outputs: ['c'], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, name: 'conv' }),
      node({ opType: 'MaxPool', inputs: ['c'], outputs: ['p'], attributes: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: ceil }, name: 'pool' }),
      node({ opType: 'Relu', inputs: ['p'], outputs: ['Y'], name: 'relu' }),
    ],
    inputs: [valueInfo('X', [1, 1, 8, 8])],
    outputs: [valueInfo('Y', [1, 2, 4, 4])],
    initializers: [floatInitializer('W', [2, 1, 3, 3], randomFloats(18, 5)), externalInitializer()],
    valueInfo: [valueInfo('c', [1, 2, 8, 8])],
  });
  const unknown = (no: number, data: number[]) => ({ no, wireType: WireType.Varint, data: Uint8Array.from(data) });
  message.$unknown = [unknown(1000, [0x80, 0x01])];
  message.graph!.$unknown = [unknown(999, [7])];
  message.graph!.node[2]!.$unknown = [unknown(77, [1])];
  return toBinary(ModelProtoSchema, message);
}

function assertCoded(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PoolingError, `expected a PoolingError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('a model with nothing to rewrite comes back byte for byte, in a new array', () => {
  const bytes = modelWithUnknownFields(0);
  const before = bytes.slice();
  const { bytes: out, rewritten } = rewriteOnnxModel(bytes, { for: 'ort-web' });
  assert.deepEqual(rewritten, []);
  assert.notEqual(out, bytes);
  assert.deepEqual(out, before);
  assert.deepEqual(bytes, before);
});

test('a rewrite changes the one node: initializers, unknown fields and the other nodes keep their bytes', () => {
  const bytes = modelWithUnknownFields(1);
  const before = bytes.slice();
  const { bytes: out, rewritten } = rewriteOnnxModel(bytes, { for: 'ort-web' });
  assert.equal(rewritten.length, 1);
  assert.deepEqual(bytes, before, 'the input is never written to');
  const original = fromBinary(ModelProtoSchema, bytes);
  const changed = fromBinary(ModelProtoSchema, out);
  assert.deepEqual(changed.$unknown, original.$unknown);
  assert.deepEqual(changed.graph!.$unknown, original.graph!.$unknown);
  assert.ok(equals(NodeProtoSchema, changed.graph!.node[0]!, original.graph!.node[0]!));
  assert.ok(equals(NodeProtoSchema, changed.graph!.node[2]!, original.graph!.node[2]!));
  assert.deepEqual(changed.graph!.node[2]!.$unknown, original.graph!.node[2]!.$unknown);
  assert.ok(equals(TensorProtoSchema, changed.graph!.initializer[0]!, original.graph!.initializer[0]!));
  assert.ok(equals(TensorProtoSchema, changed.graph!.initializer[1]!, original.graph!.initializer[1]!));
  assert.equal(changed.graph!.initializer[1]!.externalData[0]!.value, 'weights.bin');
  // Every byte outside the rewritten node is the original's: the node's encoding is the only span that differs.
  const encoded = (n: NodeProto) => toBinary(NodeProtoSchema, n);
  const oldNode = encoded(original.graph!.node[1]!);
  const newNode = encoded(changed.graph!.node[1]!);
  const at = indexOf(bytes, oldNode);
  const atNew = indexOf(out, newNode);
  assert.ok(at > 0 && atNew > 0);
  const tail = bytes.length - (at + oldNode.length);
  assert.deepEqual(out.subarray(out.length - tail), bytes.subarray(bytes.length - tail));
  assert.equal(out.length - bytes.length, newNode.length - oldNode.length);
  assert.deepEqual(rewriteOnnxModel(out, { for: 'ort-web' }).bytes, out, 'the rewritten model needs nothing more');
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

test('bad files are refused with codes, and nothing is written', () => {
  const good = poolModel('MaxPool', { kernel_shape: [3], strides: [2], ceil_mode: 1 }, [1, 1, 6]);
  const truncated = good.slice(0, good.length - 9);
  const copy = truncated.slice();
  for (const call of [(b: Uint8Array) => inspectOnnxModel(b), (b: Uint8Array) => rewriteOnnxModel(b, { for: 'ort-web' })]) {
    assertCoded(() => call(truncated), 'INVALID_PARAMETER', /not an ONNX model/);
    assertCoded(() => call(new TextEncoder().encode('ir_version: 8\ngraph { name: "text format, not binary" }\n')), 'INVALID_PARAMETER', /not an ONNX model/);
    assertCoded(() => call(new Uint8Array(0)), 'INVALID_PARAMETER', /empty/);
    assertCoded(() => call([1, 2, 3] as unknown as Uint8Array), 'INVALID_PARAMETER', /must be a Uint8Array/);
    assertCoded(() => call(toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n }))), 'INVALID_PARAMETER', /no graph/);
  }
  assert.deepEqual(truncated, copy);
});

test('a pooling node under an opset newer than the known ones, or missing what it needs, is refused', () => {
  assertCoded(() => inspectOnnxModel(poolModel('AveragePool', { kernel_shape: [2] }, [1, 1, 4], 26)), 'UNSUPPORTED_OPTION', /opset 26 .*known for opsets 1 to 25/);
  assertCoded(() => inspectOnnxModel(poolModel('AveragePool', { strides: [2] }, [1, 1, 4])), 'INVALID_PARAMETER', /node "pool" \(AveragePool\): kernel_shape is required/);
  assertCoded(() => inspectOnnxModel(poolModel('MaxPool', { kernel_shape: [2], ceil_mode: 1 }, [1, 1, 4], 9)), 'INVALID_PARAMETER', /"ceil_mode" is not an attribute of MaxPool at opset 9 \(it was added in opset 10\)/);
  assertCoded(() => inspectOnnxModel(poolModel('MaxPool', { kernel_shape: [2], kernal: 1 }, [1, 1, 4])), 'INVALID_PARAMETER', /"kernal" is not an attribute of MaxPool/);
  assertCoded(() => inspectOnnxModel(poolModel('MaxUnpool', { kernel_shape: [2] }, [1, 1, 4], 8)), 'INVALID_PARAMETER', /MaxUnpool exists from opset 9/);
  assertCoded(() => inspectOnnxModel(poolModel('MaxPool', { kernel_shape: { float: 2 } as never }, [1, 1, 4])), 'INVALID_PARAMETER', /FLOAT/);
  // The same opset is fine when the model has no pooling node to misread.
  assert.equal(inspectOnnxModel(modelOf('Relu', 26)).poolingNodes.length, 0);
});

function modelOf(opType: string, opset: number): Uint8Array {
  return toBinary(
    ModelProtoSchema,
    modelMessage({ nodes: [node({ opType, inputs: ['X'], outputs: ['Y'] })], inputs: [valueInfo('X', [1])], outputs: [valueInfo('Y', [1])], opset }),
  );
}

test('options are checked: the rewrite target, and shapes naming values of the graph', () => {
  const bytes = poolModel('MaxPool', { kernel_shape: [3], strides: [2], ceil_mode: 1 }, ['N', 1, 6]);
  assertCoded(() => rewriteOnnxModel(bytes, { for: 'ort-webgl' as 'ort-web' }), 'INVALID_PARAMETER', /options.for must be "ort-web"; got "ort-webgl"/);
  assertCoded(() => rewriteOnnxModel(bytes, undefined as never), 'INVALID_PARAMETER', /options must be an object/);
  assertCoded(() => inspectOnnxModel(bytes, { inputShapes: { x: [1, 1, 6] } }), 'INVALID_PARAMETER', /names "x", which is no value/);
  assertCoded(() => inspectOnnxModel(bytes, { inputShapes: { X: [1, -1, 6] } }), 'INVALID_PARAMETER', /inputShapes\["X"\] must be a list of non-negative integers/);
  assertCoded(() => inspectOnnxModel(bytes, { shapes: {} } as never), 'INVALID_PARAMETER', /options has no "shapes"/);
});
