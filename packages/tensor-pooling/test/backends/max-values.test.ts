/**
 * The wasm float32 max kernel for 2-D and 1-D channels-first planes, values only (rows first: the
 * width windows of each input row once, then the height windows over those row maxima), against
 * the reference bit for bit: signed zeros, NaN (a plane with one is done again NaN-exact), both
 * infinities (whose sum makes the NaN probe fire without a NaN), edge windows, ceil mode, widths
 * around the four-lane groups. maxPool with backend 'wasm' and poolInto take this kernel for such
 * plans unless the window reaches van Herk's size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withReducer } from '../helpers/plans.js';
import { adaptiveMaxPool, allocWasmTensor, init, maxPool, planMaxPool, poolInto, toWasmTensor, type Tensor } from '../../src/index.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import { randomTensor, rng, type Random } from './compare.js';
import { assertSameBits } from '../helpers/ulp.js';

const WINDOWS = [
  { kernel: 3, stride: 2, padding: 1 },
  { kernel: 3, stride: 2, padding: 1, ceilMode: true },
  { kernel: 2, stride: 2 },
  { kernel: 2, stride: 2, padding: 1, ceilMode: true },
  { kernel: 3, stride: 1, padding: 1 },
  { kernel: 3, stride: 1 },
  { kernel: [2, 3], stride: [1, 2] },
  { kernel: [3, 1], stride: [2, 2] },
  { kernel: [1, 4], stride: [1, 2], padding: [0, 1], ceilMode: true },
  { kernel: [4, 5], stride: [3, 1], padding: [1, 2] },
  // stride 3 along the width: every window one at a time
  { kernel: 3, stride: 3, padding: 1, ceilMode: true },
  // wider than the map: the widest windows are all clipped to the same taps
  { kernel: [3, 15], stride: 1, padding: [1, 7] },
];

/** Heights and widths around the four-output groups (widths 8k+-1 at stride 2, narrower than 4 outputs). */
const SHAPES = [
  [1, 6, 9, 17],
  [1, 6, 12, 16],
  [2, 3, 7, 31],
  [1, 6, 5, 6],
  [1, 6, 3, 3],
];

/**
 * One plane each: NaN in a corner, NaN in the middle, a row of NaN, -Infinity patches, signed
 * zeros next to negative values, both infinities; the rest as drawn.
 */
function plant(r: Random, x: Tensor): void {
  const [h, w] = x.shape.slice(-2) as [number, number];
  const size = h * w;
  const planes = x.data.length / size;
  for (let p = 0; p < planes; p++) {
    const at = (i: number) => p * size + i;
    const kind = p % 6;
    if (kind === 0) x.data[at(r.pick([0, w - 1, size - w, size - 1]))] = NaN;
    if (kind === 1) x.data[at(Math.floor(h / 2) * w + Math.floor(w / 2))] = NaN;
    if (kind === 2) for (let i = 0; i < w; i++) x.data[at(Math.floor(h / 3) * w + i)] = NaN;
    if (kind === 3) for (let i = 0; i < size; i += 3) x.data[at(i)] = -Infinity;
    if (kind === 4) for (let i = 0; i < size; i++) x.data[at(i)] = r.pick([0, -0, -0.5, 0, -0]);
    if (kind === 5) for (let i = 0; i < size; i += 5) x.data[at(i)] = i % 2 ? Infinity : -Infinity;
  }
}

test('wasm float32 max values, rows first, equal the reference bit for bit', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(2024);
  for (const shape of SHAPES) {
    const x = randomTensor(r, shape, 'float32');
    plant(r, x);
    for (const window of WINDOWS) {
      const label = `${JSON.stringify(shape)} ${JSON.stringify(window)}`;
      const expected = maxPool(x, { ...window, backend: 'reference' });
      assertSameBits(maxPool(x, { ...window, backend: 'wasm' }).data, expected.data, label);
    }
  }
});

