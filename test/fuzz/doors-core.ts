/**
 * Doors of the library's own ops (src/ops): sliding-window, global, adaptive and masked pooling,
 * unpooling, and the planners and shape functions over the same options.
 */
import fc from 'fast-check';
import {
  COMMON_RULES,
  doorAt,
  dtypeArb,
  floatType,
  frameArb,
  indexData,
  inputShapeOf,
  givesRank,
  LIBRARY_RULES,
  needsSpatialDims,
  omitsRank,
  rankRefused,
  rarelyArb,
  seedArb,
  tensorExpect,
  tensorOf,
  WINDOW_RULES,
  windowCaseArb,
  windowOptions,
  windowVerdict,
  type Call,
  type Door,
  type Expect,
  type WindowCase,
} from './calls.js';
import { product, shapeOf, unpoolSize, type Frame } from './oracle.js';
import { special, tensorRecipe, typed, type Recipe } from './recipe.js';

// Forward ops and planners read the rank of their first argument; backward ops and unpooling that
// of their second (the input or its shape, the indices).
const OPTIONS_ARG1 = (keys: Record<string, string>, optional = false) => [{ arg: 1, keys, strict: true, optional, rankFrom: 0 }];
const OPTIONS_ARG2 = (keys: Record<string, string>, optional = false) => [{ arg: 2, keys, strict: true, optional, rankFrom: 1 }];

const AVG_RULES = { ...WINDOW_RULES, countIncludePad: 'bool', divisorOverride: 'nonzero' };
const LP_RULES = { ...WINDOW_RULES, p: 'pos' };

const avgExtraArb = fc.record({
  countIncludePad: fc.constantFrom(undefined, true, false),
  divisorOverride: fc.constantFrom(undefined, undefined, undefined, 3, -2, 0.5),
});
const pArb = fc.constantFrom(undefined, 1, 2, 3, 0.5, 2.5);

function defined(record: Record<string, Recipe>): Record<string, Recipe> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

type Reduction = 'avg' | 'max' | 'lp';

function windowExtraArb(reduction: Reduction): fc.Arbitrary<Record<string, Recipe>> {
  if (reduction === 'avg') return avgExtraArb.map(defined);
  if (reduction === 'lp') return pArb.map((p) => defined({ p }));
  return fc.constant({});
}

function forwardExpect(c: WindowCase, kind: 'values' | 'indices'): Expect {
  const verdict = windowVerdict(c, LIBRARY_RULES);
  const plain = tensorExpect(verdict, c.frame, c.dtype);
  if (kind === 'values' || plain.k !== 'tensor') return plain;
  return { k: 'withIndices', shape: plain.shape, type: plain.type };
}

/** avgPool / maxPool / lpPool and maxPoolWithIndices. */
function forwardDoor(name: string, reduction: Reduction, kind: 'values' | 'indices' = 'values'): Door {
  const rules = reduction === 'avg' ? AVG_RULES : reduction === 'lp' ? LP_RULES : WINDOW_RULES;
  return {
    ...doorAt(name, [name]),
    valid: fc.tuple(windowCaseArb({ dilation: true, maxRank: 4 }), windowExtraArb(reduction)).map(([c, extra]): Call => ({
      args: [tensorOf(c.frame, c.axes.map((a) => a.size), c.dtype, c.seed), windowOptions(c, extra)],
      expect: forwardExpect(c, kind),
    })),
    bombs: windowBombs(kind, (x, options) => [x, options]),
    options: OPTIONS_ARG1(rules),
    tensors: [0],
  };
}

/** Backward ops: avg takes the input or its shape, max and lp the input tensor itself. */
function backwardDoor(name: string, reduction: Reduction): Door {
  const rules = reduction === 'avg' ? AVG_RULES : reduction === 'lp' ? LP_RULES : WINDOW_RULES;
  const valid = fc
    .tuple(windowCaseArb({ dilation: true }), windowExtraArb(reduction), fc.boolean(), dtypeArb)
    .map(([c, extra, shapeOnly, dyType]): Call => {
      const verdict = windowVerdict(c, LIBRARY_RULES);
      const inputShape = inputShapeOf(c);
      const input = reduction === 'avg' && shapeOnly ? inputShape : tensorRecipe(inputShape, c.dtype, c.seed);
      // Average gradients read no input values: dy may have its own dtype.
      const dtype = reduction === 'avg' ? dyType : c.dtype;
      const dyShape = 'out' in verdict ? shapeOf(c.frame, verdict.out) : [1];
      const expect: Expect = 'error' in verdict ? { k: 'error', codes: [verdict.error] } : { k: 'tensor', shape: inputShape, type: floatType(dtype) };
      return { args: [tensorRecipe(dyShape, dtype, c.seed + 1), input, windowOptions(c, extra)], expect };
    });
  return {
    ...doorAt(name, [name]),
    valid,
    bombs: reduction === 'avg' ? backwardBombs() : undefined,
    options: OPTIONS_ARG2(rules),
    tensors: reduction === 'avg' ? [0] : [0, 1],
  };
}

