/**
 * A caller's typed arrays read through the intrinsic getters of %TypedArray%.prototype: they read
 * the array's internal slots, so a subclass overriding `length`, `byteOffset` or `buffer` with
 * getters that lie, an own `length` property or a Proxy (which has no slots) cannot fake them, and
 * the kernels (wasm among them) see the memory the array really has.
 */
const typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;
function intrinsicGetter(name: PropertyKey): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(typedArrayPrototype, name)!.get!;
}
const typedArrayTag = intrinsicGetter(Symbol.toStringTag) as (this: unknown) => string | undefined;
const typedArrayLength = intrinsicGetter('length') as (this: unknown) => number;
const typedArrayOffset = intrinsicGetter('byteOffset') as (this: unknown) => number;
const typedArrayBuffer = intrinsicGetter('buffer') as (this: unknown) => ArrayBufferLike;

/** Every kind of typed array, by the name its internal slot gives. */
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

export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => AnyTypedArray;

const VIEWS: Readonly<Record<ArrayKind, ViewConstructor>> = {
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

/** The real kind of a typed array, or undefined for anything else (Proxies and look-alikes included). */
export function typedArrayKind(value: unknown): ArrayKind | undefined {
  return typedArrayTag.call(value) as ArrayKind | undefined;
}

/** A typed array's real element count (not what a subclass's `length` says). */
export function typedArrayRealLength(value: unknown): number {
  return typedArrayLength.call(value);
}

/**
 * A plain view of the memory a caller's typed array really covers: the same buffer, offset and
 * length, with none of a subclass's overrides. Views of detached buffers come back empty.
 */
export function plainView<T extends AnyTypedArray>(data: T): T {
  const View = VIEWS[typedArrayTag.call(data) as ArrayKind];
  const length = typedArrayLength.call(data);
  if (length === 0) return new View(new ArrayBuffer(0)) as T;
  return new View(typedArrayBuffer.call(data), typedArrayOffset.call(data), length) as T;
}

/** An empty array of `like`'s kind (what an ecosystem returns for a result with a 0 in its shape). */
export function emptyOfKind<T extends AnyTypedArray>(like: T): T {
  return new VIEWS[typedArrayTag.call(like) as ArrayKind](new ArrayBuffer(0)) as T;
}

/** A new array of `kind` holding `values` (a float result carried back into a caller's integer container). */
export function typedArrayFrom(kind: ArrayKind, values: ArrayLike<number>): AnyTypedArray {
  return (VIEWS[kind] as unknown as { from(values: ArrayLike<number>): AnyTypedArray }).from(values);
}
