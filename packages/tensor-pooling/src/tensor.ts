import { PoolingError, show } from './plan/errors.js';
import { plainView, typedArrayKind, typedArrayRealLength, type AnyTypedArray, type ArrayKind } from './typed-arrays.js';

export type { AnyTypedArray, ArrayKind } from './typed-arrays.js';
export { emptyOfKind, plainView, typedArrayFrom, typedArrayKind, typedArrayRealLength } from './typed-arrays.js';

/**
 * The element arrays the pooling ops compute on. A result has the input's kind: float32 in,
 * float32 out (computed in float64 where that is what makes it exact, then rounded once).
 * @category Tensors
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * The name of a {@link FloatArray} kind, as {@link dtypeOf} answers and {@link allocSharedTensor}
 * and {@link allocWasmTensor} take it.
 * @category Tensors
 */
export type DType = 'float32' | 'float64';

/**
 * A dense row-major tensor: any object `{ shape, data }` is one, so arrays from elsewhere need no
 * copy. `data.length` must equal the product of `shape`, or an op throws `DATA_LENGTH_MISMATCH`.
 * Every op reads `shape` and `data` once and never writes its inputs; results are new tensors
 * with frozen shapes. {@link tensor} makes one and checks it at once.
 * @category Tensors
 */
export interface Tensor<T extends FloatArray = FloatArray> {
  /** Sizes of the axes, outermost first: (N, C, H, W) for a channels-first batch of 2-D maps. */
  readonly shape: readonly number[];
  /** The elements in row-major order (the last axis varies fastest). */
  readonly data: T;
}

/**
 * Where the channel axis sits: `'channels-first'` is (N, C, ...spatial), PyTorch's and ONNX's
 * order; `'channels-last'` is (N, ...spatial, C), TF.js's and Keras's.
 * @category Tensors
 */
export type Layout = 'channels-first' | 'channels-last';

/**
 * The most elements one tensor may hold, and the largest size of one axis (2^31 - 1). Typed arrays
 * index with 32-bit integers in every engine we target, and so do the kernels' offset arithmetic;
 * a larger input or result is refused with `SIZE_TOO_LARGE`.
 * @category Tensors
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * The most axes a tensor may have (32, NumPy's limit): a shape is data, not a loop count. A longer
 * shape is refused with `INVALID_RANK`.
 * @category Tensors
 */
export const MAX_RANK = 32;

const DEFAULT_MAX_BYTES = 2 ** 31;
let maxBytes = DEFAULT_MAX_BYTES;

/**
 * Sets the most bytes one buffer a call allocates may take (a result, a float64 gradient
 * accumulator, a copy into shared or wasm memory); larger calls throw `SIZE_TOO_LARGE` before
 * allocating anything. Default 2 GiB, so that a small input cannot make a call allocate gigabytes
 * (a backward pass or an unpooling sized by a one-element input). The limit is global to the
 * module instance (each worker or page has its own).
 *
 * @param bytes - The new limit: a positive safe integer.
 * @returns The previous limit, so that a caller can restore it.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `bytes` is not a positive safe integer.
 * @example
 * Bound what a service's calls may allocate, and raise the limit for one large job:
 * ```js
 * import { avgPool, getMaxBytes, setMaxBytes, tensor } from 'tensor-pooling';
 *
 * console.log(getMaxBytes());
 * // prints: 2147483648
 * setMaxBytes(1024);
 * try {
 *   avgPool(tensor([1, 1, 32, 32], new Float32Array(1024)), { kernel: 1 });
 * } catch (error) {
 *   console.log(error.code);
 *   // prints: SIZE_TOO_LARGE
 * }
 * const previous = setMaxBytes(8 * 2 ** 30);
 * console.log(previous);
 * // prints: 1024
 * ```
 * @category Tensors
 */
export function setMaxBytes(bytes: number): number {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new PoolingError('INVALID_PARAMETER', 'setMaxBytes', `bytes must be a positive safe integer; got ${show(bytes)}`);
  }
  const previous = maxBytes;
  maxBytes = bytes;
  return previous;
}

/**
 * The current limit of {@link setMaxBytes}: the most bytes one buffer a call allocates may take.
 * @returns The limit in bytes (2 GiB unless changed).
 * @category Tensors
 */