/**
 * Huge work or memory from tiny arguments: spatialDims 1e7, 'same' padding with huge kernels over
 * 4+ spatial axes, a kernel of 2**30 on a 1-element axis.
 */
function windowBombs(kind: 'values' | 'indices', call: (x: Recipe, options: Recipe) => Recipe[]): readonly Call[] {
  const one = (rank: number) => tensorRecipe([1, 1, ...new Array<number>(rank).fill(1)], 'float32', 7);
  const withIndices = (c: Call): Call => (kind === 'indices' && c.expect.k === 'tensor' ? { ...c, expect: { ...c.expect, k: 'withIndices' } } : c);
  const calls: Call[] = [
    { args: call(tensorRecipe([1, 1, 4, 4], 'float32', 3), { kernel: 2, spatialDims: 1e7 }), expect: { k: 'error', codes: ['INVALID_RANK', 'INVALID_PARAMETER', 'SIZE_TOO_LARGE'] } },
    { args: call(one(4), { kernel: 2 ** 20, padding: 'same' }), expect: { k: 'tensor', shape: [1, 1, 1, 1, 1, 1], type: 'Float32Array' } },
    { args: call(one(6), { kernel: 2 ** 12, padding: 'same', backend: 'reference' }), expect: { k: 'tensor', shape: [1, 1, 1, 1, 1, 1, 1, 1], type: 'Float32Array' } },
    { args: call(one(1), { kernel: 2 ** 30, padding: 'same', spatialDims: 1 }), expect: { k: 'tensor', shape: [1, 1, 1], type: 'Float32Array' } },
    { args: call(one(2), { kernel: 2 ** 15, padding: 'same-lower', stride: 1 }), expect: { k: 'tensor', shape: [1, 1, 1, 1], type: 'Float32Array' } },
    { args: call(one(3), { kernel: 2, dilation: 2 ** 29, padding: 'same' }), expect: { k: 'tensor', shape: [1, 1, 1, 1, 1], type: 'Float32Array' } },
  ];
  return calls.map(withIndices);
}

/**
 * Backward passes whose output is sized by a shape argument while dy holds one element: a gradient
 * costs 8 bytes per input element (float64 accumulation), so each is over setMaxBytes's default
 * 2 GiB and must be refused before anything is allocated (SIZE_TOO_LARGE).
 */
function backwardBombs(): readonly Call[] {
  const dy = tensorRecipe([1, 1, 1, 1], 'float32', 5);
  const tooLarge: Expect = { k: 'error', codes: ['SIZE_TOO_LARGE'] };
  return [
    { args: [dy, [1, 1, 2 ** 15, 2 ** 15], { kernel: 2 ** 15 }], expect: tooLarge },
    { args: [dy, [1, 1, 2 ** 14, 2 ** 16], { kernel: [2 ** 14, 2 ** 16], backend: 'reference' }], expect: tooLarge },
    { args: [tensorRecipe([1, 1, 1], 'float64', 5), [1, 1, 2 ** 30], { kernel: 2 ** 30, spatialDims: 1 }], expect: tooLarge },
    // A float32 gradient of 2**29 elements is 2 GiB, within the limit; its float64 accumulator is not.
    { args: [dy, [1, 1, 2 ** 13, 2 ** 16], { kernel: [2 ** 13, 2 ** 16] }], expect: tooLarge },
  ];
}

/** Planners and shape functions plan only: how a plan runs (backend, threads) is not theirs to check. */
function planningRules(rules: Record<string, string>): Record<string, string> {
  const { backend: _backend, threads: _threads, ...rest } = rules;
  return rest;
}

