/**
 * Algebraic properties that hold whatever the oracle says: identities, adjoints, layout and rank
 * invariance, and agreement between ops that compute the same thing by different routes. Each is
 * checked on every backend, bit for bit where the arithmetic is the same.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import {
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  avgPool,
  avgPoolBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  lpPool,
  maskedGlobalAvgPool,
  maskedGlobalAvgPoolBackward,
  maxPool,
  maxPoolBackward,
  maxPoolWithIndices,
  maxUnpool,
  type Layout,
  type PaddingOption,
  type Tensor,
} from '../../src/index.js';
import { checkProperty } from '@tensor-pooling/test-kit/compare';
import {
  avgOptions,
  commonOptions,
  describeCase,
  frameOfCase,
  inputOf,
  lpOptions,
  onEveryBackend,
  propertySeed,
  spatialSizes,
  tensorCase,
  windowCase,
  windowOptions,
  type WindowCase,
} from '../helpers/cases.js';
import { elementOffset, frameOf, product, ravel, relayout, unravel } from '../helpers/naive.js';
import { allocateLike, randomValues } from '../helpers/random.js';
import { assertSameBits, assertWithinUlps } from '../helpers/ulp.js';

const RUNS = 120;

function assertSameTensor(actual: Tensor, expected: Tensor, context: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${context}: shape`);
  assertSameBits(actual.data, expected.data, context);
}

function float64Case(c: WindowCase): WindowCase {
  return { ...c, dtype: 'float64', values: c.values === 'special' ? 'uniform' : c.values };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; magnitude: number } {
  let value = 0;
  let magnitude = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i]! * b[i]!;
    magnitude += Math.abs(a[i]! * b[i]!);
  }
  return { value, magnitude };
}

/** <f(x), dy> = <x, f'(dy)> up to float64 rounding of sums of that magnitude. */
function assertAdjoint(y: Tensor, dy: Tensor, x: Tensor, dx: Tensor, context: string): void {
  const left = dot(y.data, dy.data);
  const right = dot(x.data, dx.data);
  const tolerance = 1e-13 * Math.max(left.magnitude, right.magnitude) + Number.MIN_VALUE;
  assert.ok(Math.abs(left.value - right.value) <= tolerance, `${context}: <y, dy> = ${left.value} but <x, dx> = ${right.value}`);
}

function randomLike(shape: readonly number[], seed: number, dtype: 'float32' | 'float64'): Tensor {
  return { shape, data: randomValues(seed, product(shape), 'uniform', dtype) };
}

test('property: a 1x1 kernel with stride 1 is the identity for average and max pooling, |x| for Lp', async () => {
  await checkProperty(
    fc.asyncProperty(tensorCase(spatialSizes()), fc.boolean(), fc.boolean(), async (c, ceilMode, countIncludePad) => {
      const rank = c.spatial.length;
      const options = { ...commonOptions(c, true), kernel: new Array<number>(rank).fill(1), stride: 1, ceilMode, countIncludePad };
      const x = inputOf(c);
      const context = describeCase(c, options);
      const absolute = { shape: x.shape, data: x.data.map(Math.abs) };
      const { countIncludePad: _avgOnly, ...window } = options;
      for (const { backend, result } of onEveryBackend((b) => avgPool(x, { ...options, backend: b }))) {
        assertSameTensor(result, x, `avgPool ${context} [${backend}]`);
        assertSameTensor(maxPool(x, { ...window, backend }), x, `maxPool ${context} [${backend}]`);
        // sqrt(x^2) is |x| exactly in IEEE arithmetic. (x^3)^(1/3) is not: x^3 is rounded and 1/3
        // is inexact, which float32's one final rounding hides and float64 shows in its last bits.
        for (const p of [1, 2]) assertSameTensor(lpPool(x, { ...window, p, backend }), absolute, `lpPool p ${p} ${context} [${backend}]`);
        const cubeUlps = c.dtype === 'float32' ? 1 : 4;
        assertWithinUlps(lpPool(x, { ...window, p: 3, backend }), absolute, cubeUlps, `lpPool p 3 ${context} [${backend}]`);
      }
      const keep = { ...commonOptions(c, true), outputSize: c.spatial.map(() => null) };
      assertSameTensor(adaptiveAvgPool(x, keep), x, `adaptiveAvgPool keeping every axis ${context}`);
    }),
    { numRuns: RUNS, seed: propertySeed(0x1d01) },
  );
});

