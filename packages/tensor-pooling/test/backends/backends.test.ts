/**
 * Every registered backend against the reference kernel, on random plans of every op, both layouts
 * and dtypes, 1-3 spatial axes: results within 1 ulp, max indices equal, the same bits from run to
 * run. Plus the shapes that take the wasm fast paths (global, kernel-2 pairs, prefix sums with
 * windows up to 31x31), the zero-copy path and init().
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPoolBackward,
  adaptiveMaxPoolWithIndices,
  avgPool,
  avgPoolBackward,
  backendNames,
  globalAvgPool,
  globalAvgPoolBackward,
  globalLpPool,
  globalMaxPool,
  globalMaxPoolBackward,
  init,
  lpPool,
  lpPoolBackward,
  maxPool,
  maxPoolBackward,
  maxPoolWithIndices,
  observeRuns,
  type FloatArray,
  type Layout,
  type Tensor,
} from '../../src/index.js';
import { compareToReference, randomTensor, randomWindowOptions, rng, type Random } from './compare.js';

/** The fast backends: read after init() (the first test), which loads the wasm one. */
const fastBackends = () => backendNames().filter((name) => name !== 'reference');

test('init(): calls before it run on JS; after it, auto picks wasm', async () => {
  const x = randomTensor(rng(1), [1, 2, 6, 6], 'float32');
  const before = observeRuns(() => avgPool(x, { kernel: 2 }));
  assert.equal(before.runs[0]!.backend, 'js');
  const result = await init();
  assert.equal(result.wasm, true, String(result.wasmError));
  assert.ok(result.backends.includes('wasm'));
  const after = observeRuns(() => avgPool(x, { kernel: 2 }));
  assert.equal(after.runs[0]!.backend, 'wasm');
  assert.deepEqual(after.result.data, before.result.data);
  assert.deepEqual(await init(), result, 'init() is idempotent');
});

interface Case {
  readonly label: string;
  readonly run: (backend: string) => { values: Tensor; indices?: Int32Array };
}

function randomCase(r: Random, index: number): Case {
  const rank = r.int(1, 3);
  const layout: Layout = r.int(0, 1) ? 'channels-last' : 'channels-first';
  const dtype = r.int(0, 1) ? 'float64' : 'float32';
  const spatial = Array.from({ length: rank }, () => r.int(1, 9));
  const channels = r.pick([1, 2, 3, 5, 8]);
  const batched = r.int(0, 3) > 0;
  const shape = layout === 'channels-first' ? [channels, ...spatial] : [...spatial, channels];
  const full = batched ? [r.int(1, 2), ...shape] : shape;
  const x = randomTensor(r, full, dtype);
  const common = { layout, spatialDims: rank };
  const window = { ...common, ...randomWindowOptions(r, spatial) };
  const dy = (shapeOf: readonly number[]) => randomTensor(r, shapeOf, dtype);
  const op = r.int(0, 10);
  const label = `#${index} op ${op} ${dtype} ${layout} shape ${JSON.stringify(full)} ${JSON.stringify(window)}`;
  const values = (t: Tensor) => ({ values: t });
  switch (op) {
    case 0: {
      const o = { ...window, countIncludePad: r.int(0, 1) === 1, ...(r.int(0, 4) === 0 ? { divisorOverride: r.int(1, 7) } : {}) };
      return { label: `${label} ${JSON.stringify(o)}`, run: (backend) => values(avgPool(x, { ...o, backend })) };
    }
    case 1: {
      const o = { ...window, countIncludePad: r.int(0, 1) === 1 };
      const g = dy(avgPool(x, { ...o, backend: 'reference' }).shape);
      return { label, run: (backend) => values(avgPoolBackward(g, x.shape, { ...o, backend })) };
    }
    case 2:
      return {
        label,
        run: (backend) => {
          const { values: v, indices } = maxPoolWithIndices(x, { ...window, backend });
          return { values: v, indices: indices.data };
        },
      };
    case 3: {
      const g = dy(maxPoolWithIndices(x, { ...window, backend: 'reference' }).values.shape);
      return { label, run: (backend) => values(maxPoolBackward(g, x, { ...window, backend })) };
    }
    case 4: {
      const p = r.pick([1, 2, 3]);
      return { label: `${label} p ${p}`, run: (backend) => values(lpPool(x, { ...window, p, backend })) };
    }
    case 5: {
      const p = r.pick([1, 2, 3]);
      const g = dy(lpPool(x, { ...window, p, backend: 'reference' }).shape);
      return { label: `${label} p ${p}`, run: (backend) => values(lpPoolBackward(g, x, { ...window, p, backend })) };
    }
    case 6: {
      const outputSize = spatial.map((s) => (r.int(0, 3) === 0 ? null : r.int(1, s + 2)));
      return { label: `${label} adaptive ${JSON.stringify(outputSize)}`, run: (backend) => values(adaptiveAvgPool(x, { ...common, outputSize, backend })) };
    }
    case 7: {
      const outputSize = spatial.map((s) => r.int(1, s + 2));
      const g = dy(adaptiveAvgPool(x, { ...common, outputSize, backend: 'reference' }).shape);
      return { label, run: (backend) => values(adaptiveAvgPoolBackward(g, x.shape, { ...common, outputSize, backend })) };
    }
    case 8: {
      const outputSize = spatial.map((s) => r.int(1, s + 2));
      const g = dy(adaptiveAvgPool(x, { ...common, outputSize, backend: 'reference' }).shape);
      return {
        label,
        run: (backend) => {
          const { values: v, indices } = adaptiveMaxPoolWithIndices(x, { ...common, outputSize, backend });
          const grad = adaptiveMaxPoolBackward(g, x, { ...common, outputSize, backend });
          return { values: { shape: [v.data.length + grad.data.length], data: concat(v.data, grad.data) }, indices: indices.data };
        },
      };
    }
    case 9: {
      const keepDims = r.int(0, 1) === 1;
      return {
        label,
        run: (backend) => {
          const avg = globalAvgPool(x, { ...common, keepDims, backend });
          const max = globalMaxPool(x, { ...common, keepDims, backend });
          const lp = globalLpPool(x, { ...common, keepDims, p: 3, backend });
          return { values: { shape: [avg.data.length * 3], data: concat(avg.data, max.data, lp.data) } };
        },
      };
    }
    default: {
      const g = dy(globalAvgPool(x, { ...common, backend: 'reference' }).shape);
      return {
        label,
        run: (backend) => {
          const a = globalAvgPoolBackward(g, x.shape, { ...common, backend });
          const m = globalMaxPoolBackward(g, x, { ...common, backend });
          return { values: { shape: [a.data.length * 2], data: concat(a.data, m.data) } };
        },
      };
    }
  }
}