/** planAvgPool(shape, options) and its kin: errors name the op the plan is for (avgPool, ...). */
function planDoor(name: string, reduction: Reduction): Door {
  const rules = planningRules(reduction === 'avg' ? AVG_RULES : reduction === 'lp' ? LP_RULES : WINDOW_RULES);
  return {
    ...doorAt(name, [name.replace(/^plan(\w)/, (_, c: string) => c.toLowerCase())]),
    valid: fc.tuple(windowCaseArb({ dilation: true, maxRank: 4 }), windowExtraArb(reduction)).map(([c, extra]): Call => {
      const verdict = windowVerdict(c, LIBRARY_RULES);
      const inputShape = inputShapeOf(c);
      const args: Recipe[] = [inputShape, windowOptions(c, extra)];
      return {
        args,
        expect: 'error' in verdict ? { k: 'error', codes: [verdict.error] } : { k: 'plan', inputShape, outputShape: shapeOf(c.frame, verdict.out) },
      };
    }),
    bombs: [
      { args: [[1, 1, 2 ** 26], { kernel: 1, spatialDims: 1 }], expect: { k: 'plan', inputShape: [1, 1, 2 ** 26], outputShape: [1, 1, 2 ** 26] } },
      { args: [[1, 1, 1, 1, 1, 1], { kernel: 2 ** 20, padding: 'same' }], expect: { k: 'plan', inputShape: [1, 1, 1, 1, 1, 1], outputShape: [1, 1, 1, 1, 1, 1] } },
      { args: [[1, 1, 4, 4], { kernel: 2, spatialDims: 1e7 }], expect: { k: 'error', codes: ['INVALID_RANK', 'INVALID_PARAMETER'] } },
      { args: [[2 ** 31], { kernel: 1, spatialDims: 1 }], expect: { k: 'error', codes: ['SIZE_TOO_LARGE', 'INVALID_RANK', 'INVALID_PARAMETER'] } },
      // An empty batch is a plan like any other (only an empty spatial axis is OUTPUT_EMPTY), and costs arithmetic only.
      { args: [[0, 1, 2 ** 30], { kernel: 1, spatialDims: 1 }], expect: { k: 'plan', inputShape: [0, 1, 2 ** 30], outputShape: [0, 1, 2 ** 30] } },
      { args: [[1, 1, 0], { kernel: 1, spatialDims: 1 }], expect: { k: 'error', codes: ['OUTPUT_EMPTY'] } },
      // The rank-3 rule holds for plans too, whatever the sizes.
      { args: [[0, 1, 2 ** 30], { kernel: 1 }], expect: { k: 'error', codes: ['INVALID_RANK'] } },
    ],
    options: OPTIONS_ARG1(rules),
  };
}

// ---------------------------------------------------------------------------------------------
// Global, adaptive, masked.

interface GlobalCase {
  readonly frame: Frame;
  readonly sizes: readonly number[];
  readonly dtype: 'float32' | 'float64';
  readonly seed: number;
  readonly keepDims: boolean | undefined;
  readonly spatialDimsGiven: boolean;
  /** A rank-3 input leaves spatialDims out (see WindowCase.omitRank): refused. */
  readonly omitRank: boolean;
  readonly backend: string | undefined;
}

const globalCaseArb: fc.Arbitrary<GlobalCase> = fc.integer({ min: 1, max: 3 }).chain((rank) =>
  fc.record({
    frame: frameArb({ unbatched: true, layouts: ['channels-first', 'channels-last'] }),
    sizes: fc.array(fc.integer({ min: 1, max: rank === 3 ? 3 : 5 }), { minLength: rank, maxLength: rank }),
    dtype: dtypeArb,
    seed: seedArb,
    keepDims: fc.constantFrom(undefined, true, false),
    spatialDimsGiven: fc.boolean(),
    omitRank: rarelyArb,
    backend: fc.constantFrom(undefined, undefined, 'js', 'wasm', 'reference'),
  }),
);

function globalOptions(c: GlobalCase, extra: Record<string, Recipe> = {}): Record<string, Recipe> {
  return defined({
    keepDims: c.keepDims,
    layout: c.frame.layout === 'channels-last' ? 'channels-last' : undefined,
    spatialDims: (c.spatialDimsGiven && !omitsRank(c.frame, c.sizes.length, false, c.omitRank)) || needsSpatialDims(c.frame, c.sizes.length, false, c.omitRank) ? c.sizes.length : undefined,
    backend: c.backend,
    ...extra,
  });
}

