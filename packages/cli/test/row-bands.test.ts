/**
 * planRowBands, which the CLI uses to pool large images band by band: every band plan run on its
 * own input rows gives exactly the full plan's output rows, for padding, ceil mode, dilation, the
 * padded divisor, Lp, and TF.js windows that lie wholly past the input.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { observeRuns, planAvgPool, planLpPool, planMaxPool, planRowBands, selectBackend, tfjs, type PoolPlan } from 'tensor-pooling';
import { Random } from '@tensor-pooling/test-kit/random';

/** Runs a plan on the reference backend, which computes every window on its own. */
function run(plan: PoolPlan, data: Float64Array): Float64Array {
  return selectBackend(plan, 'reference').forward(plan, { shape: plan.inputShape, data }).y as Float64Array;
}

function checkBands(plan: PoolPlan, rowsPerBand: number, seed: number): void {
  const random = new Random(seed);
  const x = Float64Array.from({ length: plan.inputShape.reduce((p, d) => p * d, 1) }, () => random.next() * 8 - 4);
  const whole = run(plan, x);
  const bands = planRowBands(plan, rowsPerBand);
  const inputRow = x.length / plan.axes[0]!.size;
  const outputRow = whole.length / plan.axes[0]!.out;
  let next = 0;
  for (const band of bands) {
    assert.equal(band.outputStart, next, 'bands cover the output rows in order');
    next = band.outputEnd;
    const part = run(band.plan, x.subarray(band.inputStart * inputRow, band.inputEnd * inputRow));
    assert.deepEqual(part, whole.subarray(band.outputStart * outputRow, band.outputEnd * outputRow));
  }
  assert.equal(next, plan.axes[0]!.out);
}

test('bands of an (H, W, C) image plan reproduce the whole plan exactly', () => {
  fc.assert(
    fc.property(
      fc.record({
        height: fc.integer({ min: 1, max: 24 }),
        width: fc.integer({ min: 1, max: 6 }),
        kernel: fc.integer({ min: 1, max: 4 }),
        stride: fc.integer({ min: 1, max: 4 }),
        dilation: fc.integer({ min: 1, max: 2 }),
        pad: fc.integer({ min: 0, max: 2 }),
        ceilMode: fc.boolean(),
        op: fc.constantFrom('avg', 'avg-padded', 'max', 'lp'),
        rows: fc.integer({ min: 1, max: 5 }),
        seed: fc.integer(),
      }),
      (c) => {
        const options = {
          layout: 'channels-last',
          spatialDims: 2,
          kernel: [c.kernel, 1],
          stride: [c.stride, 1],
          dilation: [c.dilation, 1],
          padding: [c.pad, 0],
          ceilMode: c.ceilMode,
        } as const;
        const shape = [c.height, c.width, 2];
        let plan: PoolPlan;
        try {
          plan =
            c.op === 'max'
              ? planMaxPool(shape, options)
              : c.op === 'lp'
                ? planLpPool(shape, { ...options, p: 3 })
                : planAvgPool(shape, { ...options, countIncludePad: c.op === 'avg-padded' });
        } catch {
          return; // geometry the library refuses (kernel larger than the padded input, padding over half the kernel)
        }
        checkBands(plan, c.rows, c.seed);
      },
    ),
    { numRuns: 300 },
  );
});

test('a single channels-first plane, and TF.js windows past the input', () => {
  // Rows are contiguous here (one batch, one channel), so a band is a slice of the data.
  checkBands(planAvgPool([1, 1, 11, 4], { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }), 2, 7);
  // TF.js keeps a ceil-mode window wholly in the padding: the last band takes it along.
  const { runs } = observeRuns(() => tfjs.avgPool({ shape: [5, 1, 1], data: new Float32Array(5) }, [2, 1], [2, 1], [[0, 0], [1, 1], [0, 0], [0, 0]], 'ceil'));
  const plan = runs[0]!.plan;
  assert.equal(plan.axes[0]!.out, 4);
  const bands = planRowBands(plan, 1);
  assert.deepEqual(bands.map((b) => [b.outputStart, b.outputEnd]), [[0, 1], [1, 2], [2, 4]]);
  checkBands(plan, 1, 3);
});

test('plans that cannot be cut come back whole', () => {
  const global = planAvgPool([4, 4, 3], { layout: 'channels-last', spatialDims: 2, kernel: [4, 4] });
  assert.deepEqual(planRowBands(global, 1).map((b) => b.plan), [global]);
});
