/**
 * Global, adaptive and masked pooling and max unpooling, forward and backward, against the naive
 * oracle of test/helpers/naive.ts on every backend, with inputs left untouched.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import {
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPool,
  adaptiveMaxPoolBackward,
  adaptiveMaxPoolWithIndices,
  globalAvgPool,
  globalAvgPoolBackward,
  globalLpPool,
  globalLpPoolBackward,
  globalMaxPool,
  globalMaxPoolBackward,
  maskedGlobalAvgPool,
  maskedGlobalAvgPoolBackward,
  maxUnpool,
  maxUnpoolBackward,
  poolOutputShape,
  type Tensor,
} from '../../src/index.js';
import { checkProperty } from '@tensor-pooling/test-kit/compare';
import {
  commonOptions,
  describeCase,
  frameOfCase,
  inputOf,
  onEveryBackend,
  propertySeed,
  spatialSizes,
  tensorCase,
  type TensorCase,
} from '../helpers/cases.js';
import {
  adaptiveGeometry,
  elementOffset,
  globalGeometry,
  naiveBackward,
  naiveForward,
  naiveMaskedMean,
  naiveMaskedMeanBackward,
  naiveMaxUnpool,
  naiveMaxUnpoolBackward,
  product,
  shapeWith,
  type Geometry,
  type Reduction,
  type WeightAt,
} from '../helpers/naive.js';
import { assertEveryBackend, assertGradientClose, withinOneUlpOf } from '../helpers/oracle-check.js';
import { Random, randomValues } from '../helpers/random.js';
import { assertSameBits, assertWithinUlps, snapshot } from '../helpers/ulp.js';

const RUNS = 150;

function randomGradient(c: TensorCase, shape: readonly number[]): Tensor {
  return { shape, data: randomValues(c.seed ^ 0x77, product(shape), 'uniform', c.dtype) };
}

/** x without NaN or infinities, where gradients exist. */
function finiteInput(c: TensorCase): Tensor {
  return inputOf(c.values === 'special' ? { ...c, values: 'uniform' } : c);
}

interface Family {
  readonly name: string;
  readonly reduction: Reduction;
  readonly forward: (x: Tensor, options: object) => Tensor;
  readonly backward: (dy: Tensor, x: Tensor, options: object) => Tensor;
}

/** Forward and backward of one op against the oracle for one geometry, and the inputs untouched. */
function checkFamily(family: Family, c: TensorCase, options: object, geometry: Geometry, dropSpatial: boolean): void {
  const context = `${family.name} ${describeCase(c, options)}`;
  const frame = frameOfCase(c);
  const x = inputOf(c);
  const xBefore = snapshot(x.data);
  const expected = naiveForward(x, frame, geometry, family.reduction, dropSpatial);
  assertEveryBackend((backend) => family.forward(x, { ...options, backend }), withinOneUlpOf(expected.y), context);

  const finite = finiteInput(c);
  const dy = randomGradient(c, expected.y.shape);
  const dyBefore = snapshot(dy.data);
  const gradient = naiveBackward(dy, finite, finite.shape, frame, geometry, family.reduction, dropSpatial);
  assertEveryBackend(
    (backend) => family.backward(dy, finite, { ...options, backend }),
    (actual, where) => assertGradientClose(actual, gradient, where),
    `${context} backward`,
  );
  assertSameBits(x.data, xBefore, `${context}: x was modified`);
  assertSameBits(dy.data, dyBefore, `${context}: dy was modified`);
}

const globalCase = fc.record({
  tensor: tensorCase(spatialSizes([16, 8, 5])),
  keepDims: fc.constantFrom(undefined, true, false),
  p: fc.constantFrom(undefined, 1, 2, 3, 0.5),
});

test('property: global average, max and Lp pooling equal the naive oracle, with and without keepDims', async () => {
  await checkProperty(
    fc.asyncProperty(globalCase, async ({ tensor: c, keepDims, p }) => {
      const options = { ...commonOptions(c, false), ...(keepDims === undefined ? {} : { keepDims }) };
      const geometry = globalGeometry(c.spatial);
      const drop = keepDims !== true;
      const families: Family[] = [
        {
          name: 'globalAvgPool',
          reduction: { op: 'avg', countIncludePad: false },
          forward: (x, o) => globalAvgPool(x, o),
          backward: (dy, x, o) => globalAvgPoolBackward(dy, x.shape, o),
        },
        {
          name: 'globalMaxPool',
          reduction: { op: 'max' },
          forward: (x, o) => globalMaxPool(x, o),
          backward: (dy, x, o) => globalMaxPoolBackward(dy, x, o),
        },
        {
          name: 'globalLpPool',
          reduction: { op: 'lp', p: p ?? 2 },
          forward: (x, o) => globalLpPool(x, { ...o, ...(p === undefined ? {} : { p }) }),
          backward: (dy, x, o) => globalLpPoolBackward(dy, x, { ...o, ...(p === undefined ? {} : { p }) }),
        },
      ];
      for (const family of families) checkFamily(family, c, options, geometry, drop);
      const shape = poolOutputShape(inputOf(c).shape, { ...options, global: true });
      assert.deepEqual([...shape], shapeWith(frameOfCase(c), drop ? [] : c.spatial.map(() => 1)), 'poolOutputShape');
    }),
    { numRuns: RUNS, seed: propertySeed(0x6001) },
  );
});