/** What a call on `shape` with `options` must give: `ok`, or INVALID_RANK where its rank is ambiguous. */
function rankChecked(shape: readonly number[], options: Record<string, Recipe> | undefined, ok: Expect): Expect {
  return rankRefused(shape, options) ? { k: 'error', codes: ['INVALID_RANK'] } : ok;
}

function globalOutputShape(c: GlobalCase): number[] {
  if (c.keepDims) return shapeOf(c.frame, c.sizes.map(() => 1));
  return c.frame.batched ? [c.frame.batch, c.frame.channels] : [c.frame.channels];
}

const GLOBAL_RULES = { ...COMMON_RULES, keepDims: 'bool' };

function globalDoor(name: string, extraArb: fc.Arbitrary<Record<string, Recipe>>, rules: Record<string, string>): Door {
  return {
    ...doorAt(name, [name]),
    valid: fc.tuple(globalCaseArb, extraArb, fc.boolean()).map(([c, extra, omit]): Call => {
      const x = tensorOf(c.frame, c.sizes, c.dtype, c.seed);
      const options = globalOptions(c, extra);
      // Options are optional: a batched call without any may leave them out.
      const args = omit && Object.keys(options).length === 0 ? [x] : [x, options];
      return { args, expect: rankChecked(shapeOf(c.frame, c.sizes), options, { k: 'tensor', shape: globalOutputShape(c), type: floatType(c.dtype) }) };
    }),
    options: OPTIONS_ARG1(rules, true),
    tensors: [0],
  };
}

function globalBackwardDoor(name: string, shapeInput: boolean, extraArb: fc.Arbitrary<Record<string, Recipe>>, rules: Record<string, string>): Door {
  return {
    ...doorAt(name, [name]),
    valid: fc.tuple(globalCaseArb, extraArb, fc.boolean()).map(([c, extra, asShape]): Call => {
      const inputShape = shapeOf(c.frame, c.sizes);
      const input = shapeInput && asShape ? inputShape : tensorRecipe(inputShape, c.dtype, c.seed);
      const options = globalOptions(c, extra);
      return {
        args: [tensorRecipe(globalOutputShape(c), c.dtype, c.seed + 1), input, options],
        expect: rankChecked(inputShape, options, { k: 'tensor', shape: inputShape, type: floatType(c.dtype) }),
      };
    }),
    // A one-element dy spread over 2**30 input positions: past setMaxBytes's default.
    bombs: shapeInput ? [{ args: [tensorRecipe([1, 1], 'float32', 2), [1, 1, 2 ** 15, 2 ** 15], {}], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } }] : undefined,
    options: OPTIONS_ARG2(rules, true),
    tensors: shapeInput ? [0] : [0, 1],
  };
}

interface AdaptiveCase extends GlobalCase {
  readonly outputSize: readonly (number | null)[];
  readonly asNumber: boolean;
}

const adaptiveCaseArb: fc.Arbitrary<AdaptiveCase> = globalCaseArb.chain((c) =>
  fc
    .record({
      outputSize: fc.array(fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 5 }), { minLength: c.sizes.length, maxLength: c.sizes.length }),
      asNumber: fc.boolean(),
    })
    .map((extra) => ({ ...c, ...extra })),
);

function adaptiveSizeRecipe(c: AdaptiveCase): Recipe {
  const first = c.outputSize[0];
  return c.asNumber && first !== null && first !== undefined ? first : [...c.outputSize];
}

function adaptiveOutSpatial(c: AdaptiveCase): number[] {
  const first = c.outputSize[0];
  if (c.asNumber && first !== null && first !== undefined) return c.sizes.map(() => first);
  return c.sizes.map((s, a) => c.outputSize[a] ?? s);
}

function adaptiveOptions(c: AdaptiveCase): Record<string, Recipe> {
  const size = adaptiveSizeRecipe(c);
  return defined({
    outputSize: size,
    layout: c.frame.layout === 'channels-last' ? 'channels-last' : undefined,
    spatialDims:
      (c.spatialDimsGiven && !omitsRank(c.frame, c.sizes.length, Array.isArray(size), c.omitRank)) || needsSpatialDims(c.frame, c.sizes.length, Array.isArray(size), c.omitRank)
        ? c.sizes.length
        : undefined,
    backend: c.backend,
  });
}

