/**
 * Comparisons in units in the last place of the result's own dtype: the library promises float64
 * accumulation and one rounding, so any backend is within 1 ulp of a correctly computed result.
 */
import assert from 'node:assert/strict';
import type { FloatArray } from '../../src/index.js';

const view32 = new DataView(new ArrayBuffer(4));
const view64 = new DataView(new ArrayBuffer(8));

/** Maps a float onto a line of integers on which neighbouring floats are 1 apart (-0 and +0 meet). */
function ordinal32(v: number): number {
  view32.setFloat32(0, v);
  const bits = view32.getInt32(0);
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

function ordinal64(v: number): bigint {
  view64.setFloat64(0, v);
  const bits = view64.getBigInt64(0);
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

/**
 * How many representable values of the dtype lie between a and b: 0 when equal (NaN equals NaN),
 * Infinity when only one is NaN or they are different infinities.
 */
export function ulpDistance(a: number, b: number, dtype: 'float32' | 'float64'): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  if (dtype === 'float32') return Math.abs(ordinal32(a) - ordinal32(b));
  const d = ordinal64(a) - ordinal64(b);
  return Number(d < 0n ? -d : d);
}

export interface Compared {
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

function dtypeName(data: FloatArray): 'float32' | 'float64' {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** Same shape, same dtype, every element within `maxUlps` of the expected one. */
export function assertWithinUlps(actual: Compared, expected: Compared, maxUlps: number, context: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${context}: shape`);
  const dtype = dtypeName(expected.data);
  assert.equal(dtypeName(actual.data), dtype, `${context}: dtype`);
  assert.equal(actual.data.length, expected.data.length, `${context}: length`);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    const distance = ulpDistance(a, e, dtype);
    if (distance > maxUlps) {
      assert.fail(`${context}: element ${i} is ${a}, expected ${e} (${distance} ulps apart, at most ${maxUlps} allowed)`);
    }
  }
}

export type TypedNumbers = FloatArray | Int32Array | Uint8Array;

/**
 * The same bits, except that any NaN matches any NaN: what "deterministic" means for two runs of
 * the same op on the same input. NaN payloads are left out because the engine itself does not keep
 * them: x86 gives Infinity - Infinity a negative NaN, while V8's constant folding gives a positive one,
 * so the same code yields either depending on which tier compiled it.
 */
/** A number as a message shows it, -0 included. */
function showNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export function assertSameBits(a: TypedNumbers, b: TypedNumbers, context: string): void {
  assert.equal(a.constructor, b.constructor, `${context}: array type`);
  const bytesA = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const bytesB = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(bytesA.length, bytesB.length, `${context}: length`);
  const size = a.BYTES_PER_ELEMENT;
  for (let element = 0; element < a.length; element++) {
    if (Number.isNaN(a[element]) && Number.isNaN(b[element])) continue;
    for (let i = element * size; i < (element + 1) * size; i++) {
      if (bytesA[i] !== bytesB[i]) assert.fail(`${context}: element ${element} differs: ${showNumber(a[element]!)} and ${showNumber(b[element]!)}`);
    }
  }
}

/** Snapshot of a typed array, to show later that a call left its inputs alone. */
export function snapshot<T extends TypedNumbers>(data: T): T {
  return data.slice() as T;
}