function concat(...parts: FloatArray[]): FloatArray {
  const out = new (parts[0]!.constructor as Float32ArrayConstructor)(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('every backend equals the reference within 1 ulp on random plans, the same bits every run', () => {
  const backends = fastBackends();
  assert.ok(backends.includes('wasm') && backends.includes('js'), backends.join());
  const r = rng(20261128);
  for (let i = 0; i < 500; i++) {
    const c = randomCase(r, i);
    const expected = c.run('reference');
    for (const backend of backends) {
      const got = c.run(backend);
      compareToReference(got.values, expected.values, `${backend} ${c.label}`);
      if (expected.indices) assert.deepEqual(got.indices, expected.indices, `${backend} indices ${c.label}`);
      const again = c.run(backend);
      assert.deepEqual(new Uint8Array(again.values.data.buffer), new Uint8Array(got.values.data.buffer), `${backend} rerun ${c.label}`);
    }
  }
});

test('NaN and infinities take the same path in every backend', () => {
  const r = rng(7);
  for (const dtype of ['float32', 'float64'] as const) {
    for (const layout of ['channels-first', 'channels-last'] as const) {
      const x = randomTensor(r, layout === 'channels-first' ? [2, 4, 9, 8] : [2, 9, 8, 4], dtype);
      for (let i = 0; i < x.data.length; i += 13) x.data[i] = [NaN, Infinity, -Infinity][i % 3]!;
      for (const kernel of [2, 3, 5]) {
        const options = { kernel, stride: kernel === 2 ? 2 : 1, layout };
        const expected = avgPool(x, { ...options, backend: 'reference' });
        const expectedMax = maxPoolWithIndices(x, { ...options, backend: 'reference' });
        for (const backend of fastBackends()) {
          compareToReference(avgPool(x, { ...options, backend }), expected, `${backend} avg ${dtype} ${layout} k${kernel}`);
          const max = maxPoolWithIndices(x, { ...options, backend });
          compareToReference(max.values, expectedMax.values, `${backend} max ${dtype} ${layout} k${kernel}`);
          assert.deepEqual(max.indices.data, expectedMax.indices.data);
        }
      }
    }
  }
});

interface FastCase {
  readonly shape: number[];
  readonly options: Parameters<typeof avgPool>[1];
}

const FAST_PATHS: FastCase[] = [
  // prefix sums: cost independent of the window, windows up to 31x31, clipped at the edges
  { shape: [1, 3, 40, 37], options: { kernel: 31, stride: 1 } },
  { shape: [2, 2, 23, 29], options: { kernel: 7, stride: 1, padding: 3, countIncludePad: true } },
  { shape: [2, 2, 23, 29], options: { kernel: 7, stride: 1, padding: 3 } },
  { shape: [1, 2, 19, 26], options: { kernel: [5, 4], stride: 2, padding: [2, 1], ceilMode: true } },
  { shape: [1, 2, 19, 26], options: { kernel: 3, stride: 1, padding: 1, divisorOverride: 7 } },
  { shape: [1, 2, 5, 12, 13], options: { kernel: [2, 5, 5], stride: [1, 2, 1] } },
  // windows wider than the map: none whole, the widest ones not one apart
  { shape: [1, 2, 5, 6], options: { kernel: 7, stride: 1, padding: 3 } },
  // pairs: width windows (2o, 2o+1), four outputs at a time plus a tail
  { shape: [2, 3, 10, 18], options: { kernel: 2 } },
  { shape: [2, 3, 11, 19], options: { kernel: 2, ceilMode: true, padding: [1, 0] } },
  { shape: [1, 2, 4, 6, 16], options: { kernel: 2 } },
  // channels-last: vectorised over channels, with a tail of channels
  { shape: [2, 12, 11, 16], options: { kernel: 3, stride: 2, padding: 1, layout: 'channels-last' } },
  { shape: [1, 12, 11, 7], options: { kernel: 9, stride: 1, layout: 'channels-last' } },
];

test('the wasm fast paths equal the reference within 1 ulp (random values and values near 1000)', () => {
  const r = rng(31);
  for (const { shape, options } of FAST_PATHS) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const offset of [0, 1000]) {
        const x = randomTensor(r, shape, dtype, offset);
        const expected = avgPool(x, { ...options, backend: 'reference' });
        const label = `${JSON.stringify(shape)} ${JSON.stringify(options)} ${dtype} offset ${offset}`;
        for (const backend of fastBackends()) compareToReference(avgPool(x, { ...options, backend }), expected, `${backend} ${label}`);
      }
    }
  }
});

