/**
 * What every dialect needs and nothing more: move data between an ecosystem's containers (integer
 * typed arrays, int64 indices) and the float-only core. No pooling rule lives here.
 */
import { PoolingError } from '../plan/errors.js';
import { checkTensor, type FloatArray, type Tensor } from '../tensor.js';

/** Integer containers whose values a float64 holds exactly: max pooling and unpooling may carry them. */
export type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type NumericArray = FloatArray | IntegerArray;

export function isFloatArray(data: unknown): data is FloatArray {
  return data instanceof Float32Array || data instanceof Float64Array;
}

function isIntegerArray(data: unknown): data is IntegerArray {
  return (
    data instanceof Int8Array ||
    data instanceof Uint8Array ||
    data instanceof Uint8ClampedArray ||
    data instanceof Int16Array ||
    data instanceof Uint16Array ||
    data instanceof Int32Array ||
    data instanceof Uint32Array
  );
}

export interface NumericTensor {
  readonly shape: readonly number[];
  readonly data: NumericArray;
}

/**
 * The float tensor the core computes on. Float data passes through untouched; integer data (only
 * where the caller allows it, for ops that select values rather than combine them) is widened to
 * float64, which holds every 32-bit integer exactly.
 */
export function toFloatTensor(op: string, name: string, x: unknown, allowIntegers: boolean, expected: string): Tensor {
  const data = (x as { data?: unknown } | null)?.data;
  if (allowIntegers && isIntegerArray(data)) {
    const widened = { shape: (x as NumericTensor).shape, data: Float64Array.from(data) };
    checkTensor(op, name, widened);
    return widened;
  }
  if (data !== undefined && !isFloatArray(data) && ArrayBuffer.isView(data)) {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name} must be ${expected}; got ${data.constructor.name}`);
  }
  checkTensor(op, name, x);
  return x;
}

/** Narrows a float result back into the caller's integer container (the values are the caller's own). */
export function backToContainer(result: Tensor, like: NumericArray): NumericTensor {
  if (isFloatArray(like)) return result;
  const Container = like.constructor as unknown as { from(values: ArrayLike<number>): IntegerArray };
  return { shape: result.shape, data: Container.from(result.data) };
}