const ADAPTIVE_RULES = { ...COMMON_RULES, outputSize: 'int1null!' };

function adaptiveDoor(name: string, kind: 'forward' | 'indices' | 'backward-shape' | 'backward-x'): Door {
  const valid = adaptiveCaseArb.map((c): Call => {
    const inputShape = shapeOf(c.frame, c.sizes);
    const outShape = shapeOf(c.frame, adaptiveOutSpatial(c));
    const x = tensorRecipe(inputShape, c.dtype, c.seed);
    const type = floatType(c.dtype);
    const options = adaptiveOptions(c);
    const checked = (ok: Expect) => rankChecked(inputShape, options, ok);
    switch (kind) {
      case 'forward':
        return { args: [x, options], expect: checked({ k: 'tensor', shape: outShape, type }) };
      case 'indices':
        return { args: [x, options], expect: checked({ k: 'withIndices', shape: outShape, type }) };
      case 'backward-shape':
        return { args: [tensorRecipe(outShape, c.dtype, c.seed + 1), c.seed % 2 ? inputShape : x, options], expect: checked({ k: 'tensor', shape: inputShape, type }) };
      case 'backward-x':
        return { args: [tensorRecipe(outShape, c.dtype, c.seed + 1), x, options], expect: checked({ k: 'tensor', shape: inputShape, type }) };
    }
  });
  const forward = kind === 'forward' || kind === 'indices';
  return {
    ...doorAt(name, [name]),
    valid,
    // One input element, 2**30 outputs (4 GiB): past setMaxBytes's default.
    bombs: forward ? [{ args: [tensorRecipe([1, 1, 1, 1], 'float32', 4), { outputSize: 2 ** 15 }], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } }] : undefined,
    options: forward ? OPTIONS_ARG1(ADAPTIVE_RULES) : OPTIONS_ARG2(ADAPTIVE_RULES),
    tensors: kind === 'backward-shape' ? [0] : forward ? [0] : [0, 1],
  };
}

interface MaskCase extends GlobalCase {
  readonly form: 'sample' | 'whole' | 'lengths';
  readonly maskType: 'Uint8Array' | 'Float32Array' | 'Float64Array';
  readonly lengthSeeds: readonly number[];
}

const maskCaseArb: fc.Arbitrary<MaskCase> = globalCaseArb.chain((c) =>
  fc
    .record({
      form: fc.constantFrom<MaskCase['form']>('sample', 'whole', 'lengths'),
      maskType: fc.constantFrom<MaskCase['maskType']>('Uint8Array', 'Float32Array', 'Float64Array'),
      lengthSeeds: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    })
    .map((extra) => ({ ...c, ...extra })),
);

function maskOptions(c: MaskCase): Record<string, Recipe> {
  const base = globalOptions({ ...c, backend: undefined });
  if (c.form === 'lengths') {
    const rows = c.frame.batched ? c.frame.batch : 1;
    return {
      ...base,
      validLengths: Array.from({ length: rows }, (_, n) => c.sizes.map((s, a) => (c.lengthSeeds[(n * 3 + a) % 8]! % (s + 1)))),
    };
  }
  const shape = c.form === 'whole' ? shapeOf(c.frame, c.sizes) : c.frame.batched ? [c.frame.batch, ...c.sizes] : [...c.sizes];
  // Non-negative finite weights: 0/1 masks as Uint8Array, small weights as floats.
  const data = special('typed', { type: c.maskType, length: product(shape), seed: c.seed, range: [0, c.maskType === 'Uint8Array' ? 2 : 4] });
  return { ...base, mask: { shape, data } };
}

const MASK_RULES = { ...GLOBAL_RULES };

function maskedDoor(name: string, backward: boolean): Door {
  return {
    ...doorAt(name, [name]),
    valid: fc.tuple(maskCaseArb, fc.boolean()).map(([c, asShape]): Call => {
      const inputShape = shapeOf(c.frame, c.sizes);
      const x = tensorRecipe(inputShape, c.dtype, c.seed);
      const type = floatType(c.dtype);
      const options = maskOptions(c);
      if (!backward) return { args: [x, options], expect: rankChecked(inputShape, options, { k: 'tensor', shape: globalOutputShape(c), type }) };
      return {
        args: [tensorRecipe(globalOutputShape(c), c.dtype, c.seed + 1), asShape ? inputShape : x, options],
        expect: rankChecked(inputShape, options, { k: 'tensor', shape: inputShape, type }),
      };
    }),
    // A gradient of 2**30 elements from one dy value: past setMaxBytes's default.
    bombs: backward
      ? [{ args: [tensorRecipe([1, 1], 'float32', 2), [1, 1, 2 ** 15, 2 ** 15], { validLengths: [[2 ** 15, 2 ** 15]] }], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } }]
      : undefined,
    options: backward ? OPTIONS_ARG2(MASK_RULES) : OPTIONS_ARG1(MASK_RULES),
    tensors: backward ? [0] : [0],
  };
}