test('wasm float32 max values of 1-D planes equal the reference bit for bit', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(77);
  const x = randomTensor(r, [2, 6, 37], 'float32');
  plant(r, { shape: [2, 6, 1, 37], data: x.data });
  for (const window of [{ kernel: [3], stride: 2, padding: 1 }, { kernel: [2], stride: 2, ceilMode: true }, { kernel: [5], stride: 1, padding: 2 }]) {
    const expected = maxPool(x, { ...window, backend: 'reference' });
    assertSameBits(maxPool(x, { ...window, backend: 'wasm' }).data, expected.data, JSON.stringify(window));
  }
});

test('wasm float32 max values skip NaN under the ignore rule (TF.js) bit for bit, through poolInto', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(5);
  for (const window of [{ kernel: 3, stride: 2, padding: 1 }, { kernel: 2, stride: 2 }, { kernel: 3, stride: 1, padding: 1 }]) {
    const host = randomTensor(r, [1, 6, 10, 13], 'float32');
    plant(r, host);
    // A window of NaN only: -Infinity under 'ignore'.
    host.data.fill(NaN, 2 * 130, 2 * 130 + 26);
    const plan = withReducer(planMaxPool(host.shape, window), { op: 'max', nan: 'ignore' });
    const x = toWasmTensor(host);
    const out = allocWasmTensor(plan.outputShape);
    poolInto(plan, x, out);
    assertSameBits(out.data, referenceForward(plan, host).y, `ignore ${JSON.stringify(window)}`);
    x.free();
    out.free();
  }
});

test('wasm float32 max values of the ResNet stem (k3 s2 pad 1, 112x112) equal the reference bit for bit', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(9);
  const x = randomTensor(r, [1, 6, 112, 112], 'float32');
  plant(r, x);
  const window = { kernel: 3, stride: 2, padding: 1 };
  assertSameBits(maxPool(x, { ...window, backend: 'wasm' }).data, maxPool(x, { ...window, backend: 'reference' }).data, 'stem');
});

test('a 3-D map of depth 1 pooled to depth 2 (adaptive) equals the reference: the 2-D kernel is not for it', async () => {
  assert.equal((await init()).wasm, true);
  const x = randomTensor(rng(41), [1, 2, 1, 5, 4], 'float32');
  const options = { outputSize: [2, 2, 3] };
  assertSameBits(adaptiveMaxPool(x, { ...options, backend: 'wasm' }).data, adaptiveMaxPool(x, { ...options, backend: 'reference' }).data, 'depth 1 -> 2');
});

test('wasm float32 max values find a lone NaN in any edge column of any row (k3 s2: two rows at once), under both NaN rules', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(31);
  // Widths whose last window is whole (112, 16) and clipped (113, 17); the NaN goes in the columns
  // the scalar edges and the last group's third tap read.
  for (const [h, w] of [[12, 112], [9, 113], [12, 16], [11, 17]] as const) {
    const columns = [0, 1, 2, w - 3, w - 2, w - 1];
    const host = randomTensor(r, [1, h * columns.length, h, w], 'float32');
    for (let row = 0; row < h; row++) {
      columns.forEach((c, i) => (host.data[(row * columns.length + i) * h * w + row * w + c] = NaN));
    }
    for (const window of [{ kernel: 3, stride: 2, padding: 1 }, { kernel: 3, stride: 2, padding: 1, ceilMode: true }]) {
      for (const nan of ['propagate', 'ignore'] as const) {
        const plan = withReducer(planMaxPool(host.shape, window), { op: 'max', nan });
        const x = toWasmTensor(host);
        const out = allocWasmTensor(plan.outputShape);
        poolInto(plan, x, out);
        assertSameBits(out.data, referenceForward(plan, host).y, `${h}x${w} ${JSON.stringify(window)} ${nan}`);
        x.free();
        out.free();
      }
    }
  }
});
