/**
 * A case as a one-node ONNX model, as onnxruntime-node and onnxruntime-web load it. `static` gives
 * every dimension its number, as a model exported for that input has; `symbolic` names every
 * dimension (d0, d1, ...), which the bench of issue 3 did: with the channel count unknown,
 * onnxruntime cannot plan its blocked-channel (NCHWc) pooling and takes a generic path.
 */
import { encodeOneNodeModel, type AttributeValue } from '@tensor-pooling/test-kit/onnx-model';
import type { BenchCase } from '../cases.js';

export type ModelShapes = 'static' | 'symbolic';

export const INPUT_NAME = 'x';
export const OUTPUT_NAME = 'y';

export function onnxNode(c: BenchCase): { opType: string; attributes: Record<string, AttributeValue> } {
  if (c.op === 'global-avg') return { opType: 'GlobalAveragePool', attributes: {} };
  const rank = c.kernel!.length;
  const attributes: Record<string, AttributeValue> = {
    kernel_shape: [...c.kernel!],
    strides: [...c.stride!],
    pads: new Array<number>(2 * rank).fill(c.padding ?? 0),
  };
  if (c.op === 'avg') attributes['count_include_pad'] = 0;
  return { opType: c.op === 'avg' ? 'AveragePool' : 'MaxPool', attributes };
}

/** The node's output shape: floor((L + 2 pad - kernel) / stride) + 1 per axis; global pooling keeps 1s. */
export function onnxOutputShape(c: BenchCase): number[] {
  const [n, channels, ...spatial] = c.shape as [number, number, ...number[]];
  if (c.op === 'global-avg') return [n, channels, ...spatial.map(() => 1)];
  const pad = c.padding ?? 0;
  return [n, channels, ...spatial.map((length, axis) => Math.floor((length + 2 * pad - c.kernel![axis]!) / c.stride![axis]!) + 1)];
}

export function poolingModel(c: BenchCase, shapes: ModelShapes): Uint8Array {
  const { opType, attributes } = onnxNode(c);
  const input = shapes === 'static' ? [...c.shape] : c.shape.map((_, d) => `d${d}`);
  const output = shapes === 'static' ? onnxOutputShape(c) : c.shape.map((_, d) => `y${d}`);
  return encodeOneNodeModel({
    opType,
    attributes,
    inputs: [{ name: INPUT_NAME, elemType: 'float32', shape: input }],
    outputs: [{ name: OUTPUT_NAME, elemType: 'float32', shape: output }],
  });
}