export function getMaxBytes(): number {
  return maxBytes;
}

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = Object.freeze({ float32: 4, float64: 8 });

/** Throws SIZE_TOO_LARGE unless a buffer of `elements` x `bytesPerElement` fits the limit of `setMaxBytes`. */
export function checkAllocation(op: string, what: string, elements: number, bytesPerElement: number): void {
  const bytes = elements * bytesPerElement;
  if (bytes > maxBytes) {
    throw new PoolingError(
      'SIZE_TOO_LARGE',
      op,
      `${what} would take ${bytes} bytes (${elements} elements of ${bytesPerElement} bytes); the limit is ${maxBytes} bytes. ` +
        `Raise it with setMaxBytes(bytes) if this machine can serve it`,
    );
  }
}

/**
 * The dtype of a tensor's data, read from the array's real kind (a subclass of Float64Array is
 * float64 too).
 * @param data - A Float32Array or Float64Array.
 * @returns `'float64'` for a Float64Array, else `'float32'`.
 * @category Tensors
 */
export function dtypeOf(data: FloatArray): DType {
  return typedArrayKind(data) === 'Float64Array' ? 'float64' : 'float32';
}

export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/**
 * Reads `read()` (a caller's property) into a PoolingError when it throws: a getter or a revoked
 * proxy is the caller's, and the message says which parameter could not be read.
 */
export function readCallerValue<V>(op: string, name: string, read: () => V): V {
  try {
    return read();
  } catch (error) {
    if (error instanceof PoolingError) throw error;
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} could not be read (${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : show(error)})`,
    );
  }
}

/**
 * A caller's shape as a copy of its integers: read once (a proxy or getter cannot change it
 * later), at most MAX_RANK axes, each a non-negative integer of at most MAX_ELEMENTS. The copy is
 * the library's own; freeze it before handing it out.
 */
export function readShape(op: string, name: string, shape: unknown): readonly number[] {
  return readCallerValue(op, name, () => {
    const rule = `must be an array of non-negative integers (each at most ${MAX_ELEMENTS})`;
    if (!Array.isArray(shape)) throw new PoolingError('INVALID_PARAMETER', op, `${name} ${rule}; got ${show(shape)}`);
    const rank = shape.length;
    if (rank > MAX_RANK) {
      throw new PoolingError('INVALID_RANK', op, `${name} must have at most ${MAX_RANK} axes; got ${rank}`);
    }
    const copy = new Array<number>(rank);
    for (let i = 0; i < rank; i++) {
      const d: unknown = shape[i];
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_ELEMENTS) {
        throw new PoolingError('INVALID_PARAMETER', op, `${name} ${rule}; got ${show(shape)}`);
      }
      copy[i] = d;
    }
    return copy;
  });
}

/** Product of a shape, checked against what one tensor may hold. */
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

/** A tensor of any typed-array kind read at the door (see readTensorOf). */
export interface TensorOf<D extends AnyTypedArray = AnyTypedArray> {
  readonly shape: readonly number[];
  readonly data: D;
  readonly kind: ArrayKind;
}

/**
 * A caller's tensor of one of `kinds` read once: `shape` and `data` each read a single time, the
 * shape copied and checked, the data's real kind and length taken from its internal slots and
 * checked against the shape, before anything is allocated. The data comes back as a plain view of
 * the caller's memory, so no later read of the caller's object can change what was checked.
 * `expected` names the kinds for the message ("a Float32Array or Float64Array").
 */
export function readTensorOf(op: string, name: string, x: unknown, kinds: readonly ArrayKind[], expected: string): TensorOf {
  const { shape: rawShape, data } = readCallerValue(op, name, () => {
    if (typeof x !== 'object' || x === null || Array.isArray(x) || typedArrayKind(x) !== undefined) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a tensor { shape, data }; got ${show(x)}`);
    }
    const t = x as { shape?: unknown; data?: unknown };
    return { shape: t.shape, data: t.data };
  });
  const kind = typedArrayKind(data);
  if (kind === undefined || !kinds.includes(kind)) {
    const got = kind ?? (readCallerValue(op, name, () => Array.isArray(data)) ? 'Array' : data === null ? 'null' : typeof data);
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name}.data must be ${expected}; got ${got}`);
  }
  const shape = readShape(op, `${name}.shape`, rawShape);
  const count = elementCount(op, name, shape);
  const length = typedArrayRealLength(data);
  if (count !== length) {
    throw new PoolingError(
      'DATA_LENGTH_MISMATCH',
      op,
      `${name}.data has ${length} elements but ${name}.shape ${show(shape)} needs ${count}`,
    );
  }
  const view = plainView(data as AnyTypedArray);
  // Float data read here is what readTensor makes: a run takes it without reading it again.
  if (kind === 'Float32Array' || kind === 'Float64Array') return new ReadTensor(shape, view as FloatArray, kind);
  return { shape, data: view, kind };
}

const FLOAT_KINDS: readonly ArrayKind[] = ['Float32Array', 'Float64Array'];

/**
 * A tensor as readTensor read it: the library's own copy of the shape and a plain view of the
 * data's real memory. Reading one again costs nothing: its private field proves readTensor made
 * it (`#read in x` runs no proxy trap, and no other code can give an object that field).
 */
