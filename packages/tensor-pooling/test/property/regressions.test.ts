/** Bugs the property suites found, pinned as plain examples. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { backendNames, init, lpPool, lpPoolBackward, maxUnpool, PoolingError } from '../../src/index.js';

await init();
import { frameOf, naiveBackward, slidingGeometry } from '../helpers/naive.js';
import { assertWithinUlps } from '../helpers/ulp.js';

test('maxUnpool: a whole output shape in channels-last takes its spatial sizes from before the channel axis', () => {
  // (H, W, C) = (1, 2, 1) unpooled to H 1, W 3: the whole shape [1, 3, 1] must mean W = 3, not W = 1.
  const x = { shape: [1, 2, 1], data: Float32Array.of(5, 7) };
  const indices = { shape: [1, 2, 1], data: Int32Array.of(0, 2) };
  const y = maxUnpool(x, indices, { kernel: [1, 2], layout: 'channels-last', outputSize: [1, 3, 1] });
  assert.deepEqual([...y.shape], [1, 3, 1]);
  assert.deepEqual([...y.data], [5, 0, 7]);
});

test('lpPoolBackward in float32 divides by the float64 output, not the float32-rounded one', () => {
  // Each window's y is rounded to float32 on output; the gradient must not reuse that rounding.
  // Found by the property suite: with the rounded y the gradient was 13 ulps off for p = 2.
  const x = {
    shape: [1, 1, 6],
    data: Float32Array.of(0.5065018534660339, -1.4570590257644653, 1.9560954570770264, -0.25025954842567444, 0.582825779914856, 1.0455646514892578),
  };
  const dy = { shape: [1, 1, 5], data: Float32Array.of(0.75, -1.25, 0.5, 1.125, -0.25) };
  const frame = frameOf(x.shape, 'channels-first', 1);
  const geometry = slidingGeometry({ kernel: [2], stride: [1], dilation: [1], padding: 0, ceilMode: false }, [6]);
  for (const p of [2, 3]) {
    const expected = naiveBackward(dy, x, x.shape, frame, geometry, { op: 'lp', p }).dx;
    assert.equal(lpPool(x, { kernel: [2], stride: 1, p }).shape[2], 5);
    for (const backend of backendNames()) {
      try {
        assertWithinUlps(lpPoolBackward(dy, x, { kernel: [2], stride: 1, p, backend }), expected, 1, `p ${p} [${backend}]`);
      } catch (error) {
        if (!(error instanceof PoolingError && error.code === 'UNSUPPORTED_OPTION')) throw error;
      }
    }
  }
});