// ---------------------------------------------------------------------------------------------
// Max unpooling.

interface UnpoolCase {
  readonly frame: Frame;
  readonly sizes: readonly number[];
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly pads: readonly (readonly [number, number])[];
  readonly padForm: 'none' | 'number' | 'perAxis' | 'pairs';
  readonly outputForm: 'default' | 'spatial' | 'whole';
  readonly outputDelta: readonly number[];
  readonly strideGiven: boolean;
  /** kernel as one number where every axis agrees (then only spatialDims or another array gives the rank). */
  readonly kernelNumber: boolean;
  readonly omitRank: boolean;
  readonly dtype: 'float32' | 'float64';
  readonly seed: number;
}

const unpoolCaseArb: fc.Arbitrary<UnpoolCase> = fc.integer({ min: 1, max: 3 }).chain((rank) =>
  fc
    .record({
      frame: frameArb({ unbatched: true, layouts: ['channels-first', 'channels-last'] }),
      axes: fc.array(
        fc.record({ size: fc.integer({ min: 1, max: 4 }), kernel: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pb: fc.integer({ min: 0, max: 1 }), pe: fc.integer({ min: 0, max: 1 }), delta: fc.integer({ min: -1, max: 1 }) }),
        { minLength: rank, maxLength: rank },
      ),
      padForm: fc.constantFrom<UnpoolCase['padForm']>('none', 'number', 'perAxis', 'pairs'),
      outputForm: fc.constantFrom<UnpoolCase['outputForm']>('default', 'default', 'spatial', 'whole'),
      strideGiven: fc.boolean(),
      kernelNumber: fc.boolean(),
      omitRank: rarelyArb,
      dtype: dtypeArb,
      seed: seedArb,
    })
    .map(({ frame, axes, padForm, outputForm, strideGiven, kernelNumber, omitRank, dtype, seed }) => ({
      frame,
      sizes: axes.map((a) => a.size),
      kernel: axes.map((a) => a.kernel),
      stride: axes.map((a) => (strideGiven ? a.stride : a.kernel)),
      pads: axes.map((a): readonly [number, number] =>
        padForm === 'none' ? [0, 0] : padForm === 'number' ? [axes[0]!.pb, axes[0]!.pb] : padForm === 'perAxis' ? [a.pb, a.pb] : [a.pb, a.pe],
      ),
      padForm,
      outputForm,
      outputDelta: axes.map((a) => a.delta),
      strideGiven,
      // A whole output shape is an array as long as the input's rank: it cannot give the spatial rank.
      kernelNumber: kernelNumber && outputForm !== 'whole' && axes.every((a) => a.kernel === axes[0]!.kernel),
      omitRank,
      dtype,
      seed,
    })),
);

function unpoolDefault(c: UnpoolCase): number[] {
  return c.sizes.map((s, a) => unpoolSize(s, c.kernel[a]!, c.stride[a]!, c.pads[a]![0], c.pads[a]![1]));
}

function unpoolOut(c: UnpoolCase): number[] {
  const base = unpoolDefault(c);
  return c.outputForm === 'default' ? base : base.map((s, a) => s + c.outputDelta[a]! * Math.min(1, c.stride[a]!));
}

function unpoolOptions(c: UnpoolCase): Record<string, Recipe> {
  const rank = c.sizes.length;
  const options: Record<string, Recipe> = { kernel: c.kernelNumber ? c.kernel[0]! : [...c.kernel] };
  if (c.strideGiven) options['stride'] = [...c.stride];
  if (c.padForm === 'number') options['padding'] = c.pads[0]![0];
  if (c.padForm === 'perAxis') options['padding'] = c.pads.map((p) => p[0]);
  if (c.padForm === 'pairs') options['padding'] = c.pads.map((p) => [p[0], p[1]]);
  if (c.outputForm === 'spatial') options['outputSize'] = unpoolOut(c);
  if (c.outputForm === 'whole') options['outputSize'] = shapeOf(c.frame, unpoolOut(c));
  if (c.frame.layout === 'channels-last') options['layout'] = 'channels-last';
  if (needsSpatialDims(c.frame, rank, givesRank(options), c.omitRank)) options['spatialDims'] = rank;
  return options;
}