class ReadTensor<T extends FloatArray> implements Tensor<T>, TensorOf<T> {
  readonly #read = true;
  constructor(
    readonly shape: readonly number[],
    readonly data: T,
    readonly kind: ArrayKind,
  ) {}

  static is(x: unknown): x is ReadTensor<FloatArray> {
    return typeof x === 'object' && x !== null && #read in x;
  }
}

/**
 * A caller's tensor read once into a `{ shape, data }` the kernels can trust: a copy of the shape
 * and a plain view of the data's real memory, whose element count matches the shape. Float32Array
 * or Float64Array data only.
 */
export function readTensor<T extends FloatArray = FloatArray>(op: string, name: string, x: unknown): Tensor<T> {
  if (ReadTensor.is(x)) return x as unknown as Tensor<T>;
  // Float kinds only: what comes back is a ReadTensor (see readTensorOf).
  return readTensorOf(op, name, x, FLOAT_KINDS, 'a Float32Array or Float64Array') as unknown as Tensor<T>;
}

/**
 * Whether a tensor read at the door still covers its memory: the plain view a kernel is about to
 * use loses its length if a caller's getter, run after the read, shrank or detached the buffer.
 */
export function stillCovers(t: Tensor): boolean {
  return typedArrayRealLength(t.data) === t.shape.reduce((p, d) => p * d, 1);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * A tensor of `shape` over `data`, checked now: the ops would check the same, but a mistake is
 * easier to find where the tensor is made. The data is not copied (the tensor is a view of the
 * caller's array); the shape is copied and frozen.
 *
 * @param shape - Sizes of the axes, outermost first: at most {@link MAX_RANK} non-negative
 *   integers, each at most {@link MAX_ELEMENTS}.
 * @param data - The elements in row-major order: a Float32Array or Float64Array of exactly the
 *   product of `shape` elements.
 * @returns `{ shape, data }` with a frozen copy of `shape` and the caller's own `data`.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER` when `shape` is not an array of non-negative integers;
 * - `INVALID_RANK` when `shape` has more than {@link MAX_RANK} axes;
 * - `UNSUPPORTED_DTYPE` when `data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH` when `data` does not hold exactly the product of `shape` elements;
 * - `SIZE_TOO_LARGE` when that product is over {@link MAX_ELEMENTS}.
 * @example
 * ```js
 * import { tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 2, 2, 2], Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8));
 * console.log(x.shape, x.data.length);
 * // prints: [ 1, 2, 2, 2 ] 8
 * try {
 *   tensor([2, 2], new Float32Array(3));
 * } catch (error) {
 *   console.log(error.code);
 *   // prints: DATA_LENGTH_MISMATCH
 * }
 * ```
 * @category Tensors
 */
export function tensor<T extends FloatArray>(shape: readonly number[], data: T): Tensor<T> {
  const t = readTensor<T>('tensor', 'x', { shape, data });
  // The caller's own array object stays the tensor's data (a subclass keeps its methods); the
  // kernels read it through readTensor again, which sees its real memory.
  return { shape: Object.freeze([...t.shape]), data };
}

