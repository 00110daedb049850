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
import { PoolingError } from '../plan/errors.js';
import { MAX_ELEMENTS, type FloatArray, type Tensor } from '../tensor.js';

/** Integer containers whose values a float64 holds exactly: max pooling and unpooling may carry them. */
export type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type NumericArray = FloatArray | IntegerArray;

export interface NumericTensor {
  readonly shape: readonly number[];
  readonly data: NumericArray;
}

/** The typed-array kinds a dialect may accept for one input, by constructor name. */
export type ArrayKind =
  | 'Float32Array'
  | 'Float64Array'
  | 'Int8Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int16Array'
  | 'Uint16Array'
  | 'Int32Array'
  | 'Uint32Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

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

/** No pooling parameter or dimension can usefully exceed what one tensor may hold. */
export const MAX_INTEGER = MAX_ELEMENTS;
/** More axes than any tensor here has; a longer shape is refused before it is walked. */
export const MAX_RANK = 32;

const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsicGetter = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, key)!.get!;
// The intrinsic getters read a typed array's internal slots: a Proxy, a look-alike object or an
// own `length` property cannot fake them (a Proxy has no slots and gets undefined).
const kindGetter = intrinsicGetter(Symbol.toStringTag);
const lengthGetter = intrinsicGetter('length');
const bufferGetter = intrinsicGetter('buffer');
const byteOffsetGetter = intrinsicGetter('byteOffset');

type AnyTypedArray = NumericArray | BigInt64Array | BigUint64Array;
type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => AnyTypedArray;

const CONSTRUCTORS: Record<ArrayKind, TypedArrayConstructor> = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
};

/** The real kind of a typed array, or undefined for anything else (Proxies included). */
export function arrayKind(value: unknown): ArrayKind | undefined {
  return kindGetter.call(value) as ArrayKind | undefined;
}

/** A message-sized rendering of a caller's value: a few elements at most, never a throw. */
export function describe(value: unknown, depth = 0): string {
  try {
    switch (typeof value) {
      case 'string':
        return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}... (${value.length} characters)` : JSON.stringify(value);
      case 'number':
        return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint':
        return `${value}n`;
      case 'function':
        return 'a function';
      case 'object':
        break;
      default:
        return String(value);
    }
    if (value === null) return 'null';
    const kind = arrayKind(value);
    if (kind !== undefined) return `${kind}(${lengthGetter.call(value) as number})`;
    if (Array.isArray(value)) {
      const length = value.length;
      if (depth >= 2) return `an array of ${length} values`;
      const shown = Array.from({ length: Math.min(length, 8) }, (_, i) => describe(value[i], depth + 1));
      return length > 8 ? `[${shown.join(', ')}, ... (${length} values)]` : `[${shown.join(', ')}]`;
    }
    const keys = Object.keys(value);
    if (depth >= 2 || keys.length > 6) return `an object with ${keys.length} keys`;
    const record = value as Record<string, unknown>;
    return `{${keys.map((k) => `${describe(k, depth + 1)}: ${describe(record[k], depth + 1)}`).join(', ')}}`;
  } catch {
    return 'an unreadable value';
  }
}

/** Runs a read of a caller's object; anything it throws (a revoked Proxy, a throwing getter) becomes coded. */
function reading<T>(op: string, name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PoolingError) throw error;
    const why = error instanceof Error ? error.message.slice(0, 120) : describe(error);
    throw new PoolingError('INVALID_PARAMETER', op, `${name} could not be read (${why})`);
  }
}

/** Array.isArray, except that a revoked Proxy (which makes it throw) counts as no array. */
function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || arrayKind(value) !== undefined) return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * A caller's options object, each known property read once into a plain record (absent keys are
 * left out). `undefined` is accepted as "no options" only where `optional` says so. Unknown keys
 * are refused unless their value is undefined and `ignoreUndefined` is set (ONNX attribute maps);
 * `noun` is what the message calls a key ("option", "attribute").
 */
export function readOptions(
  op: string,
  name: string,
  value: unknown,
  known: readonly string[],
  { optional = false, ignoreUndefined = false, noun = 'option' } = {},
): Readonly<Record<string, unknown>> {
  if (value === undefined && optional) return {};
  if (!isObject(value)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} must be an object${known.length ? ` of ${known.join(', ')}` : ''}; got ${describe(value)}`,
    );
  }
  return reading(op, name, () => {
    const snapshot: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      const entry = source[key];
      if (!known.includes(key)) {
        if (ignoreUndefined && entry === undefined) continue;
        throw new PoolingError(
          'INVALID_PARAMETER',
          op,
          `unknown ${noun} ${describe(key)}; ${op} takes ${known.length ? known.map((k) => JSON.stringify(k)).join(', ') : 'none'}`,
        );
      }
      if (entry !== undefined) snapshot[key] = entry;
    }
    return Object.freeze(snapshot);
  });
}

