/**
 * `tensor-pooling onnx inspect` and `onnx rewrite` as a user runs them: what they print, what they
 * write, and the exit codes of the other commands (0 ok, 2 bad usage or bad input).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, ModelProtoSchema, type ValueInfoProto } from 'onnx-buf';
import { inspectOnnxModel, rewriteOnnxModel } from 'tensor-pooling-onnx';
import { cli, workFolder } from './run-cli.js';

function value(name: string, dims: readonly (number | string)[]): ValueInfoProto {
  const dim = dims.map((d) => ({ value: typeof d === 'string' ? { case: 'dimParam' as const, value: d } : { case: 'dimValue' as const, value: BigInt(d) } }));
  return { name, type: { value: { case: 'tensorType', value: { elemType: 1, shape: { dim } } } } } as unknown as ValueInfoProto;
}

/** A model shaped like RT-DETR's AveragePool: 2x2, stride 2, ceil_mode, count_include_pad. */
function ceilModel(inputShape: readonly (number | string)[]): Uint8Array {
  const ints = (name: string, values: number[]) => ({ name, type: AttributeProto_AttributeType.INTS, ints: values.map(BigInt) });
  const int = (name: string, v: number) => ({ name, type: AttributeProto_AttributeType.INT, i: BigInt(v) });
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 10n,
      opsetImport: [{ domain: '', version: 22n }],
      graph: {
        name: 'g',
        node: [{ name: 'pool', opType: 'AveragePool', input: ['X'], output: ['Y'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), int('ceil_mode', 1), int('count_include_pad', 1)] }],
        input: [value('X', inputShape)],
        output: [value('Y', ['n', 'c', 'h', 'w'])],
      },
    }),
  );
}

test('--help of each onnx command has examples', () => {
  for (const command of [['onnx', 'inspect'], ['onnx', 'rewrite']]) {
    const help = cli([...command, '--help']);
    assert.equal(help.status, 0, `${command.join(' ')} --help`);
    assert.match(help.stdout, /Examples:\n {2}\$ tensor-pooling onnx/);
  }
});

test('onnx inspect prints each pooling node, its sizing and each runtime; --json gives the report', () => {
  const folder = workFolder();
  const file = join(folder, 'model.onnx');
  writeFileSync(file, ceilModel([1, 3, 5, 5]));
  const text = cli(['onnx', 'inspect', file]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /pool \(AveragePool, node 0\): the average over a 2x2 window/);
  assert.match(text.stdout, /X X \[1, 3, 5, 5\] -> Y Y \[1, 3, 3, 3\]/);
  assert.match(text.stdout, /H: out = .* = 3/);
  assert.match(text.stdout, /onnxruntime-web-webgpu: refuses \(not tested here\)\n    refuses: throws "using ceil\(\)/);
  const json = cli(['onnx', 'inspect', file, '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(inspectOnnxModel(readFileSync(file)))));
});

test('onnx inspect --input-shape sizes a symbolic input; a bad one is bad usage', () => {
  const folder = workFolder();
  const file = join(folder, 'model.onnx');
  writeFileSync(file, ceilModel(['batch', 3, 'height', 'width']));
  assert.match(cli(['onnx', 'inspect', file]).stdout, /\(unknown: give it with --input-shape\) -> Y Y \?/);
  const sized = cli(['onnx', 'inspect', file, '--input-shape', 'X=2x3x7x7']);
  assert.equal(sized.status, 0, sized.stderr);
  assert.match(sized.stdout, /-> Y Y \[2, 3, 4, 4\]/);
  const bad = cli(['onnx', 'inspect', file, '--input-shape', 'X=2x3x-7']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--input-shape "X=2x3x-7": expected name=sizes/);
  const unknown = cli(['onnx', 'inspect', file, '--input-shape', 'x=1x3x5x5']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /inputShapes names "x", which is no value of the model's graph \[INVALID_PARAMETER\]/);
});

test('onnx rewrite writes the rewritten model and says what changed; never over the input, an existing output only with --force', () => {
  const folder = workFolder();
  const input = join(folder, 'model.onnx');
  const output = join(folder, 'model.ort-web.onnx');
  const bytes = ceilModel([1, 3, 5, 5]);
  writeFileSync(input, bytes);
  const ran = cli(['onnx', 'rewrite', input, '-o', output, '--for', 'ort-web']);
  assert.equal(ran.status, 0, ran.stderr);
  assert.match(ran.stderr, /pool \(AveragePool\): ceil_mode 1 became pads \[0, 0, 1, 1\], count_include_pad 0\n.* -> .*: 1 node rewritten, 0 left alone/);
  assert.deepEqual(new Uint8Array(readFileSync(output)), rewriteOnnxModel(bytes, { for: 'ort-web' }).bytes);
  assert.deepEqual(new Uint8Array(readFileSync(input)), bytes);
  const again = cli(['onnx', 'rewrite', input, '-o', output, '--for', 'ort-web']);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists; use --force/);
  assert.equal(cli(['onnx', 'rewrite', input, '-o', output, '--for', 'ort-web', '--force']).status, 0);
  const onto = cli(['onnx', 'rewrite', input, '-o', input, '--for', 'ort-web', '--force']);
  assert.equal(onto.status, 2);
  assert.match(onto.stderr, /refusing to overwrite the input/);
  assert.deepEqual(new Uint8Array(readFileSync(input)), bytes);
  assert.equal(cli(['onnx', 'rewrite', input, '-o', join(folder, 'x.onnx')]).status, 2, '--for is required');
  assert.equal(cli(['onnx', 'rewrite', input, '-o', join(folder, 'x.onnx'), '--for', 'ort-webgl']).status, 2);
});

test('a file that is not an ONNX model is bad input, and nothing is written', () => {
  const folder = workFolder();
  const input = join(folder, 'notes.onnx');
  writeFileSync(input, 'not a model at all\n');
  const inspected = cli(['onnx', 'inspect', input]);
  assert.equal(inspected.status, 2);
  assert.match(inspected.stderr, /not an ONNX model .* \[INVALID_PARAMETER\]/);
  const output = join(folder, 'out.onnx');
  assert.equal(cli(['onnx', 'rewrite', input, '-o', output, '--for', 'ort-web']).status, 2);
  assert.throws(() => readFileSync(output), /ENOENT/);
});