/**
 * The README's rules: the rank-3 rule first; a given outputSize must lie strictly within one
 * stride of the default size on every axis (PyTorch's open interval) and be at least 1
 * (INVALID_PARAMETER); a default size below 1 is OUTPUT_EMPTY.
 */
function unpoolVerdict(c: UnpoolCase): { out: number[] } | { error: string } {
  if (rankRefused(shapeOf(c.frame, c.sizes), unpoolOptions(c))) return { error: 'INVALID_RANK' };
  const out = unpoolOut(c);
  if (c.outputForm !== 'default') {
    const outside = c.outputDelta.some((d, a) => Math.abs(d) >= c.stride[a]!);
    if (outside || out.some((s) => s < 1)) return { error: 'INVALID_PARAMETER' };
  }
  if (out.some((s) => s < 1)) return { error: 'OUTPUT_EMPTY' };
  return { out };
}

const UNPOOL_RULES = { ...COMMON_RULES, kernel: 'int1!', stride: 'int1', padding: 'pad' };

function unpoolDoor(name: string, backward: boolean): Door {
  return {
    ...doorAt(name, [name]),
    valid: unpoolCaseArb.map((c): Call => {
      const inShape = shapeOf(c.frame, c.sizes);
      const verdict = unpoolVerdict(c);
      const outPlane = 'out' in verdict ? product(verdict.out) : 1;
      const indices = { shape: inShape, data: indexData(product(inShape), outPlane, c.seed) };
      const type = floatType(c.dtype);
      if (!backward) {
        return {
          args: [tensorRecipe(inShape, c.dtype, c.seed), indices, unpoolOptions(c)],
          expect: 'error' in verdict ? { k: 'error', codes: [verdict.error] } : { k: 'tensor', shape: shapeOf(c.frame, verdict.out), type },
        };
      }
      const dyShape = 'out' in verdict ? shapeOf(c.frame, verdict.out) : inShape;
      return {
        args: [tensorRecipe(dyShape, c.dtype, c.seed + 1), indices, unpoolOptions(c)],
        expect: 'error' in verdict ? { k: 'error', codes: [verdict.error] } : { k: 'tensor', shape: inShape, type },
      };
    }),
    // One value unpooled into 2**30 positions (4 GiB): past setMaxBytes's default.
    bombs: backward
      ? undefined
      : [{ args: [tensorRecipe([1, 1, 1, 1], 'float32', 3), { shape: [1, 1, 1, 1], data: typed('Int32Array', 1, 1, [0]) }, { kernel: 2 ** 15 }], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } }],
    options: OPTIONS_ARG2(UNPOOL_RULES),
    tensors: [0],
    indexTensors: [1],
  };
}

// ---------------------------------------------------------------------------------------------
// poolOutputShape and headParameters.

const outputShapeDoor: Door = {
  ...doorAt('poolOutputShape', ['poolOutputShape']),
    valid: fc.oneof(
    fc.tuple(windowCaseArb({ dilation: true, maxRank: 4 }), avgExtraArb.map(defined)).map(([c, extra]): Call => {
      const verdict = windowVerdict(c, LIBRARY_RULES);
      const options = windowOptions({ ...c, backend: undefined, threads: undefined }, extra);
      return { args: [inputShapeOf(c), options], expect: 'error' in verdict ? { k: 'error', codes: [verdict.error] } : { k: 'equal', value: shapeOf(c.frame, verdict.out) } };
    }),
    adaptiveCaseArb.map((c): Call => {
      const shape = shapeOf(c.frame, c.sizes);
      const options = adaptiveOptions({ ...c, backend: undefined });
      return { args: [shape, options], expect: rankChecked(shape, options, { k: 'equal', value: shapeOf(c.frame, adaptiveOutSpatial(c)) }) };
    }),
    globalCaseArb.map((c): Call => {
      const shape = shapeOf(c.frame, c.sizes);
      const options = { ...globalOptions({ ...c, backend: undefined }), global: true };
      return { args: [shape, options], expect: rankChecked(shape, options, { k: 'equal', value: globalOutputShape(c) }) };
    }),
  ),
  bombs: [
    { args: [[1, 1, 2 ** 26], { kernel: 1, spatialDims: 1 }], expect: { k: 'equal', value: [1, 1, 2 ** 26] } },
    { args: [[1, 1, 2 ** 28], { kernel: [1], stride: 1 }], expect: { k: 'equal', value: [1, 1, 2 ** 28] } },
    { args: [[1, 1, 4, 4], { kernel: 2, spatialDims: 1e7 }], expect: { k: 'error', codes: ['INVALID_RANK', 'INVALID_PARAMETER'] } },
    { args: [[1, 1, 2 ** 20, 2 ** 10], { outputSize: [2 ** 20, 2 ** 10] }], expect: { k: 'equal', value: [1, 1, 2 ** 20, 2 ** 10] } },
  ],
  options: OPTIONS_ARG1(planningRules({ ...AVG_RULES, kernel: 'int1', outputSize: 'int1null', global: 'bool', keepDims: 'bool' })),
};

