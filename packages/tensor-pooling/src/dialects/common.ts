/**
 * What every dialect needs and nothing more: read a caller's arguments once into plain values,
 * and move data between an ecosystem's containers (integer typed arrays, int64 indices) and the
 * float-only core. No pooling rule lives here.
 *
 * Every reader here looks at each property of a caller's object exactly once (a getter or a Proxy
 * that answers differently on a second read cannot make validation and planning disagree), checks
 * lengths before walking anything (a list claiming 2**40 elements is refused on its length), and
 * turns whatever a caller passes (null, a number, a revoked Proxy) into a coded PoolingError.
 */
import { PoolingError, show } from '../plan/errors.js';
import { checkInteger } from '../plan/validate.js';
export { readOptions } from '../plan/validate.js';
import {
  checkAllocation,
  readCallerValue,
  readTensor as readTensorOnce,
  readTensorOf,
  typedArrayFrom,
  typedArrayKind,
  emptyOfKind,
  type AnyTypedArray,
  type ArrayKind,
  type FloatArray,
  type Tensor,
  type TensorOf,
} from '../tensor.js';

/**
 * Integer containers whose values a float64 holds exactly: the ONNX and TF.js dialects' max pooling
 * carries them through.
 * @category Dialects
 */
export type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;
/**
 * The element arrays the dialects' inputs and results may hold: float, or integer where an op
 * selects values rather than combining them.
 * @category Dialects
 */
export type NumericArray = FloatArray | IntegerArray;

/**
 * A tensor of float or integer data, as the ONNX and TF.js dialects take and return them.
 * @category Dialects
 */
export interface NumericTensor {
  /** Sizes of the axes, outermost first. */
  readonly shape: readonly number[];
  /** The elements, row-major. */
  readonly data: NumericArray;
}

export type { ArrayKind };

export const FLOAT_KINDS: readonly ArrayKind[] = ['Float32Array', 'Float64Array'];
export const INTEGER_KINDS: readonly ArrayKind[] = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
];

export { MAX_RANK } from '../tensor.js';

/** Array.isArray, except that a revoked Proxy (which makes it throw) counts as no array. */
export function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** A list argument copied once, refused on its length before any element is read. */
export function readList(op: string, name: string, value: unknown, lengths: readonly number[], expected: string): unknown[] {
  if (!isArray(value)) throw new PoolingError('INVALID_PARAMETER', op, `${name} must be ${expected}; got ${show(value)}`);
  return readCallerValue(op, name, () => {
    const length = value.length;
    if (!lengths.includes(length)) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must be ${expected}; got ${show(value)}`);
    }
    return copyItems(value, length);
  });
}

/** The first `length` items of a caller's list, each read once (a loop: Array.from's mapping is slower). */
function copyItems(value: readonly unknown[], length: number): unknown[] {
  const items = new Array<unknown>(length);
  for (let i = 0; i < length; i++) items[i] = value[i];
  return items;
}

/** Exactly `length` integers, each >= min. */
export function readIntegers(op: string, name: string, value: unknown, length: number, min: number): number[] {
  const noun = length === 1 ? 'integer' : 'integers';
  const list = readList(op, name, value, [length], `a list of ${length} ${noun}`);
  return list.map((v) => checkInteger(op, name, v, min, value));
}

/** One integer for every axis, or one per axis; `oneElementList` also takes [k] as one integer (PyTorch). */
export function readPerAxis(op: string, name: string, value: unknown, rank: number, min: number, oneElementList = false): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(checkInteger(op, name, value, min));
  const lengths = oneElementList ? [1, rank] : [rank];
  const expected = `one integer or ${rank} integers (one per spatial axis)`;
  const list = readList(op, name, value, lengths, expected).map((v) => checkInteger(op, name, v, min, value));
  return list.length === rank ? list : new Array<number>(rank).fill(list[0]!);
}

export function readBoolean(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must be true or false; got ${show(value)}`);
}

export function readChoice<T extends string>(op: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${show(value)}`);
}

/** A tensor read at the door (see readTensorOf in src/tensor.ts). */
export type TensorSnapshot<D extends AnyTypedArray = AnyTypedArray> = TensorOf<D>;

/** A caller's tensor of one of `kinds`, read once and checked before anything is allocated. */
export function readTensor(op: string, name: string, value: unknown, kinds: readonly ArrayKind[], expected: string): TensorSnapshot {
  return readTensorOf(op, name, value, kinds, expected);
}

/**
 * A float tensor for the core, read at the door, as the library's own ops read theirs: the run
 * recognises it as read and does not read it a second time.
 */
export function readFloatTensor(op: string, name: string, value: unknown): Tensor {
  return readTensorOnce(op, name, value);
}

/**
 * The float tensor the core computes on. Float data passes through; integer data (only for ops
 * that select values rather than combine them) is widened to float64, which holds every 32-bit
 * integer exactly. Widening happens only after the shape and length have been checked.
 */
export function widenToFloat(op: string, t: TensorSnapshot): Tensor {
  // A float snapshot is already the tensor a run takes without reading it again.
  if (t.kind === 'Float32Array' || t.kind === 'Float64Array') return t as TensorSnapshot<FloatArray>;
  checkAllocation(op, 'the float64 copy of the integer input', t.data.length, 8);
  return { shape: t.shape, data: Float64Array.from(t.data as IntegerArray) };
}

/** Narrows a float result back into the caller's integer container (the values are the caller's own). */
export function backToContainer(result: Tensor, like: NumericArray): NumericTensor {
  const kind = typedArrayKind(like);
  if (kind === 'Float32Array' || kind === 'Float64Array' || kind === undefined) return result;
  return { shape: result.shape, data: typedArrayFrom(kind, result.data) as IntegerArray };
}

/** An empty result in the container of `like`: what TF.js and Keras return when an axis sizes to 0. */
export function emptyLike<D extends AnyTypedArray>(shape: readonly number[], like: D): { shape: readonly number[]; data: D } {
  return { shape: Object.freeze([...shape]), data: emptyOfKind(like) };
}

/** The items of an argument list (ONNX inputs), each read once; `max` bounds the length first. */
export function readArgumentList(op: string, name: string, value: unknown, max: number): unknown[] {
  if (!isArray(value)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be an array; got ${show(value)}`);
  }
  return readCallerValue(op, name, () => {
    const length = value.length;
    if (length > max) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must hold at most ${max} ${max === 1 ? 'item' : 'items'}; got ${length}`);
    }
    return copyItems(value, length);
  });
}