/** A list argument copied once, refused on its length before any element is read. */
export function readList(op: string, name: string, value: unknown, lengths: readonly number[], expected: string): unknown[] {
  if (!isArray(value)) throw new PoolingError('INVALID_PARAMETER', op, `${name} must be ${expected}; got ${describe(value)}`);
  return reading(op, name, () => {
    const length = value.length;
    if (!lengths.includes(length)) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must be ${expected}; got ${describe(value)}`);
    }
    return Array.from({ length }, (_, i) => value[i] as unknown);
  });
}

/** An integer in [min, MAX_INTEGER]; `whole` is what the caller wrote, for the message. */
export function readInteger(op: string, name: string, value: unknown, min: number, whole: unknown = value): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_INTEGER) return value;
  const what = min === 1 ? 'positive integer' : min === 0 ? 'non-negative integer' : `integer >= ${min}`;
  const rule = whole === value ? `be a ${what}` : `hold only ${what}s`;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must ${rule} (at most ${MAX_INTEGER}); got ${describe(whole)}`);
}

/** Exactly `length` integers, each >= min. */
export function readIntegers(op: string, name: string, value: unknown, length: number, min: number): number[] {
  const noun = length === 1 ? 'integer' : 'integers';
  const list = readList(op, name, value, [length], `a list of ${length} ${noun}`);
  return list.map((v) => readInteger(op, name, v, min, value));
}

/** One integer for every axis, or one per axis; `oneElementList` also takes [k] as one integer (PyTorch). */
export function readPerAxis(op: string, name: string, value: unknown, rank: number, min: number, oneElementList = false): number[] {
  if (typeof value === 'number') return new Array<number>(rank).fill(readInteger(op, name, value, min));
  const lengths = oneElementList ? [1, rank] : [rank];
  const expected = `one integer or ${rank} integers (one per spatial axis)`;
  const list = readList(op, name, value, lengths, expected).map((v) => readInteger(op, name, v, min, value));
  return list.length === rank ? list : new Array<number>(rank).fill(list[0]!);
}

export function readBoolean(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must be true or false; got ${describe(value)}`);
}

export function readChoice<T extends string>(op: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new PoolingError('INVALID_PARAMETER', op, `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${describe(value)}`);
}

/** A tensor read at the door: a plain frozen shape, and the caller's data as a genuine typed array. */
export interface TensorSnapshot<D extends AnyTypedArray = AnyTypedArray> {
  readonly shape: readonly number[];
  readonly data: D;
  readonly kind: ArrayKind;
}

function readShape(op: string, name: string, shape: unknown): number[] {
  if (!isArray(shape)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name}.shape must be an array of non-negative integers; got ${describe(shape)}`);
  }
  const length = shape.length;
  if (length > MAX_RANK) {
    throw new PoolingError('INVALID_RANK', op, `${name}.shape must have at most ${MAX_RANK} axes; got ${describe(shape)}`);
  }
  const dims = Array.from({ length }, (_, i) => shape[i] as unknown);
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_INTEGER) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name}.shape must be an array of non-negative integers; got ${describe(dims)}`);
    }
  }
  return dims as number[];
}

/**
 * Reads a caller's tensor once: `shape` and `data` each read a single time, the shape copied and
 * checked, the data's real kind and length taken from its internal slots and checked against the
 * shape. Nothing is allocated for the data: it comes back as a fresh view of the caller's memory,
 * so no later read of the caller's object can change what was checked.
 */
export function readTensor<K extends ArrayKind>(op: string, name: string, value: unknown, kinds: readonly K[], expected: string): TensorSnapshot {
  if (!isObject(value)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be a tensor { shape, data }; got ${describe(value)}`);
  }
  const { shape: rawShape, data } = reading(op, name, () => {
    const record = value as { shape?: unknown; data?: unknown };
    return { shape: record.shape, data: record.data };
  });
  const kind = arrayKind(data);
  if (kind === undefined || !(kinds as readonly ArrayKind[]).includes(kind)) {
    const got = kind ?? (isArray(data) ? 'an Array' : describe(data));
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `${name}.data must be ${expected}; got ${got}`);
  }
  const shape = readShape(op, name, rawShape);
  let count = 1;
  for (const d of shape) count *= d;
  const length = lengthGetter.call(data) as number;
  if (count > MAX_ELEMENTS) {
    throw new PoolingError('SIZE_TOO_LARGE', op, `${name} of shape ${describe(shape)} would hold ${count} elements; at most ${MAX_ELEMENTS} can be allocated`);
  }
  if (count !== length) {
    throw new PoolingError('DATA_LENGTH_MISMATCH', op, `${name}.data has ${length} elements but ${name}.shape ${describe(shape)} needs ${count}`);
  }
  const view = new CONSTRUCTORS[kind](bufferGetter.call(data) as ArrayBufferLike, byteOffsetGetter.call(data) as number, length);
  return { shape: Object.freeze(shape), data: view, kind };
}

