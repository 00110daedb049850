/**
 * TensorFlow.js's cpu backend as a peer. tfjs-core's node bundle registers no gradients;
 * tfjs-layers' bundle registers all of them (its copy of register_all_gradients) in the global
 * registry the core reads, so loading it makes tf.grad work. Tensors come back as plain
 * { shape, data } and every TF.js tensor is disposed.
 */
import { createRequire } from 'node:module';
import type * as TfTypes from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/** tfjs-backend-cpu greets Node users with a banner suggesting tfjs-node; keep test output clean. */
async function quietly<T>(run: () => T | Promise<T>): Promise<T> {
  const log = console.log;
  const warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  try {
    return await run();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

export const tf = require('@tensorflow/tfjs-core') as typeof TfTypes;
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers');

let ready: Promise<void> | undefined;

/** Selects the cpu backend once; await it before the first call. */
export function tfReady(): Promise<void> {
  ready ??= quietly(async () => {
    const ok = await tf.setBackend('cpu');
    if (!ok || tf.getBackend() !== 'cpu') throw new Error('TF.js cpu backend unavailable');
    tf.dispose(tf.tensor([0])); // the banner comes with the backend's first write
  });
  return ready;
}

export interface PlainTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

function plain(t: TfTypes.Tensor): PlainTensor {
  return { shape: [...t.shape], data: t.dataSync() as Float32Array | Int32Array };
}

export function tfTensor(x: { shape: readonly number[]; data: Float32Array }): TfTypes.Tensor {
  return tf.tensor(x.data, [...x.shape], 'float32');
}

/** Runs a TF.js computation on float32 inputs and returns its outputs as plain tensors. */
export function runTf(
  inputs: readonly { shape: readonly number[]; data: Float32Array }[],
  compute: (...xs: TfTypes.Tensor[]) => TfTypes.Tensor | TfTypes.Tensor[],
): PlainTensor[] {
  const outputs = tf.tidy(() => {
    const result = compute(...inputs.map(tfTensor));
    return Array.isArray(result) ? result : [result];
  });
  try {
    return outputs.map(plain);
  } finally {
    tf.dispose(outputs);
  }
}

/** tf.grad of `forward` at x with upstream gradient dy: what training in TF.js would compute. */
export function gradTf(
  x: { shape: readonly number[]; data: Float32Array },
  dy: { shape: readonly number[]; data: Float32Array },
  forward: (x: TfTypes.Tensor) => TfTypes.Tensor,
): PlainTensor {
  const [dx] = runTf([x, dy], (xt, dyt) => tf.grad(forward)(xt!, dyt));
  return dx!;
}