const adaptiveCase = tensorCase(spatialSizes([12, 7, 5])).chain((tensor) =>
  fc.record({
    tensor: fc.constant(tensor),
    outputSize: fc.tuple(...tensor.spatial.map((s) => fc.option(fc.integer({ min: 1, max: s + 2 }), { freq: 4 }))),
    asNumber: fc.boolean(),
  }),
);

test('property: adaptive average and max pooling equal the naive bins, with indices', async () => {
  await checkProperty(
    fc.asyncProperty(adaptiveCase, async ({ tensor: c, outputSize, asNumber }) => {
      // One number for every axis when asked and possible; null keeps an axis's size.
      const single = asNumber && outputSize[0] !== null ? outputSize[0]! : undefined;
      const sizes = single === undefined ? outputSize : outputSize.map(() => single);
      const given = single ?? sizes;
      const options = { ...commonOptions(c, single === undefined), outputSize: given };
      const geometry = adaptiveGeometry(c.spatial, sizes);
      const families: Family[] = [
        {
          name: 'adaptiveAvgPool',
          reduction: { op: 'avg', countIncludePad: false },
          forward: (x, o) => adaptiveAvgPool(x, o as typeof options),
          backward: (dy, x, o) => adaptiveAvgPoolBackward(dy, x, o as typeof options),
        },
        {
          name: 'adaptiveMaxPool',
          reduction: { op: 'max' },
          forward: (x, o) => adaptiveMaxPool(x, o as typeof options),
          backward: (dy, x, o) => adaptiveMaxPoolBackward(dy, x, o as typeof options),
        },
      ];
      for (const family of families) checkFamily(family, c, options, geometry, false);
      const x = inputOf(c);
      const expected = naiveForward(x, frameOfCase(c), geometry, { op: 'max' });
      for (const { backend, result } of onEveryBackend((b) => adaptiveMaxPoolWithIndices(x, { ...options, backend: b }))) {
        assertSameBits(result.indices.data, expected.indices, `adaptiveMaxPoolWithIndices ${describeCase(c, options)} [${backend}]`);
      }
      assert.deepEqual([...poolOutputShape(x.shape, options)], expected.y.shape, 'poolOutputShape');
    }),
    { numRuns: RUNS, seed: propertySeed(0x6002) },
  );
});

type MaskForm = 'shared-binary' | 'shared-weights' | 'per-element' | 'valid-lengths';

const maskedCase = fc.record({
  tensor: tensorCase(spatialSizes([10, 6, 4])),
  form: fc.constantFrom<MaskForm>('shared-binary', 'shared-weights', 'per-element', 'valid-lengths'),
  keepDims: fc.boolean(),
  maskSeed: fc.integer(),
});

