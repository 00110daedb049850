/** Helpers of the backend suite: a seeded generator, random tensors, the 1-ulp comparison. */
import assert from 'node:assert/strict';
import { allocWasmTensor, observeRuns, poolInto, toWasmTensor, type AvgPoolOptions, type DType, type FloatArray, type PoolPlan, type Tensor } from '../../src/index.js';

export interface Random {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, seeded, the same sequence everywhere. */
export function rng(seed: number): Random {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

/** Values in [-1, 1), some of them repeated so that max pooling meets ties. */
export function randomTensor(r: Random, shape: readonly number[], dtype: DType, offset = 0): Tensor {
  const length = shape.reduce((p, d) => p * d, 1);
  const data = dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = r.int(0, 9) === 0 && i > 0 ? data[i - 1]! : offset + (r.next() * 2 - 1);
  return { shape, data };
}

/** Spacing of the dtype's floats at |v|. */
export function ulp(v: number, dtype: DType): number {
  const [mantissa, minimum] = dtype === 'float64' ? [52, 2 ** -1074] : [23, 2 ** -149];
  const a = Math.abs(v);
  if (a === 0 || !Number.isFinite(a)) return minimum;
  return Math.max(minimum, 2 ** (Math.floor(Math.log2(a)) - mantissa));
}

/** Same shape; every element within 1 ulp of the reference (NaN where it has NaN). */
export function compareToReference(got: Tensor, expected: Tensor, label: string): void {
  assert.deepEqual([...got.shape], [...expected.shape], `shape ${label}`);
  assert.equal(got.data.constructor, expected.data.constructor, `dtype ${label}`);
  const dtype: DType = expected.data instanceof Float64Array ? 'float64' : 'float32';
  const g: FloatArray = got.data;
  const e: FloatArray = expected.data;
  for (let i = 0; i < e.length; i++) {
    const a = g[i]!;
    const b = e[i]!;
    if (Object.is(a, b) || a === b) continue;
    if (Number.isNaN(b) || Number.isNaN(a) || !Number.isFinite(a) || !Number.isFinite(b)) {
      assert.fail(`${label}: element ${i} is ${a}, the reference ${b}`);
    }
    const tolerance = ulp(Math.max(Math.abs(a), Math.abs(b)), dtype);
    if (Math.abs(a - b) > tolerance) {
      assert.fail(`${label}: element ${i} is ${a}, the reference ${b} (${Math.abs(a - b) / tolerance} ulp)`);
    }
  }
}

/** Kernel and padding that fit the last two axes of `shape` (the planner refuses a window past the padding). */
export function fits(shape: readonly number[], options: AvgPoolOptions): boolean {
  const kernel = [options.kernel].flat() as number[];
  const padding = [options.padding ?? 0].flat() as number[];
  return shape.slice(-2).every((size, a) => size + 2 * (padding[a] ?? padding[0]!) >= (kernel[a] ?? kernel[0]!));
}

/** `plan` on `host` through poolInto on WasmTensors (1 thread), as a host tensor. */
export function pooledInPlace(plan: PoolPlan, host: Tensor): Tensor {
  const x = toWasmTensor(host);
  const out = allocWasmTensor(plan.outputShape);
  try {
    const observed = observeRuns(() => poolInto(plan, x, out));
    assert.equal(observed.runs[0]?.backend, 'wasm');
    return { shape: out.shape, data: out.data.slice() };
  } finally {
    x.free();
    out.free();
  }
}
