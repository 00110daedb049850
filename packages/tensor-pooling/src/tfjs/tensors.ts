/**
 * Containers only: TF.js tensors in and out of tensor-pooling's { shape, data } tensors. TF.js
 * trains in float32, so that is the one dtype crossing this border.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PoolingError, tensor, type Tensor } from '../index.js';
import { show } from '../plan/errors.js';

/** Duck-typed, because a second copy of tfjs-core in an app makes `instanceof tf.Tensor` lie. */
export function isTfTensor(value: unknown): value is tf.Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dataSync?: unknown }).dataSync === 'function'
  );
}

/** Throws a PoolingError unless `value` is a float32 TF.js tensor; reads no data. */
export function checkTfTensor(op: string, name: string, value: unknown): asserts value is tf.Tensor {
  if (!isTfTensor(value)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a TF.js tensor; got ${show(value)}`);
  }
  if (value.dtype !== 'float32') {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name} must be a float32 TF.js tensor; got dtype ${show(value.dtype)}`);
  }
}

/** Reads a float32 TF.js tensor as a core tensor. The data is TF.js's own; the core never writes its inputs. */
export function fromTf(op: string, name: string, value: unknown): Tensor<Float32Array> {
  checkTfTensor(op, name, value);
  return tensor(value.shape, value.dataSync() as Float32Array);
}

export function toTf(x: Tensor<Float32Array>): tf.Tensor {
  return tf.tensor(x.data, [...x.shape], 'float32');
}

/** Mask weights from a TF.js tensor of any numeric or bool dtype, as the core's mask reads them. */
export function maskFromTf(op: string, name: string, value: unknown): { shape: readonly number[]; data: Float32Array } {
  if (!isTfTensor(value)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a TF.js tensor; got ${show(value)}`);
  }
  if (value.dtype === 'string' || value.dtype === 'complex64') {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name} must be a bool or numeric TF.js tensor; got dtype ${show(value.dtype)}`);
  }
  return { shape: [...value.shape], data: Float32Array.from(value.dataSync() as ArrayLike<number>) };
}
