/**
 * Sliding-window pooling (average, max, Lp), forward and backward, against the slow oracle of
 * test/helpers/naive.ts, on every backend: within 1 ulp, the same bits run to run, the shape
 * poolOutputShape promises, and the inputs left untouched.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import {
  avgPool,
  avgPoolBackward,
  lpPool,
  lpPoolBackward,
  maxPool,
  maxPoolBackward,
  maxPoolWithIndices,
  poolOutputShape,
  type Tensor,
} from '../../src/index.js';
import { checkProperty } from '@tensor-pooling/test-kit/compare';
import {
  avgOptions,
  describeCase,
  frameOfCase,
  inputOf,
  lpOptions,
  onEveryBackend,
  propertySeed,
  windowCase,
  windowOptions,
  type WindowCase,
} from '../helpers/cases.js';
import { naiveBackward, naiveForward, slidingGeometry, type Reduction } from '../helpers/naive.js';
import { assertEveryBackend, assertGradientClose, withinOneUlpOf } from '../helpers/oracle-check.js';
import { randomValues } from '../helpers/random.js';
import { assertSameBits, assertWithinUlps, snapshot } from '../helpers/ulp.js';

const RUNS = 200;

function gradientOf(c: WindowCase, outputShape: readonly number[]): Tensor {
  const length = outputShape.reduce((p, d) => p * d, 1);
  return { shape: outputShape, data: randomValues(c.seed ^ 0x5a5a, length, 'uniform', c.dtype) };
}

interface WindowOp {
  readonly name: string;
  readonly reduction: (c: WindowCase) => Reduction;
  readonly options: (c: WindowCase) => object;
  readonly forward: (x: Tensor, options: object) => Tensor;
  readonly backward: (dy: Tensor, x: Tensor, options: object) => Tensor;
  /** Gradients through powers agree to a bound, not to the bit. */
  readonly exactGradient: boolean;
}

const OPS: readonly WindowOp[] = [
  {
    name: 'avgPool',
    reduction: (c) => ({ op: 'avg', countIncludePad: c.countIncludePad ?? false, divisorOverride: c.divisorOverride }),
    options: avgOptions,
    forward: (x, o) => avgPool(x, o as never),
    // The average's gradient needs only the input's shape; pass the shape to cover that form.
    backward: (dy, x, o) => avgPoolBackward(dy, x.shape, o as never),
    exactGradient: true,
  },
  {
    name: 'maxPool',
    reduction: () => ({ op: 'max' }),
    options: windowOptions,
    forward: (x, o) => maxPool(x, o as never),
    backward: (dy, x, o) => maxPoolBackward(dy, x, o as never),
    exactGradient: true,
  },
  {
    name: 'lpPool',
    reduction: (c) => ({ op: 'lp', p: c.p ?? 2 }),
    options: lpOptions,
    forward: (x, o) => lpPool(x, o as never),
    backward: (dy, x, o) => lpPoolBackward(dy, x, o as never),
    exactGradient: false,
  },
];

for (const op of OPS) {
  test(`property: ${op.name} forward and backward equal the naive oracle on every backend, deterministically`, async () => {
    await checkProperty(
      fc.asyncProperty(windowCase(), async (c) => {
        const options = op.options(c);
        const context = `${op.name} ${describeCase(c, options)}`;
        const x = inputOf(c);
        const xBefore = snapshot(x.data);
        const frame = frameOfCase(c);
        const geometry = slidingGeometry(c.spec, frame.spatial);
        const expected = naiveForward(x, frame, geometry, op.reduction(c));

        assert.deepEqual([...poolOutputShape(x.shape, avgOptions(c))], expected.y.shape, `${context}: poolOutputShape`);
        assertEveryBackend((b) => op.forward(x, { ...options, backend: b }), withinOneUlpOf(expected.y), context);

        // Gradients are taken where they exist: no NaN or infinity in the data.
        const finite = c.values === 'special' ? inputOf({ ...c, values: 'uniform' }) : x;
        const dy = gradientOf(c, expected.y.shape);
        const dyBefore = snapshot(dy.data);
        const gradient = naiveBackward(dy, finite, finite.shape, frame, geometry, op.reduction(c));
        assertEveryBackend(
          (b) => op.backward(dy, finite, { ...options, backend: b }),
          op.exactGradient ? withinOneUlpOf(gradient.dx) : (actual, where) => assertGradientClose(actual, gradient, where),
          `${context} backward`,
        );
        assertSameBits(x.data, xBefore, `${context}: x was modified`);
        assertSameBits(dy.data, dyBefore, `${context}: dy was modified`);
      }),
      { numRuns: RUNS, seed: propertySeed(0x9001 + op.name.length) },
    );
  });
}

test('property: maxPoolWithIndices returns the naive maxima and the per-plane flat index of the first one', async () => {
  await checkProperty(
    fc.asyncProperty(windowCase(), async (c) => {
      const options = windowOptions(c);
      const context = `maxPoolWithIndices ${describeCase(c, options)}`;
      const x = inputOf(c);
      const frame = frameOfCase(c);
      const expected = naiveForward(x, frame, slidingGeometry(c.spec, frame.spatial), { op: 'max' });
      for (const { backend, result } of onEveryBackend((b) => maxPoolWithIndices(x, { ...options, backend: b }))) {
        assertWithinUlps(result.values, expected.y, 0, `${context} [${backend}] values`);
        assert.deepEqual([...result.indices.shape], expected.y.shape, `${context} [${backend}] indices shape`);
        assertSameBits(result.indices.data, expected.indices, `${context} [${backend}] indices`);
      }
    }),
    { numRuns: RUNS, seed: propertySeed(0x9101) },
  );
});