test('global average of 2^20 float32 values near 1000 is within 1 ulp of the exact mean', () => {
  const r = rng(5);
  const side = 1024;
  const x = randomTensor(r, [1, 1, side, side], 'float32', 1000.5);
  // Every value is a multiple of 2^-14 below 1024, so a float64 sum of 2^20 of them is exact.
  let exactSum = 0;
  for (const v of x.data) exactSum += v;
  const exact = exactSum / (side * side);
  const spacing = 2 ** -14;
  for (const backend of fastBackends()) {
    const got = globalAvgPool(x, { backend }).data[0]!;
    assert.ok(Math.abs(got - exact) <= spacing, `${backend}: ${got} vs exact ${exact}`);
    const box = avgPool(x, { kernel: 31, stride: 31, backend });
    const reference = avgPool(x, { kernel: 31, stride: 31, backend: 'reference' });
    compareToReference(box, reference, `${backend} 31x31 box near 1000`);
  }
});

test('max fast paths (separable, four lanes, values only) equal the reference, NaN and ties included', () => {
  const r = rng(11);
  const windows = [
    { kernel: 3, stride: 2, padding: 1 },
    { kernel: 2, stride: 2 },
    { kernel: 3, stride: 1, padding: 1 },
    { kernel: [5, 4], stride: 1, ceilMode: true, padding: [2, 1] },
    { kernel: 3, stride: 3, padding: 1, ceilMode: true },
    // wider than the map: the widest width windows are all clipped to the same taps
    { kernel: [3, 41], stride: 1, padding: [1, 20] },
    // van Herk's block maxima (2-D windows of 625 taps and more)
    { kernel: 25, stride: 1, padding: 12 },
    { kernel: [26, 25], stride: 2, padding: [13, 12], ceilMode: true },
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const shape of [[2, 3, 27, 30], [1, 2, 5, 9, 21]]) {
      const x = randomTensor(r, shape, dtype);
      // NaN in the first plane only: planes with and without NaN take different paths.
      for (let i = 7; i < shape.slice(-2).reduce((p, d) => p * d, 1); i += 97) x.data[i] = NaN;
      for (const window of windows) {
        const threeD = shape.length === 5;
        const options = {
          ...window,
          ...(threeD && Array.isArray(window.kernel) ? { kernel: [2, ...window.kernel], padding: [1, ...(window.padding as number[])] } : {}),
          ...(threeD && window.kernel === 25 ? { kernel: [2, 25, 25], padding: [1, 12, 12] } : {}),
          spatialDims: shape.length - 2,
        };
        const expected = maxPoolWithIndices(x, { ...options, backend: 'reference' });
        for (const backend of fastBackends()) {
          const label = `${backend} ${dtype} ${JSON.stringify(shape)} ${JSON.stringify(window)}`;
          compareToReference(maxPool(x, { ...options, backend }), expected.values, `values ${label}`);
          const withIndices = maxPoolWithIndices(x, { ...options, backend });
          compareToReference(withIndices.values, expected.values, label);
          assert.deepEqual(withIndices.indices.data, expected.indices.data, `indices ${label}`);
        }
      }
    }
  }
});

test('max with indices keeps the reference value of signed zeros', () => {
  const x = { shape: [1, 1, 2, 4], data: Float32Array.of(-0, 0, 0, -0, 0, -0, -0, 0) };
  const expected = maxPoolWithIndices(x, { kernel: 2, backend: 'reference' });
  for (const backend of fastBackends()) {
    const got = maxPoolWithIndices(x, { kernel: 2, backend });
    assert.deepEqual(got.indices.data, expected.indices.data, backend);
    got.values.data.forEach((v, i) => assert.ok(Object.is(v, expected.values.data[i]), `${backend} ${i}: ${v}`));
  }
});