test('property: the global average is the mean, and every route to it gives the same bits', async () => {
  await checkProperty(
    fc.asyncProperty(tensorCase(spatialSizes([16, 8, 5]), { values: ['uniform', 'ties'] }), async (c) => {
      const x = inputOf(c);
      const frame = frameOfCase(c);
      const common = commonOptions(c, true);
      const context = describeCase(c, common);
      const spatialSize = product(c.spatial);
      const global = globalAvgPool(x, { ...common, spatialDims: c.spatial.length, keepDims: true });
      for (let n = 0; n < frame.batch; n++) {
        for (let ch = 0; ch < frame.channels; ch++) {
          let sum = 0;
          for (let s = 0; s < spatialSize; s++) sum += x.data[elementOffset(frame, c.spatial, n, ch, s)]!;
          const at = elementOffset(frame, c.spatial.map(() => 1), n, ch, 0);
          const mean = c.dtype === 'float32' ? Math.fround(sum / spatialSize) : sum / spatialSize;
          assert.equal(global.data[at], mean, `${context}: mean of plane (${n}, ${ch})`);
        }
      }
      for (const { backend, result } of onEveryBackend((b) => avgPool(x, { ...common, kernel: [...c.spatial], backend: b }))) {
        assertSameTensor(result, global, `avgPool with the whole map as kernel ${context} [${backend}]`);
        assertSameTensor(adaptiveAvgPool(x, { ...common, outputSize: c.spatial.map(() => 1), backend }), global, `adaptive ${context}`);
      }
    }),
    { numRuns: RUNS, seed: propertySeed(0x1d02) },
  );
});

test('property: the backward of every linear op is the adjoint of its forward', async () => {
  await checkProperty(
    fc.asyncProperty(windowCase(), fc.boolean(), async (drawn, keepDims) => {
      const c = float64Case(drawn);
      const x = inputOf(c);
      const context = describeCase(c, avgOptions(c));
      const cases: [string, (b: string | undefined) => Tensor, (dy: Tensor, b: string | undefined) => Tensor][] = [
        ['avgPool', (b) => avgPool(x, { ...avgOptions(c), backend: b }), (dy, b) => avgPoolBackward(dy, x, { ...avgOptions(c), backend: b })],
        [
          'globalAvgPool',
          (b) => globalAvgPool(x, { ...commonOptions(c, false), keepDims, backend: b }),
          (dy, b) => globalAvgPoolBackward(dy, x, { ...commonOptions(c, false), keepDims, backend: b }),
        ],
        [
          'adaptiveAvgPool',
          (b) => adaptiveAvgPool(x, { ...commonOptions(c, true), outputSize: c.spec.kernel, backend: b }),
          (dy, b) => adaptiveAvgPoolBackward(dy, x, { ...commonOptions(c, true), outputSize: c.spec.kernel, backend: b }),
        ],
      ];
      for (const [name, forward, backward] of cases) {
        for (const { backend, result: y } of onEveryBackend(forward)) {
          const dy = randomLike(y.shape, c.seed + 1, 'float64');
          assertAdjoint(y, dy, x, backward(dy, backend === 'auto' ? undefined : backend), `${name} ${context} [${backend}]`);
        }
      }
      const frame = frameOfCase(c);
      const weights = Float64Array.from({ length: frame.batch * product(c.spatial) }, (_, i) => (i * 7919) % 5);
      const mask = { shape: c.batch === 0 ? [...c.spatial] : [c.batch, ...c.spatial], data: weights };
      const masked = { ...commonOptions(c, false), keepDims, mask };
      const y = maskedGlobalAvgPool(x, masked);
      const dy = randomLike(y.shape, c.seed + 2, 'float64');
      assertAdjoint(y, dy, x, maskedGlobalAvgPoolBackward(dy, x, masked), `maskedGlobalAvgPool ${context}`);
    }),
    { numRuns: RUNS, seed: propertySeed(0x1d03) },
  );
});

