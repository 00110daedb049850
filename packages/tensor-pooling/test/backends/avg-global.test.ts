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
