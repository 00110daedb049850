import { PoolingError, show } from './plan/errors.js';

export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/** A dense row-major tensor. `data.length` equals the product of `shape`. */
export interface Tensor<T extends FloatArray = FloatArray> {
  readonly shape: readonly number[];
  readonly data: T;
}

/** Where the channel axis sits: (N, C, ...spatial) or (N, ...spatial, C). */
export type Layout = 'channels-first' | 'channels-last';

/**
 * The most elements one tensor may hold. Typed arrays index with 32-bit integers in every
 * engine we target, and so do the kernels' offset arithmetic.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function tensor<T extends FloatArray>(shape: readonly number[], data: T): Tensor<T> {
  const t = { shape: Object.freeze([...shape]), data };
  checkTensor('tensor', 'x', t);
  return t;
}

/** Product of a shape, checked against what can be allocated. */
export function elementCount(op: string, name: string, shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) count *= d;
  if (count > MAX_ELEMENTS) {
    throw new PoolingError(
      'SIZE_TOO_LARGE',
      op,
      `${name} of shape ${show(shape)} would hold ${count} elements; at most ${MAX_ELEMENTS} can be allocated`,
    );
  }
  return count;
}

/** Checks that a caller's tensor is well formed: float data whose length matches its shape. */
export function checkTensor(op: string, name: string, x: unknown): asserts x is Tensor {
  if (typeof x !== 'object' || x === null || !('shape' in x) || !('data' in x)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a tensor { shape, data }; got ${show(x)}`);
  }
  const { shape, data } = x as { shape: unknown; data: unknown };
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    const got = ArrayBuffer.isView(data) ? data.constructor.name : Array.isArray(data) ? 'Array' : typeof data;
    throw new PoolingError(
      'UNSUPPORTED_DTYPE',
      op,
      `${name}.data must be a Float32Array or Float64Array; got ${got}`,
    );
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name}.shape must be an array of non-negative integers; got ${show(shape)}`,
    );
  }
  const count = elementCount(op, `${name}`, shape);
  if (count !== data.length) {
    throw new PoolingError(
      'DATA_LENGTH_MISMATCH',
      op,
      `${name}.data has ${data.length} elements but ${name}.shape ${show(shape)} needs ${count}`,
    );
  }
}