test('property: channels-first equals channels-last after a transpose, forward and backward', async () => {
  await checkProperty(
    fc.asyncProperty(windowCase(), async (c) => {
      const other: Layout = c.layout === 'channels-first' ? 'channels-last' : 'channels-first';
      const frame = frameOfCase(c);
      const x = inputOf(c);
      const xOther = relayout(x, frame, other);
      const otherCase: WindowCase = { ...c, layout: other };
      const context = describeCase(c, windowOptions(c));
      const back = (t: Tensor, spatial: readonly number[]) =>
        relayout(t, frameOf(t.shape, other, spatial.length), c.layout);
      for (const { backend, result: y } of onEveryBackend((b) => avgPool(x, { ...avgOptions(c), backend: b }))) {
        const yOther = avgPool(xOther, { ...avgOptions(otherCase), backend });
        const outSpatial = frameOf(y.shape, c.layout, c.spatial.length).spatial;
        assertSameTensor(back(yOther, outSpatial), y, `avgPool ${context} [${backend}]`);
        const maxOther = maxPool(xOther, { ...windowOptions(otherCase), backend });
        assertSameTensor(back(maxOther, outSpatial), maxPool(x, { ...windowOptions(c), backend }), `maxPool ${context} [${backend}]`);
        const lpOther = lpPool(xOther, { ...lpOptions(otherCase), backend });
        assertSameTensor(back(lpOther, outSpatial), lpPool(x, { ...lpOptions(c), backend }), `lpPool ${context} [${backend}]`);
        const dy = randomLike(y.shape, c.seed + 3, c.dtype);
        const dyOther = relayout(dy, frameOf(dy.shape, c.layout, c.spatial.length), other);
        const dxOther = maxPoolBackward(dyOther, xOther, { ...windowOptions(otherCase), backend });
        const dx = maxPoolBackward(dy, x, { ...windowOptions(c), backend });
        assertSameTensor(back(dxOther, c.spatial), dx, `maxPoolBackward ${context} [${backend}]`);
      }
    }),
    { numRuns: RUNS, seed: propertySeed(0x1d04) },
  );
});

/** The same case with a leading spatial axis of size 1, which every window spans exactly once. */
function withUnitAxis(c: WindowCase): WindowCase {
  const { spec } = c;
  let padding: PaddingOption;
  let paddingForm = c.paddingForm;
  if (typeof spec.padding === 'string') padding = spec.padding;
  else if (typeof spec.padding === 'number') {
    padding = [0, ...c.spatial.map(() => spec.padding as number)];
    paddingForm = 'per-axis';
  } else if (spec.padding.every((p) => typeof p === 'number')) padding = [0, ...(spec.padding as number[])];
  else padding = [[0, 0], ...(spec.padding as [number, number][])];
  return {
    ...c,
    spatial: [1, ...c.spatial],
    spec: { ...spec, kernel: [1, ...spec.kernel], stride: [1, ...spec.stride], dilation: [1, ...spec.dilation], padding },
    kernelSpelling: 'array',
    strideSpelling: 'array',
    dilationSpelling: 'array',
    paddingForm,
  };
}

