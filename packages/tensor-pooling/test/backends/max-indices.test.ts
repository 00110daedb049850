/**
 * The wasm float32 channels-first max with indices (max_indices_cf_f32: one "greater than" per tap
 * on planes without NaN; planes with a NaN and plans with empty windows through the NaN-exact
 * separable kernel) against the reference: the values bit for bit and the same indices. Data full
 * of ties (the first maximum in scan order wins, -0 before +0 stays -0), windows of -Infinity
 * only, NaN anywhere under both NaN rules, widths around the four-output groups, padding on every
 * side, ceil mode, 1-D to 3-D, adaptive bins, ONNX pads that leave windows empty; through
 * maxPoolWithIndices on host arrays and poolInto on WasmTensors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withReducer } from '../helpers/plans.js';
import { assertSameBits } from '../helpers/ulp.js';
import {
  adaptiveMaxPoolWithIndices,
  allocWasmTensor,
  init,
  maxPoolWithIndices,
  observeRuns,
  planMaxPool,
  poolInto,
  runOnnxNode,
  toWasmTensor,
  type PoolPlan,
  type Tensor,
  type WindowOptions,
} from '../../src/index.js';
import { windowsOf } from '../../src/plan/plan.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import { rng, type Random } from './compare.js';

const WINDOWS: WindowOptions[] = [
  { kernel: 3, stride: 2, padding: 1 },
  { kernel: 3, stride: 2, padding: 1, ceilMode: true },
  { kernel: 2, stride: 2 },
  { kernel: 3, stride: 1, padding: 1 },
  { kernel: [2, 5], stride: [1, 2], padding: [1, 2], ceilMode: true },
  { kernel: [4, 3], stride: [3, 1], padding: [2, 0] },
  { kernel: 3, stride: 3, padding: 1 },
  { kernel: [2, 9], stride: 1, padding: [0, 4] },
];

/** Widths below, at and around the four-output groups at strides 1 and 2 (22: k3 s2's last group overlaps its predecessor). */
const SHAPES = [
  [1, 6, 9, 17],
  [1, 6, 7, 22],
  [2, 3, 8, 16],
  [1, 6, 7, 31],
  [1, 6, 5, 6],
  [1, 6, 3, 3],
];

/**
 * Float32 data where most windows tie: values drawn from a handful, -0 and +0 among them. Every
 * fourth plane is all -Infinity, so each of its windows' indices is its first tap.
 */
function tiedTensor(r: Random, shape: readonly number[]): Tensor {
  const size = shape.slice(2).reduce((p, d) => p * d, 1);
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(i / size) % 4 === 3 ? -Infinity : r.pick([-0, 0, 1, 2, 2, -1, 0.5]);
  return { shape, data };
}

/** NaN at `count` random places of every other plane. */
function withNaN(r: Random, x: Tensor, count: number): Tensor {
  const size = x.shape.slice(2).reduce((p, d) => p * d, 1);
  for (let plane = 0; plane < x.data.length; plane += 2 * size) {
    for (let k = 0; k < count; k++) x.data[plane + r.int(0, size - 1)] = NaN;
  }
  return x;
}

interface Maxima {
  readonly values: Tensor;
  readonly indices: { readonly shape: readonly number[]; readonly data: Int32Array };
}

function assertSameResult(got: Maxima, expected: Maxima, label: string): void {
  assertSameBits(got.values.data, expected.values.data, `${label}: values`);
  assert.deepEqual(got.indices.data, expected.indices.data, `${label}: indices`);
}

function viaPoolInto(plan: PoolPlan, host: Tensor): Maxima {
  const x = toWasmTensor(host);
  const out = allocWasmTensor(plan.outputShape);
  try {
    const indices = poolInto(plan, x, out, true)!;
    return { values: { shape: out.shape, data: out.data.slice() }, indices: { shape: out.shape, data: indices } };
  } finally {
    x.free();
    out.free();
  }
}

