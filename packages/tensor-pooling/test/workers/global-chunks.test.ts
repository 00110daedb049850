/**
 * A wasm float32 global average cut across threads at the kernel's fixed chunks (issue 16): every
 * thread count gives the bits of one thread, on WasmTensors and host arrays (shared ones split), with plane sizes
 * around the chunk and values whose sum changes when the chunk sums are added in another order.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  allocSharedTensor,
  allocWasmTensor,
  globalAvgPool,
  init,
  observeRuns,
  poolInto,
  startWorkers,
  toSharedTensor,
  toWasmTensor,
  type PoolPlan,
  type Tensor,
} from '../../src/index.js';
import { MIN_ELEMENTS_PER_PART, splitChunks } from '../../src/kernels/workers/split.js';
import { assertSameBits } from '../helpers/ulp.js';
import { rng, type Random } from '../backends/compare.js';

const CHUNK = 65536;

/**
 * Small values of both signs, and where a plane has three chunks or more, +2^60 first in its
 * second chunk and -2^60 first in its third: the running sum then rounds to multiples of 2^8 while
 * it passes through 2^60, so adding the chunk sums in any other order than chunk order (or cutting
 * a chunk) changes the bits.
 */
function cancelling(r: Random, planes: number, size: number): Tensor<Float32Array> {
  const data = new Float32Array(planes * size);
  for (let i = 0; i < data.length; i++) data[i] = (r.next() * 2 - 1) * 2 ** r.int(-6, 6);
  for (let at = 0; size > 2 * CHUNK && at < data.length; at += size) {
    data[at + CHUNK] = 2 ** 60;
    data[at + 2 * CHUNK] = -(2 ** 60);
  }
  return { shape: [1, planes, 1, size], data };
}

/** Enough planes of `size` for four parts to repay their dispatch, three at least. */
function planesFor(size: number): number {
  return Math.max(3, Math.ceil((4.2 * MIN_ELEMENTS_PER_PART) / (size + 1)));
}

/** The parts a call with `threads` should be cut into (the split's own rule). */
function expectedParts(planes: number, size: number, threads: number): number {
  return Math.min(threads, Math.floor((planes * (size + 1)) / MIN_ELEMENTS_PER_PART));
}

function planOf(x: Tensor): PoolPlan {
  return observeRuns(() => globalAvgPool(x, { backend: 'reference' })).runs[0]!.plan;
}

/** Runs `call` and checks it ran on `parts` threads (one: on the calling thread alone). */
function ranOn<T>(parts: number, label: string, call: () => T): T {
  const observed = observeRuns(call);
  const names = observed.runs.map((run) => run.backend);
  assert.deepEqual(names, [parts > 1 ? `wasm x${parts}` : 'wasm'], label);
  return observed.result;
}