/** Where the lifted case's output has the extra axis of size 1. */
function liftShape(shape: readonly number[], c: WindowCase): number[] {
  const firstSpatial = (c.batch === 0 ? 0 : 1) + (c.layout === 'channels-first' ? 1 : 0);
  return [...shape.slice(0, firstSpatial), 1, ...shape.slice(firstSpatial)];
}

test('property: pooling with one more spatial axis of size 1 gives the same bits (2-D as 3-D, 1-D as 2-D)', async () => {
  await checkProperty(
    fc.asyncProperty(
      windowCase().filter((c) => c.spatial.length < 3),
      async (c) => {
        const lifted = withUnitAxis(c);
        const x = inputOf(c);
        const xLifted = { shape: liftShape(x.shape, c), data: x.data };
        const context = describeCase(c, windowOptions(c));
        const check = (name: string, y: Tensor, yLifted: Tensor) => {
          assert.deepEqual([...yLifted.shape], liftShape(y.shape, c), `${name} ${context}: shape`);
          assertSameBits(yLifted.data, y.data, `${name} ${context}`);
        };
        for (const { backend, result } of onEveryBackend((b) => avgPool(x, { ...avgOptions(c), backend: b }))) {
          check(`avgPool [${backend}]`, result, avgPool(xLifted, { ...avgOptions(lifted), backend }));
          check(`lpPool [${backend}]`, lpPool(x, { ...lpOptions(c), backend }), lpPool(xLifted, { ...lpOptions(lifted), backend }));
          const pooled = maxPoolWithIndices(x, { ...windowOptions(c), backend });
          const pooledLifted = maxPoolWithIndices(xLifted, { ...windowOptions(lifted), backend });
          check(`maxPool [${backend}]`, pooled.values, pooledLifted.values);
          assertSameBits(pooledLifted.indices.data, pooled.indices.data, `maxPool indices ${context} [${backend}]`);
          const dy = randomLike(result.shape, c.seed + 4, c.dtype);
          const dyLifted = { shape: liftShape(dy.shape, c), data: dy.data };
          const dx = avgPoolBackward(dy, x.shape, { ...avgOptions(c), backend });
          check(`avgPoolBackward [${backend}]`, dx, avgPoolBackward(dyLifted, xLifted.shape, { ...avgOptions(lifted), backend }));
        }
      },
    ),
    { numRuns: RUNS, seed: propertySeed(0x1d05) },
  );
});

/** The case without padding, each axis grown where needed to hold one window. */
function withoutPadding(c: WindowCase): WindowCase {
  const spans = c.spec.kernel.map((k, a) => c.spec.dilation[a]! * (k - 1) + 1);
  return {
    ...c,
    spatial: c.spatial.map((size, a) => Math.max(size, spans[a]!)),
    spec: { ...c.spec, padding: 0 },
    paddingForm: 'omitted',
  };
}

test('property: without padding, counting the padding in the divisor changes nothing', async () => {
  await checkProperty(
    fc.asyncProperty(
      windowCase().map((c) => ({ ...withoutPadding(c), divisorOverride: undefined })),
      fc.constantFrom<PaddingOption>('valid', 0),
      async (c, padding) => {
        const x = inputOf(c);
        const options = { ...windowOptions(c), padding };
        for (const { backend, result } of onEveryBackend((b) => avgPool(x, { ...options, countIncludePad: true, backend: b }))) {
          const context = `${describeCase(c, options)} [${backend}]`;
          assertSameTensor(result, avgPool(x, { ...options, countIncludePad: false, backend }), context);
          const dy = randomLike(result.shape, c.seed + 5, c.dtype);
          assertSameTensor(
            avgPoolBackward(dy, x, { ...options, countIncludePad: true, backend }),
            avgPoolBackward(dy, x, { ...options, countIncludePad: false, backend }),
            `backward ${context}`,
          );
        }
      },
    ),
    { numRuns: RUNS, seed: propertySeed(0x1d06) },
  );
});