const headParametersDoor: Door = {
  ...doorAt('headParameters', ['headParameters']),
    valid: fc
    .record({ shape: fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 2, maxLength: 4 }), classes: fc.integer({ min: 1, max: 2000 }) })
    .map(({ shape, classes }): Call => {
      const flattenInputs = product(shape);
      const channels = shape[0]!;
      // Parameter counts a number does not hold exactly are refused rather than rounded.
      const flatten = BigInt(flattenInputs) * BigInt(classes) + BigInt(classes);
      if (!Number.isSafeInteger(flattenInputs) || flatten > BigInt(Number.MAX_SAFE_INTEGER)) return { args: [shape, classes], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } };
      return {
        args: [shape, classes],
        expect: {
          k: 'equal',
          value: { flattenInputs, flatten: flattenInputs * classes + classes, globalAverageInputs: channels, globalAverage: channels * classes + classes },
        },
      };
    }),
  bombs: [{ args: [[2048, 2 ** 26], 10], expect: { k: 'equal', value: { flattenInputs: 2048 * 2 ** 26, flatten: 2048 * 2 ** 26 * 10 + 10, globalAverageInputs: 2048, globalAverage: 2048 * 10 + 10 } } }],
};

export const CORE_DOORS: readonly Door[] = [
  forwardDoor('avgPool', 'avg'),
  backwardDoor('avgPoolBackward', 'avg'),
  forwardDoor('maxPool', 'max'),
  forwardDoor('maxPoolWithIndices', 'max', 'indices'),
  backwardDoor('maxPoolBackward', 'max'),
  forwardDoor('lpPool', 'lp'),
  backwardDoor('lpPoolBackward', 'lp'),
  planDoor('planAvgPool', 'avg'),
  planDoor('planMaxPool', 'max'),
  planDoor('planLpPool', 'lp'),
  globalDoor('globalAvgPool', fc.constant({}), GLOBAL_RULES),
  globalBackwardDoor('globalAvgPoolBackward', true, fc.constant({}), GLOBAL_RULES),
  globalDoor('globalMaxPool', fc.constant({}), GLOBAL_RULES),
  globalBackwardDoor('globalMaxPoolBackward', false, fc.constant({}), GLOBAL_RULES),
  globalDoor('globalLpPool', pArb.map((p) => defined({ p })), { ...GLOBAL_RULES, p: 'pos' }),
  globalBackwardDoor('globalLpPoolBackward', false, pArb.map((p) => defined({ p })), { ...GLOBAL_RULES, p: 'pos' }),
  adaptiveDoor('adaptiveAvgPool', 'forward'),
  adaptiveDoor('adaptiveAvgPoolBackward', 'backward-shape'),
  adaptiveDoor('adaptiveMaxPool', 'forward'),
  adaptiveDoor('adaptiveMaxPoolWithIndices', 'indices'),
  adaptiveDoor('adaptiveMaxPoolBackward', 'backward-x'),
  maskedDoor('maskedGlobalAvgPool', false),
  maskedDoor('maskedGlobalAvgPoolBackward', true),
  unpoolDoor('maxUnpool', false),
  unpoolDoor('maxUnpoolBackward', true),
  outputShapeDoor,
  headParametersDoor,
];
