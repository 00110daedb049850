/**
 * The wasm float32 global average of channels-first planes (two planes at a time, each summed in
 * float64 like the reference and divided once) against the reference bit for bit, through
 * globalAvgPool with backend 'wasm' and through poolInto: plane sizes around the eight-value steps
 * (and below eight), odd and even plane counts (the last plane alone), signed zeros (a plane of -0
 * alone averages to the reference's +0), NaN, both infinities, values from 2^-20 to 2^8 (whose
 * float64 sums are exact in any order), a divisor override.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withReducer } from '../helpers/plans.js';
import { allocWasmTensor, globalAvgPool, init, observeRuns, poolInto, toWasmTensor, type Tensor } from '../../src/index.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import { randomTensor, rng, type Random } from './compare.js';
import { assertSameBits } from '../helpers/ulp.js';

/** Planes of `size` values each: as drawn, then one kind of special values per plane. */
function plant(r: Random, x: Tensor, size: number): void {
  const planes = x.data.length / size;
  for (let p = 0; p < planes; p++) {
    const at = (i: number) => p * size + i;
    const kind = p % 8;
    if (kind === 1) for (let i = 0; i < size; i++) x.data[at(i)] = -0;
    if (kind === 2) for (let i = 0; i < size; i++) x.data[at(i)] = r.pick([0, -0]);
    if (kind === 3) x.data[at(r.int(0, size - 1))] = NaN;
    if (kind === 4) x.data[at(size - 1)] = r.pick([Infinity, -Infinity]);
    if (kind === 5 && size > 1) {
      x.data[at(0)] = Infinity;
      x.data[at(size - 1)] = -Infinity;
    }
    if (kind === 6) for (let i = 0; i < size; i++) x.data[at(i)] = r.pick([-1, 1]) * 2 ** r.int(-20, 8) * (1 + r.int(0, 3) / 4);
    // Values that cancel to zero, with -0 at the end.
    if (kind === 7) for (let i = 0; i < size; i++) x.data[at(i)] = i === size - 1 ? -0 : (i % 2 ? -1 : 1) * 0.75;
  }
}

test('wasm float32 global average equals the reference bit for bit, two planes at a time and the last alone', async () => {
  assert.equal((await init()).wasm, true);
  const r = rng(49);
  for (const [h, w] of [[1, 1], [1, 3], [2, 4], [3, 3], [4, 4], [1, 17], [7, 7], [5, 13], [10, 10]] as const) {
    for (const channels of [1, 2, 8, 9]) {
      const host = randomTensor(r, [1, channels, h, w], 'float32');
      plant(r, host, h * w);
      const label = `${channels}x${h}x${w}`;
      const expected = observeRuns(() => globalAvgPool(host, { backend: 'reference' }));
      assertSameBits(globalAvgPool(host, { backend: 'wasm' }).data, expected.result.data, label);
      const plan = expected.runs[0]!.plan;
      const override = withReducer(plan, { op: 'avg', divisor: 3, emptyWindow: 'zero' });
      for (const p of [plan, override]) {
        const x = toWasmTensor(host);
        const out = allocWasmTensor(p.outputShape);
        const observed = observeRuns(() => poolInto(p, x, out));
        assert.equal(observed.runs[0]?.backend, 'wasm');
        assertSameBits(out.data, referenceForward(p, host).y, `poolInto ${label} ${JSON.stringify(p.reducer)}`);
        x.free();
        out.free();
      }
    }
  }
});

/** The chunk of the global-average kernel (global_chunk_values): planes longer than it are summed chunk by chunk. */
const CHUNK = 65536;

/** docs/numerics.md's order for one chunk: value i into lane i % 8, the lanes reduced pairwise, the tail in order. */
function chunkSum(values: Float32Array): number {
  const lanes = new Float64Array(8);
  const whole = values.length - (values.length % 8);
  for (let i = 0; i < whole; i++) lanes[i % 8]! += values[i]!;
  const [l0, l1, l2, l3, l4, l5, l6, l7] = lanes as unknown as number[];
  let sum = (l0! + l2! + (l4! + l6!)) + (l1! + l3! + (l5! + l7!));
  for (let i = whole; i < values.length; i++) sum += values[i]!;
  return sum;
}

