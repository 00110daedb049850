/**
 * The wasm float32 average of 2x2 tiles (kernel 2, stride 2, nothing padded or left over), which
 * runs every plane as one sequence of row pairs, against the reference: within 1 ulp (divisor 4 is
 * a power of two, so the same bits unless a divisor override is given), through the op and
 * through poolInto, with widths around the four-lane groups; and the near-misses (an odd row or
 * column left over, padding, ceil mode) that must take the general kernels and still agree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocWasmTensor, avgPool, init, planAvgPool, poolInto, toWasmTensor } from '../../src/index.js';
import { compareToReference, randomTensor, rng } from './compare.js';

test('avg 2x2 tiles: every plane as row pairs, equal to the reference', async () => {
  await init();
  const r = rng(11);
  const shapes = [[1, 64, 8, 8], [2, 3, 6, 10], [1, 1, 2, 2], [3, 5, 4, 18], [1, 2, 12, 16], [2, 1, 2, 30]];
  const optionSets = [{ kernel: 2 }, { kernel: 2, stride: 2, countIncludePad: true }, { kernel: 2, divisorOverride: 3 }, { kernel: [2, 2], divisorOverride: -0.5 }];
  for (const shape of shapes) {
    for (const options of optionSets) {
      const x = randomTensor(r, shape, 'float32', 3);
      const label = `${JSON.stringify(options)} on ${shape.join('x')}`;
      const expected = avgPool(x, { ...options, backend: 'reference' });
      compareToReference(avgPool(x, { ...options, backend: 'wasm' }), expected, label);
      if (options.divisorOverride === undefined) assert.deepEqual(avgPool(x, { ...options, backend: 'wasm' }).data, expected.data, `${label}: same bits`);
      const resident = toWasmTensor(x);
      const plan = planAvgPool(x.shape, options);
      const out = allocWasmTensor(plan.outputShape);
      poolInto(plan, resident, out);
      compareToReference({ shape: out.shape, data: out.data.slice() }, expected, `${label} (poolInto)`);
      resident.free();
      out.free();
    }
  }
});

test('avg k2 s2 near-misses of the tiles agree with the reference too', async () => {
  await init();
  const r = rng(12);
  const cases = [
    { shape: [1, 2, 7, 8], options: { kernel: 2 } },
    { shape: [1, 2, 8, 9], options: { kernel: 2 } },
    { shape: [1, 2, 8, 8], options: { kernel: 2, padding: 1 } },
    { shape: [1, 2, 7, 7], options: { kernel: 2, ceilMode: true } },
    { shape: [2, 2, 2, 8, 8], options: { kernel: [1, 2, 2] } },
  ];
  for (const { shape, options } of cases) {
    const x = randomTensor(r, shape, 'float32');
    compareToReference(avgPool(x, { ...options, backend: 'wasm' }), avgPool(x, { ...options, backend: 'reference' }), `${JSON.stringify(options)} on ${shape.join('x')}`);
  }
});