/** A float tensor for the core, read at the door. */
export function readFloatTensor(op: string, name: string, value: unknown, expected = 'a Float32Array or Float64Array'): Tensor {
  const t = readTensor(op, name, value, FLOAT_KINDS, expected);
  return { shape: t.shape, data: t.data as FloatArray };
}

/**
 * The float tensor the core computes on. Float data passes through; integer data (only for ops
 * that select values rather than combine them) is widened to float64, which holds every 32-bit
 * integer exactly. Widening happens only after the shape and length have been checked.
 */
export function widenToFloat(t: TensorSnapshot): Tensor {
  if (t.kind === 'Float32Array' || t.kind === 'Float64Array') return { shape: t.shape, data: t.data as FloatArray };
  return { shape: t.shape, data: Float64Array.from(t.data as IntegerArray) };
}

/** Narrows a float result back into the caller's integer container (the values are the caller's own). */
export function backToContainer(result: Tensor, like: NumericArray): NumericTensor {
  const kind = arrayKind(like);
  if (kind === 'Float32Array' || kind === 'Float64Array' || kind === undefined) return result;
  const Container = CONSTRUCTORS[kind] as unknown as { from(values: ArrayLike<number>): IntegerArray };
  return { shape: result.shape, data: Container.from(result.data) };
}

/** An empty result in the container of `like`: what TF.js and Keras return when an axis sizes to 0. */
export function emptyLike<D extends AnyTypedArray>(shape: readonly number[], like: D): { shape: readonly number[]; data: D } {
  const kind = arrayKind(like)!;
  return { shape: Object.freeze([...shape]), data: new CONSTRUCTORS[kind](new ArrayBuffer(0), 0, 0) as D };
}

/** The items of an argument list (ONNX inputs), each read once; `max` bounds the length first. */
export function readArgumentList(op: string, name: string, value: unknown, max: number): unknown[] {
  if (!isArray(value)) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be an array; got ${describe(value)}`);
  }
  return reading(op, name, () => {
    const length = value.length;
    if (length > max) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must hold at most ${max} ${max === 1 ? 'item' : 'items'}; got ${length}`);
    }
    return Array.from({ length }, (_, i) => value[i] as unknown);
  });
}
