/**
 * Deep snapshots of a call's arguments, taken before and after the call: a difference means the
 * library wrote to its input. Snapshots never run the caller's code: accessors and proxies are
 * recorded by identity, typed arrays are read through the intrinsic %TypedArray% getters (a
 * subclass's lying `length` is not consulted), and depth and breadth are bounded.
 */
import { isProxy } from 'node:util/types';

const TYPED_PROTO = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (name: string) => Object.getOwnPropertyDescriptor(TYPED_PROTO, name)!.get!;
const typedTag = Object.getOwnPropertyDescriptor(TYPED_PROTO, Symbol.toStringTag)!.get!;
const typedBuffer = intrinsic('buffer');
const typedByteOffset = intrinsic('byteOffset');
const typedByteLength = intrinsic('byteLength');

/**
 * A typed array's bytes as a view (no copy: results can be gigabytes), read without consulting
 * anything the caller could override.
 */
export function typedView(value: unknown): { tag: string; bytes: Uint8Array } | undefined {
  const tag = typedTag.call(value) as string | undefined;
  if (tag === undefined) return undefined;
  const buffer = typedBuffer.call(value) as ArrayBufferLike;
  const length = typedByteLength.call(value) as number;
  // A detached buffer has no bytes left to read (byteLength 0; views over it cannot be made).
  if (length === 0) return { tag, bytes: new Uint8Array(0) };
  return { tag, bytes: new Uint8Array(buffer, typedByteOffset.call(value) as number, length) };
}

/** A copy of a typed array's bytes, to compare with after a call. */
function typedBytes(value: unknown): { tag: string; bytes: Uint8Array } | undefined {
  const view = typedView(value);
  return view && { tag: view.tag, bytes: view.bytes.slice() };
}

export type Snap =
  | { readonly t: 'prim'; readonly v: unknown }
  | { readonly t: 'typed'; readonly tag: string; readonly bytes: Uint8Array }
  | { readonly t: 'opaque'; readonly ref: unknown }
  | { readonly t: 'object'; readonly proto: unknown; readonly frozen: boolean; readonly props: readonly (readonly [PropertyKey, Snap])[] }
  | { readonly t: 'array'; readonly length: number; readonly items: readonly (Snap | 'hole')[]; readonly frozen: boolean }
  | { readonly t: 'cycle' }
  | { readonly t: 'truncated' };

const MAX_DEPTH = 24;
const MAX_ITEMS = 20_000;

export interface SnapshotHooks {
  /** Objects with their own way of being compared (WasmTensors, TF.js tensors). */
  readonly custom?: (value: object) => Snap | undefined;
}