test('property: maskedGlobalAvgPool is the weighted mean over the kept positions, forward and backward', async () => {
  await checkProperty(
    fc.asyncProperty(maskedCase, async ({ tensor: c, form, keepDims, maskSeed }) => {
      const frame = frameOfCase(c);
      const spatialSize = product(c.spatial);
      const random = new Random(maskSeed);
      const sampleShape = c.batch === 0 ? [...c.spatial] : [c.batch, ...c.spatial];
      let mask: { shape: number[]; data: Uint8Array | Float32Array | Float64Array } | undefined;
      let validLengths: number[][] | undefined;
      let weight: WeightAt;
      if (form === 'valid-lengths') {
        validLengths = Array.from({ length: frame.batch }, () => c.spatial.map((s) => random.below(s + 1)));
        weight = (n, _c, s) => {
          let rest = s;
          let inside = 1;
          for (let a = c.spatial.length - 1; a >= 0; a--) {
            if (rest % c.spatial[a]! >= validLengths![n]![a]!) inside = 0;
            rest = Math.floor(rest / c.spatial[a]!);
          }
          return inside;
        };
      } else if (form === 'per-element') {
        const shape = inputOf(c).shape as number[];
        const data = Float64Array.from({ length: product(shape) }, () => (random.next() < 0.3 ? 0 : random.next() * 2));
        mask = { shape, data };
        weight = (n, ch, s) => data[elementOffset(frame, frame.spatial, n, ch, s)]!;
      } else {
        const binary = form === 'shared-binary';
        const data = binary
          ? Uint8Array.from({ length: frame.batch * spatialSize }, () => (random.next() < 0.6 ? 1 : 0))
          : Float32Array.from({ length: frame.batch * spatialSize }, () => (random.next() < 0.3 ? 0 : random.next() * 3));
        mask = { shape: sampleShape, data };
        weight = (n, _c, s) => data[n * spatialSize + s]!;
      }
      const options = {
        ...commonOptions(c, false),
        keepDims,
        ...(mask ? { mask } : {}),
        ...(validLengths ? { validLengths } : {}),
      };
      const context = `maskedGlobalAvgPool ${form} ${describeCase(c, { keepDims, validLengths })}`;
      const x = inputOf(c);
      const xBefore = snapshot(x.data);
      const maskBefore = mask ? snapshot(mask.data) : undefined;
      const expected = naiveMaskedMean(x, frame, weight, keepDims);
      assertWithinUlps(maskedGlobalAvgPool(x, options), expected, 1, context);
      const dy = randomGradient(c, expected.shape);
      const gradient = naiveMaskedMeanBackward(dy, x.shape, frame, weight, keepDims);
      assertWithinUlps(maskedGlobalAvgPoolBackward(dy, x.shape, options), gradient, 1, `${context} backward`);
      assertWithinUlps(maskedGlobalAvgPoolBackward(dy, x, options), gradient, 1, `${context} backward from x`);
      assertSameBits(x.data, xBefore, `${context}: x was modified`);
      if (mask) assertSameBits(mask.data, maskBefore!, `${context}: mask was modified`);
    }),
    { numRuns: RUNS, seed: propertySeed(0x6003) },
  );
});

const unpoolCase = tensorCase(spatialSizes([8, 5, 4])).chain((tensor) =>
  fc.record({
    tensor: fc.constant(tensor),
    axes: fc.tuple(
      ...tensor.spatial.map(() =>
        fc.record({ kernel: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pad: fc.nat(), size: fc.nat() }),
      ),
    ),
    paddingForm: fc.constantFrom('omitted', 'per-axis', 'pairs'),
    sizeForm: fc.constantFrom('default', 'spatial', 'full'),
    indexSeed: fc.integer(),
  }),
);

test('property: maxUnpool sends each value to its index and its backward gathers from there', async () => {
  await checkProperty(
    fc.asyncProperty(unpoolCase, async ({ tensor: c, axes, paddingForm, sizeForm, indexSeed }) => {
      const kernel = axes.map((a) => a.kernel);
      const stride = axes.map((a) => a.stride);
      const pads = axes.map((a) => (paddingForm === 'omitted' ? 0 : a.pad % (Math.floor(a.kernel / 2) + 1)));
      const defaults = c.spatial.map((s, i) => (s - 1) * stride[i]! - 2 * pads[i]! + kernel[i]!);
      fc.pre(defaults.every((d) => d >= 1));
      // PyTorch accepts an output size strictly within one stride of the default.
      const outSpatial =
        sizeForm === 'default'
          ? defaults
          : defaults.map((d, i) => Math.max(1, d - stride[i]! + 1 + (axes[i]!.size % (2 * stride[i]! - 1))));
      const frame = frameOfCase(c);
      const options = {
        ...commonOptions(c, true),
        kernel,
        stride,
        ...(paddingForm === 'per-axis' ? { padding: pads } : {}),
        ...(paddingForm === 'pairs' ? { padding: pads.map((p) => [p, p] as [number, number]) } : {}),
        ...(sizeForm === 'spatial' ? { outputSize: outSpatial } : {}),
        ...(sizeForm === 'full' ? { outputSize: shapeWith(frame, outSpatial) } : {}),
      };
      const context = `maxUnpool ${describeCase(c, options)}`;
      const x = inputOf(c);
      const random = new Random(indexSeed);
      const indices = { shape: x.shape, data: Int32Array.from(x.data, () => random.below(product(outSpatial))) };
      const before = [snapshot(x.data), snapshot(indices.data)] as const;
      const expected = naiveMaxUnpool(x, indices.data, frame, outSpatial);
      assertWithinUlps(maxUnpool(x, indices, options), expected, 0, context);
      const dy = randomGradient(c, expected.shape);
      const gradient = naiveMaxUnpoolBackward(dy, indices.data, frame, outSpatial);
      assertWithinUlps(maxUnpoolBackward(dy, indices, options), gradient, 0, `${context} backward`);
      assertSameBits(x.data, before[0], `${context}: x was modified`);
      assertSameBits(indices.data, before[1], `${context}: indices were modified`);
    }),
    { numRuns: RUNS, seed: propertySeed(0x6004) },
  );
});