describe('global average cut at the fixed chunks: every thread count, the bits of one thread', () => {
  before(async () => {
    await init();
    assert.ok((await startWorkers(4)) >= 3, 'three workers started');
  });

  it('the chunk runs cover the planes in order and cut them only at chunk boundaries', () => {
    for (const [planes, planeSize, parts] of [[3, 3 * CHUNK + 5, 2], [1, 7 * CHUNK + 1, 4], [5, CHUNK + 1, 3]] as const) {
      const chunksPerPlane = Math.ceil(planeSize / CHUNK);
      const runs = splitChunks(planes, { planeSize, chunkValues: CHUNK, chunksPerPlane }, parts);
      assert.equal(runs.length, parts);
      let chunk = 0;
      let element = 0;
      for (const run of runs) {
        assert.equal(run.first, chunk);
        assert.equal(run.input.offset, element);
        const plane = Math.floor(run.first / chunksPerPlane);
        assert.equal(run.input.offset, plane * planeSize + (run.first % chunksPerPlane) * CHUNK, 'starts at a chunk boundary');
        chunk = run.end;
        element += run.input.length;
      }
      assert.equal(chunk, planes * chunksPerPlane);
      assert.equal(element, planes * planeSize);
      assert.ok(Math.max(...runs.map((run) => run.end - run.first)) - Math.min(...runs.map((run) => run.end - run.first)) <= 1, 'near-equal runs');
    }
  });

  it('plane sizes around the chunk, 1 to 4 threads, WasmTensors and host arrays', () => {
    const r = rng(16);
    for (const size of [1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5, 17 * CHUNK + 3]) {
      const planes = planesFor(size);
      const host = cancelling(r, planes, size);
      const plan = planOf(host);
      const x = toWasmTensor(host);
      const shared = toSharedTensor(host);
      const out = allocWasmTensor(plan.outputShape);
      const sharedOut = allocSharedTensor(plan.outputShape);
      const plainOut = new Float32Array(planes);
      // One thread on a WasmTensor: the kernel's own sum, chunk sums added in chunk order.
      const expected = globalAvgPool(x, { backend: 'wasm' }).data.slice();
      for (let threads = 1; threads <= 4; threads++) {
        const parts = Math.max(1, expectedParts(planes, size, threads));
        const label = `${planes}x${size}, threads ${threads}`;
        assertSameBits(ranOn(parts, `${label} WasmTensor`, () => globalAvgPool(x, { backend: 'wasm', threads })).data, expected, `${label} WasmTensor`);
        ranOn(parts, `${label} poolInto`, () => poolInto(plan, x, out, { threads }));
        assertSameBits(out.data, expected, `${label} poolInto`);
        // An unshared input stays on this thread (a global average reads each value once).
        for (const [kind, input, ranParts] of [['plain', host, 1], ['shared', shared, parts]] as const) {
          assertSameBits(ranOn(ranParts, `${label} ${kind}`, () => globalAvgPool(input, { backend: 'wasm', threads })).data, expected, `${label} ${kind}`);
          assertSameBits(globalAvgPool(input, { threads }).data, expected, `${label} ${kind} auto`);
        }
        // An output the workers cannot write: only a chunk split (this thread writes it) splits.
        ranOn(size > CHUNK ? parts : 1, `${label} poolInto plain output`, () => poolInto(plan, shared, { shape: plan.outputShape, data: plainOut }, { threads }));
        assertSameBits(plainOut, expected, `${label} poolInto plain output`);
        poolInto(plan, shared, sharedOut, { threads });
        assertSameBits(sharedOut.data, expected, `${label} poolInto shared output`);
      }
      x.free();
      out.free();
    }
  });

  it('NaN and infinities, in chunks that different threads sum', () => {
    const size = 5 * CHUNK + 7;
    const planes = 6;
    const host = cancelling(rng(17), planes, size);
    host.data[0 * size + 4 * CHUNK + 3] = NaN;
    host.data[1 * size + 1] = Infinity;
    host.data[2 * size + 4 * CHUNK] = -Infinity;
    host.data[3 * size + 2] = Infinity;
    host.data[3 * size + 5 * CHUNK + 6] = -Infinity;
    host.data[4 * size + 3 * CHUNK] = 3e38;
    host.data[4 * size + 3 * CHUNK + 1] = 3e38;
    const x = toWasmTensor(host);
    const shared = toSharedTensor(host);
    const expected = globalAvgPool(x, { backend: 'wasm' }).data.slice();
    assert.ok(Number.isNaN(expected[0]) && expected[1] === Infinity && expected[2] === -Infinity && Number.isNaN(expected[3]));
    assert.ok(Number.isFinite(expected[4]), 'float64 chunk sums do not overflow where float32 would');
    for (let threads = 2; threads <= 4; threads++) {
      const parts = expectedParts(planes, size, threads);
      assertSameBits(ranOn(parts, `WasmTensor ${threads}`, () => globalAvgPool(x, { backend: 'wasm', threads })).data, expected, `WasmTensor, threads ${threads}`);
      assertSameBits(ranOn(parts, `host ${threads}`, () => globalAvgPool(shared, { backend: 'wasm', threads })).data, expected, `host, threads ${threads}`);
    }
    x.free();
  });
});