export function snapshot(value: unknown, hooks: SnapshotHooks = {}, depth = 0, seen = new Set<object>()): Snap {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return { t: 'prim', v: value };
  if (typeof value === 'function' || isProxy(value)) return { t: 'opaque', ref: value };
  const typed = typedBytes(value);
  if (typed) return { t: 'typed', ...typed };
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) return { t: 'opaque', ref: value };
  if (depth > MAX_DEPTH) return { t: 'truncated' };
  if (seen.has(value)) return { t: 'cycle' };
  const custom = hooks.custom?.(value);
  if (custom) return custom;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const length = value.length;
      const items: (Snap | 'hole')[] = [];
      const step = length > MAX_ITEMS ? Math.ceil(length / MAX_ITEMS) : 1;
      for (let i = 0; i < length; i += step) {
        const d = Object.getOwnPropertyDescriptor(value, i);
        items.push(d === undefined ? 'hole' : 'value' in d ? snapshot(d.value, hooks, depth + 1, seen) : { t: 'opaque', ref: d.get });
      }
      return { t: 'array', length, items, frozen: Object.isFrozen(value) };
    }
    const props: [PropertyKey, Snap][] = [];
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key)!;
      props.push([key, 'value' in d ? snapshot(d.value, hooks, depth + 1, seen) : { t: 'opaque', ref: d.get }]);
      if (props.length > MAX_ITEMS) break;
    }
    return { t: 'object', proto: Object.getPrototypeOf(value), frozen: Object.isFrozen(value), props };
  } finally {
    seen.delete(value);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where two snapshots differ, as a path ('' when equal). */
export function difference(a: Snap, b: Snap, path = ''): string {
  if (a.t !== b.t) return `${path || 'the value'} changed kind (${a.t} -> ${b.t})`;
  switch (a.t) {
    case 'prim':
      return Object.is(a.v, (b as typeof a).v) ? '' : `${path || 'the value'} changed`;
    case 'typed': {
      const other = b as typeof a;
      if (a.tag !== other.tag) return `${path} changed type`;
      return sameBytes(a.bytes, other.bytes) ? '' : `${path || 'the typed array'} contents changed`;
    }
    case 'opaque':
      return a.ref === (b as typeof a).ref ? '' : `${path} was replaced`;
    case 'cycle':
    case 'truncated':
      return '';
    case 'array': {
      const other = b as typeof a;
      if (a.length !== other.length) return `${path}.length changed (${a.length} -> ${other.length})`;
      for (let i = 0; i < a.items.length; i++) {
        const x = a.items[i]!;
        const y = other.items[i]!;
        if (x === 'hole' || y === 'hole') {
          if (x !== y) return `${path}[${i}] changed`;
          continue;
        }
        const d = difference(x, y, `${path}[${i}]`);
        if (d) return d;
      }
      return '';
    }
    case 'object': {
      const other = b as typeof a;
      if (a.proto !== other.proto) return `${path || 'the object'}'s prototype changed`;
      if (a.props.length !== other.props.length) return `${path || 'the object'} gained or lost properties`;
      for (let i = 0; i < a.props.length; i++) {
        const [key, x] = a.props[i]!;
        const [key2, y] = other.props[i]!;
        if (key !== key2) return `${path || 'the object'} gained or lost properties`;
        const d = difference(x, y, `${path}.${String(key)}`);
        if (d) return d;
      }
      return '';
    }
  }
}

/**
 * A fingerprint of a result for bit-exact comparisons (benign rewrites, canaries). `custom` turns
 * objects with identities of their own (TF.js tensors) into what they hold.
 */
export function fingerprint(value: unknown, custom?: (value: object) => unknown, depth = 0): string {
  if (depth > 8) return '…';
  if (custom && typeof value === 'object' && value !== null) {
    const replaced = custom(value);
    if (replaced !== undefined) return fingerprint(replaced, undefined, depth + 1);
  }
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
    return JSON.stringify(value);
  }
  const typed = typedView(value);
  if (typed) {
    let hash = 0x811c9dc5;
    const { bytes } = typed;
    // Float data compares by value and sign, NaN as NaN: which NaN bit pattern an operation
    // leaves (0x7fc00000 or 0x7fe00000 from the same inputs) is the engine's, not a result.
    const width = typed.tag === 'Float64Array' ? 8 : typed.tag === 'Float32Array' ? 4 : 0;
    const floats = width === 8 ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8) : width === 4 ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : undefined;
    for (let i = 0; i < bytes.length; i++) {
      const nan = floats !== undefined && Number.isNaN(floats[Math.floor(i / width)]);
      hash = Math.imul(hash ^ (nan ? 0xff : bytes[i]!), 0x01000193);
    }
    return `${typed.tag}(${bytes.length}B #${(hash >>> 0).toString(16)})`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => fingerprint(v, custom, depth + 1)).join(',')}]`;
  const keys = Object.keys(value).filter((k) => k !== 'milliseconds');
  // WasmTensor and similar: their data lives behind a getter.
  const data = 'data' in value && !keys.includes('data') ? (value as { data: unknown }).data : undefined;
  const parts = keys.map((k) => `${k}:${fingerprint((value as Record<string, unknown>)[k], custom, depth + 1)}`);
  if (data !== undefined) parts.push(`data:${fingerprint(data, custom, depth + 1)}`);
  return `{${parts.join(',')}}`;
}
