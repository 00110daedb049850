/**
 * Tensors in shared memory: with `threads: n`, workers read them in place instead of copying
 * their share first. Where a platform has no SharedArrayBuffer (a browser page that is not
 * cross-origin isolated) they are ordinary memory, which is all such a platform can pool (every
 * call runs on the calling thread there), so portable code need not ask.
 */
import { PoolingError, show } from '../../plan/errors.js';
import {
  BYTES_PER_ELEMENT,
  allocate,
  checkAllocation,
  dtypeOf,
  elementCount,
  readShape,
  readTensor,
  type DType,
  type FloatArray,
  type Tensor,
} from '../../tensor.js';

/** A zeroed array in shared memory. */
export function sharedArray(type: DType, length: number): FloatArray {
  return type === 'float64' ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float32Array(new SharedArrayBuffer(length * 4));
}

function sharedOrPlainArray(type: DType, length: number): FloatArray {
  return typeof SharedArrayBuffer !== 'undefined' ? sharedArray(type, length) : allocate(type, length);
}

/**
 * A zeroed tensor in shared memory: with `threads: n`, workers read it in place instead of copying
 * their share of it first. Ordinary memory where there is no SharedArrayBuffer (no workers either).
 *
 * @param shape - The tensor's shape.
 * @param dtype - 'float32' (default) or 'float64'.
 * @returns A tensor whose data is a view of a SharedArrayBuffer (where there is one), all zeros.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `shape` is not an array of non-negative integers;
 * - `INVALID_RANK`: `shape` has more than {@link MAX_RANK} axes;
 * - `UNSUPPORTED_DTYPE`: `dtype` is neither 'float32' nor 'float64';
 * - `SIZE_TOO_LARGE`: the tensor would be over {@link setMaxBytes}'s limit or {@link MAX_ELEMENTS}.
 * @category Backends and threads
 */
export function allocSharedTensor<D extends DType = 'float32'>(
  shape: readonly number[],
  dtype: D = 'float32' as D,
): Tensor<D extends 'float64' ? Float64Array : Float32Array> {
  const op = 'allocSharedTensor';
  const dims = readShape(op, 'shape', shape);
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `dtype must be 'float32' or 'float64'; got ${show(dtype)}`);
  }
  const length = elementCount(op, 'shape', dims);
  checkAllocation(op, 'the tensor', length, BYTES_PER_ELEMENT[dtype]);
  const data = sharedOrPlainArray(dtype, length) as D extends 'float64' ? Float64Array : Float32Array;
  return { shape: Object.freeze(dims), data };
}

/**
 * A copy of `x` in shared memory (ordinary memory where there is none, as {@link allocSharedTensor}).
 *
 * @param x - The tensor to copy.
 * @returns The copy, of `x`'s shape and dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `SIZE_TOO_LARGE`: the copy would be over {@link setMaxBytes}'s limit.
 * @category Backends and threads
 */
export function toSharedTensor<T extends FloatArray>(x: Tensor<T>): Tensor<T> {
  const op = 'toSharedTensor';
  const source = readTensor<T>(op, 'x', x);
  const dtype = dtypeOf(source.data);
  checkAllocation(op, 'the copy', source.data.length, BYTES_PER_ELEMENT[dtype]);
  const copy = sharedOrPlainArray(dtype, source.data.length) as T;
  copy.set(source.data);
  return { shape: Object.freeze([...source.shape]), data: copy };
}