test('property: maskedGlobalAvgPool with validLengths equals globalAvgPool of each cropped sample', async () => {
  const lengthsCase = tensorCase(spatialSizes([10, 6, 4]), { values: ['uniform', 'ties', 'special'] }).chain((c) =>
    fc.record({
      c: fc.constant(c),
      lengths: fc.array(fc.tuple(...c.spatial.map((s) => fc.integer({ min: 1, max: s }))), {
        minLength: Math.max(c.batch, 1),
        maxLength: Math.max(c.batch, 1),
      }),
    }),
  );
  await checkProperty(
    fc.asyncProperty(lengthsCase, async ({ c, lengths }) => {
      const frame = frameOfCase(c);
      const x = inputOf(c);
      const options = { ...commonOptions(c, false), validLengths: lengths };
      const y = maskedGlobalAvgPool(x, options);
      const context = describeCase(c, options);
      for (let n = 0; n < frame.batch; n++) {
        const cropped = lengths[n]!;
        const croppedFrame = { ...frame, batched: true, batch: 1 };
        const shape = c.layout === 'channels-first' ? [1, c.channels, ...cropped] : [1, ...cropped, c.channels];
        const data = allocateLike(c.dtype, product(shape));
        for (let ch = 0; ch < c.channels; ch++) {
          for (let s = 0; s < product(cropped); s++) {
            const source = ravel(unravel(s, cropped), c.spatial);
            data[elementOffset(croppedFrame, cropped, 0, ch, s)] = x.data[elementOffset(frame, c.spatial, n, ch, source)]!;
          }
        }
        const expected = globalAvgPool({ shape, data }, { layout: c.layout, spatialDims: cropped.length });
        for (let ch = 0; ch < c.channels; ch++) {
          assert.ok(
            Object.is(y.data[n * c.channels + ch], expected.data[ch]),
            `${context}: sample ${n} channel ${ch}: ${y.data[n * c.channels + ch]} but the cropped map gives ${expected.data[ch]}`,
          );
        }
      }
    }),
    { numRuns: RUNS, seed: propertySeed(0x1d07) },
  );
});

test('property: maxUnpool of maxPoolWithIndices puts every maximum back where it was and zeros elsewhere', async () => {
  await checkProperty(
    fc.asyncProperty(
      windowCase().map((c) => withoutPadding({ ...c, spec: { ...c.spec, dilation: c.spec.kernel.map(() => 1), ceilMode: false }, dilationSpelling: 'omitted' })),
      async (c) => {
        const x = inputOf(c);
        const options = windowOptions(c);
        const { values, indices } = maxPoolWithIndices(x, options);
        const unpooled = maxUnpool(values, indices, { ...commonOptions(c, true), kernel: c.spec.kernel, stride: c.spec.stride, outputSize: [...c.spatial] });
        assert.deepEqual([...unpooled.shape], [...x.shape]);
        const frame = frameOfCase(c);
        const outFrame = frameOf(values.shape, c.layout, c.spatial.length);
        const kept = new Set<number>();
        for (let n = 0; n < frame.batch; n++) {
          for (let ch = 0; ch < frame.channels; ch++) {
            for (let o = 0; o < product(outFrame.spatial); o++) {
              const from = elementOffset(outFrame, outFrame.spatial, n, ch, o);
              const to = elementOffset(frame, c.spatial, n, ch, indices.data[from]!);
              kept.add(to);
              assert.ok(Object.is(unpooled.data[to], values.data[from]), `${describeCase(c, options)}: output ${from}`);
              assert.ok(Object.is(x.data[to], values.data[from]), `${describeCase(c, options)}: the maximum came from ${to}`);
            }
          }
        }
        unpooled.data.forEach((v, i) => assert.ok(kept.has(i) || v === 0, `${describeCase(c, options)}: position ${i} holds ${v}`));
      },
    ),
    { numRuns: RUNS, seed: propertySeed(0x1d08) },
  );
});