/** A plane's sum in docs/numerics.md's order: its chunks' sums added in chunk order, from +0. */
function planeSum(plane: Float32Array): number {
  let sum = 0;
  for (let from = 0; from < plane.length; from += CHUNK) sum += chunkSum(plane.subarray(from, from + CHUNK));
  return sum;
}

/**
 * Both signs over 20 powers of two, and in planes of `size` longer than a chunk 2^100 first and
 * -2^100 first in the second chunk: added chunk by chunk, those two chunks' other values vanish;
 * added in one run they meet in one lane and only that lane's values vanish. The order shows.
 */
function cancelling(r: Random, shape: readonly number[], size: number): Tensor {
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = (r.next() * 2 - 1) * 2 ** r.int(-10, 10);
  for (let at = 0; size > CHUNK && at < data.length; at += size) {
    data[at] = 2 ** 100;
    data[at + CHUNK] = -(2 ** 100);
  }
  return { shape, data };
}

test('wasm float32 global average sums in the documented order: chunks of 2^16 values, their sums in chunk order', async () => {
  assert.equal((await init()).wasm, true);
  const { requireWasm } = await import('../../src/kernels/wasm/runtime.js');
  assert.equal(requireWasm().kernels.global_chunk_values(), CHUNK);
  const r = rng(50);
  // One chunk (two planes at a time), a chunk and one value, planes the host path copies in pieces.
  for (const size of [13, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 9, 3 * CHUNK + 5]) {
    for (const channels of [1, 3]) {
      const host = cancelling(r, [1, channels, 1, size], size);
      const expected = new Float32Array(channels);
      for (let c = 0; c < channels; c++) expected[c] = planeSum(host.data.subarray(c * size, (c + 1) * size) as Float32Array) / size;
      const label = `${channels}x${size}`;
      assertSameBits(globalAvgPool(host, { backend: 'wasm' }).data, expected, `host arrays ${label}`);
      const plan = observeRuns(() => globalAvgPool(host, { backend: 'reference' })).runs[0]!.plan;
      const x = toWasmTensor(host);
      const out = allocWasmTensor(plan.outputShape);
      poolInto(plan, x, out);
      assertSameBits(out.data, expected, `poolInto ${label}`);
      x.free();
      out.free();
    }
  }
});

test('sum_chunks_f32: any split of a plane into chunk ranges, the slots added in order, gives the kernel bits', async () => {
  assert.equal((await init()).wasm, true);
  const { requireWasm } = await import('../../src/kernels/wasm/runtime.js');
  const { kernels, heap } = requireWasm();
  const r = rng(51);
  const size = 5 * CHUNK + 77;
  const chunks = Math.ceil(size / CHUNK);
  const values = cancelling(r, [size], size).data as Float32Array;
  const plane = heap.alloc(size * 4);
  const slots = heap.alloc(chunks * 8);
  const y = heap.alloc(4);
  try {
    new Float32Array(heap.buffer, plane, size).set(values);
    kernels.global_avg_cf_f32(plane, y, 1, size, 1);
    const whole = new Float32Array(heap.buffer, y, 1)[0]!;
    assert.equal(whole, Math.fround(planeSum(values)));
    for (const cuts of [[0, chunks], [0, 1, chunks], [0, 2, 3, chunks], [0, 1, 2, 3, 4, 5, chunks]]) {
      new Float64Array(heap.buffer, slots, chunks).fill(NaN);
      for (let i = 0; i + 1 < cuts.length; i++) kernels.sum_chunks_f32(plane, size, cuts[i]!, cuts[i + 1]!, slots);
      let sum = 0;
      for (const s of new Float64Array(heap.buffer, slots, chunks)) sum += s;
      assert.equal(sum, planeSum(values), `cut at ${cuts.join(', ')}`);
      assert.equal(Math.fround(sum), whole);
    }
  } finally {
    heap.release(plane);
    heap.release(slots);
    heap.release(y);
  }
});