function reference(plan: PoolPlan, host: Tensor): Maxima {
  const { y, indices } = referenceForward(plan, host);
  return { values: { shape: plan.outputShape, data: y }, indices: { shape: plan.outputShape, data: indices! } };
}

test('wasm float32 max with indices equals the reference on data full of ties, signed zeros and -Infinity', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(1616);
  for (const shape of SHAPES) {
    const x = tiedTensor(r, shape);
    for (const window of WINDOWS) {
      const label = `${JSON.stringify(shape)} ${JSON.stringify(window)}`;
      const expected = maxPoolWithIndices(x, { ...window, backend: 'reference' });
      assertSameResult(maxPoolWithIndices(x, { ...window, backend: 'wasm' }), expected, label);
    }
  }
});

test('wasm float32 max with indices: planes holding NaN give the first NaN, or skip it under the TF.js rule', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(1617);
  for (const shape of SHAPES) {
    const host = withNaN(r, tiedTensor(r, shape), 3);
    for (const window of WINDOWS) {
      for (const nan of ['propagate', 'ignore'] as const) {
        const plan = withReducer(planMaxPool(host.shape, window), { op: 'max', nan });
        assertSameResult(viaPoolInto(plan, host), reference(plan, host), `${JSON.stringify(shape)} ${JSON.stringify(window)} ${nan}`);
      }
    }
  }
});

test('wasm float32 max with indices of 1-D and 3-D maps and adaptive bins equals the reference', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(1618);
  const line = tiedTensor(r, [2, 4, 29]);
  for (const window of [{ kernel: [3], stride: 2, padding: 1 }, { kernel: [4], stride: 1, padding: 2, ceilMode: true }]) {
    assertSameResult(maxPoolWithIndices(line, { ...window, backend: 'wasm' }), maxPoolWithIndices(line, { ...window, backend: 'reference' }), `1-D ${JSON.stringify(window)}`);
  }
  const volume = tiedTensor(r, [1, 4, 5, 6, 9]);
  for (const window of [{ kernel: 3, stride: 2, padding: 1 }, { kernel: [2, 3, 2], stride: 1 }]) {
    assertSameResult(maxPoolWithIndices(volume, { ...window, backend: 'wasm' }), maxPoolWithIndices(volume, { ...window, backend: 'reference' }), `3-D ${JSON.stringify(window)}`);
  }
  const map = tiedTensor(r, [1, 4, 13, 22]);
  for (const outputSize of [[4, 5], [13, 7], [6, 22]]) {
    const options = { outputSize };
    assertSameResult(
      adaptiveMaxPoolWithIndices(map, { ...options, backend: 'wasm' }),
      adaptiveMaxPoolWithIndices(map, { ...options, backend: 'reference' }),
      `adaptive ${outputSize.join('x')}`,
    );
  }
});

test('wasm float32 max with indices: windows wholly in the padding (ONNX pads) give -Infinity and -1', async () => {
  assert.equal((await init()).wasm, true);
  const host = tiedTensor(rng(1619), [1, 3, 4, 5]);
  const plan = observeRuns(() => runOnnxNode('MaxPool', { kernel_shape: [2, 2], pads: [3, 3, 3, 3] }, [host])).runs[0]!.plan;
  assert.ok(windowsOf(plan).every((w) => w.count.includes(0)), 'some windows are empty on both axes');
  const got = viaPoolInto(plan, host);
  assertSameResult(got, reference(plan, host), 'ONNX pads');
  assert.ok(got.indices.data.includes(-1));
});

test('wasm float32 max with indices of the ResNet stem (k3 s2 pad 1, 112x112) equals the reference', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(1620);
  const x = tiedTensor(r, [1, 8, 112, 112]);
  withNaN(r, x, 1);
  const window = { kernel: 3, stride: 2, padding: 1 };
  assertSameResult(maxPoolWithIndices(x, { ...window, backend: 'wasm' }), maxPoolWithIndices(x, { ...window, backend: 'reference' }), 'stem');
});
