/**
 * Doors of the dialects: torch.*, keras.*, tfjs.* and runOnnxNode (also as onnx.runOnnxNode), each
 * called with its ecosystem's own argument names and the shapes its module docs promise.
 */
import fc from 'fast-check';
import {
  axesArb,
  doorAt,
  dtypeArb,
  floatType,
  frameArb,
  indexData,
  perAxis,
  rarelyArb,
  seedArb,
  type AxisCase,
  type Call,
  type Door,
  type Expect,
} from './calls.js';
import { effective, onnxOutputs, product, shapeOf, slidingVerdict, tfjsRound, unpoolSize, type Frame, type Verdict } from './oracle.js';
import { special, tensorRecipe, typed, type Recipe, type TypedName } from './recipe.js';

type Rank = 1 | 2 | 3;
const RANKS: readonly Rank[] = [1, 2, 3];

function errorOr(verdict: Verdict, ok: (out: number[]) => Expect): Expect {
  return 'error' in verdict ? { k: 'error', codes: [verdict.error] } : ok(verdict.out);
}

// ---------------------------------------------------------------------------------------------
// PyTorch.

interface TorchCase {
  readonly rank: Rank;
  readonly frame: Frame;
  readonly axes: readonly AxisCase[];
  readonly dtype: 'float32' | 'float64';
  readonly seed: number;
  readonly kernelForm: 'int' | 'tuple' | 'one';
  readonly strideForm: 'absent' | 'null' | 'empty' | 'int' | 'tuple';
  readonly paddingForm: 'absent' | 'int' | 'tuple';
  readonly ceil: boolean | undefined;
  readonly includePad: boolean | undefined;
  readonly divisor: number | undefined;
}

function torchCaseArb(rank: Rank, dilation: boolean): fc.Arbitrary<TorchCase> {
  return fc.record({
    rank: fc.constant(rank),
    frame: frameArb({ unbatched: true, layouts: ['channels-first'] }),
    axes: axesArb(rank, { dilation, maxPad: 2 }),
    dtype: dtypeArb,
    seed: seedArb,
    kernelForm: fc.constantFrom<TorchCase['kernelForm']>('int', 'tuple', 'one'),
    strideForm: fc.constantFrom<TorchCase['strideForm']>('absent', 'null', 'empty', 'int', 'tuple'),
    paddingForm: fc.constantFrom<TorchCase['paddingForm']>('absent', 'int', 'tuple'),
    ceil: fc.constantFrom(undefined, true, false),
    includePad: fc.constantFrom(undefined, true, false),
    divisor: fc.constantFrom(undefined, undefined, undefined, 3, -2),
  });
}

/** The geometry the args spell: an int or a 1-element list means every axis (the first axis's value). */
function torchGeometry(c: TorchCase, withPadding: boolean) {
  const firstOnly = (values: number[], form: string) => (form === 'int' || form === 'one' ? values.map(() => values[0]!) : values);
  const kernel = firstOnly(c.axes.map((a) => a.kernel), c.kernelForm);
  const strideGiven = c.strideForm === 'int' || c.strideForm === 'tuple';
  const stride = strideGiven ? firstOnly(c.axes.map((a) => a.stride), c.strideForm) : kernel;
  const pad = withPadding && c.paddingForm !== 'absent' ? firstOnly(c.axes.map((a) => a.padBegin), c.paddingForm) : c.axes.map(() => 0);
  const dilation = c.axes.map((a) => a.dilation);
  return { kernel, stride, pad, dilation };
}

function torchArgs(c: TorchCase, parts: { padding: boolean; dilation: boolean; avg: boolean }): Record<string, Recipe> {
  const g = torchGeometry(c, parts.padding);
  const args: Record<string, Recipe> = {
    kernel_size: c.kernelForm === 'int' ? g.kernel[0]! : c.kernelForm === 'one' ? [g.kernel[0]!] : g.kernel,
  };
  if (c.strideForm === 'null') args['stride'] = null;
  if (c.strideForm === 'empty') args['stride'] = [];
  if (c.strideForm === 'int') args['stride'] = g.stride[0]!;
  if (c.strideForm === 'tuple') args['stride'] = g.stride;
  if (parts.padding && c.paddingForm === 'int') args['padding'] = g.pad[0]!;
  if (parts.padding && c.paddingForm === 'tuple') args['padding'] = g.pad;
  if (parts.dilation && c.axes.some((a) => a.dilation !== 1)) args['dilation'] = g.dilation;
  if (c.ceil !== undefined) args['ceil_mode'] = c.ceil;
  if (parts.avg && c.includePad !== undefined) args['count_include_pad'] = c.includePad;
  if (parts.avg && c.rank > 1 && c.divisor !== undefined) args['divisor_override'] = c.divisor;
  return args;
}

function torchVerdict(c: TorchCase, padding: boolean, dilation: boolean): Verdict {
  const g = torchGeometry(c, padding);
  return slidingVerdict(
    {
      sizes: c.axes.map((a) => a.size),
      kernel: g.kernel,
      stride: g.stride,
      dilation: dilation ? g.dilation : g.kernel.map(() => 1),
      padding: { kind: 'pads', pads: g.pad.map((p) => [p, p] as const) },
      ceil: c.ceil === true,
    },
    { limitPadding: true, startInside: true },
  );
}

const TORCH_WINDOW_RULES = { kernel_size: 'int1!', padding: 'int0', dilation: 'int1', ceil_mode: 'bool', count_include_pad: 'bool', return_indices: 'bool' };

type TorchKind = 'avg' | 'max' | 'lp';

function torchWindowDoors(kind: TorchKind, rank: Rank): Door[] {
  const base = kind === 'avg' ? 'avgPool' : kind === 'max' ? 'maxPool' : 'lpPool';
  const op = `${kind === 'avg' ? 'avg_pool' : kind === 'max' ? 'max_pool' : 'lp_pool'}${rank}d`;
  const padding = kind !== 'lp';
  const dilation = kind === 'max';
  const caseArb = fc.tuple(torchCaseArb(rank, dilation), fc.constantFrom(undefined, false, true), fc.constantFrom(1, 2, 3, 0.5));
  const argsOf = (c: TorchCase, normType: number): Record<string, Recipe> => {
    const args = torchArgs(c, { padding, dilation, avg: kind === 'avg' });
    if (kind === 'lp') {
      delete args['count_include_pad'];
      return { norm_type: normType, ...args };
    }
    return args;
  };
  const forward: Door = {
    ...doorAt(`torch.${base}${rank}d`, [op]),
        valid: caseArb.map(([c, returnIndices, normType]): Call => {
      const verdict = torchVerdict(c, padding, dilation);
      const args = argsOf(c, normType);
      if (kind === 'max' && returnIndices !== undefined) args['return_indices'] = returnIndices;
      const type = floatType(c.dtype);
      return {
        args: [tensorRecipe(shapeOf(c.frame, c.axes.map((a) => a.size)), c.dtype, c.seed), args],
        expect: errorOr(verdict, (out) => {
          const shape = shapeOf(c.frame, out);
          return kind === 'max' && returnIndices ? { k: 'list', items: [{ k: 'tensor', shape, type }, { k: 'indexTensor', shape, type: 'Int32Array' }] } : { k: 'tensor', shape, type };
        }),
      };
    }),
    options: [{ arg: 1, keys: kind === 'lp' ? { ...TORCH_WINDOW_RULES, norm_type: 'pos!' } : TORCH_WINDOW_RULES, strict: true, optional: false }],
    tensors: [0],
  };
  const backward: Door = {
    ...doorAt(`torch.${base}${rank}dBackward`, [`${op}_backward`]),
        valid: caseArb.map(([c, , normType]): Call => {
      const verdict = torchVerdict(c, padding, dilation);
      const inputShape = shapeOf(c.frame, c.axes.map((a) => a.size));
      const dyShape = 'out' in verdict ? shapeOf(c.frame, verdict.out) : [1];
      return {
        args: [tensorRecipe(dyShape, c.dtype, c.seed + 1), tensorRecipe(inputShape, c.dtype, c.seed), argsOf(c, normType)],
        expect: errorOr(verdict, () => ({ k: 'tensor', shape: inputShape, type: floatType(c.dtype) })),
      };
    }),
    options: [{ arg: 2, keys: kind === 'lp' ? { ...TORCH_WINDOW_RULES, norm_type: 'pos!' } : TORCH_WINDOW_RULES, strict: true, optional: false }],
    tensors: [0, 1],
  };
  return [forward, backward];
}

function torchAdaptiveDoors(kind: 'avg' | 'max', rank: Rank): Door[] {
  const base = kind === 'avg' ? 'adaptiveAvgPool' : 'adaptiveMaxPool';
  const op = `adaptive_${kind}_pool${rank}d`;
  const caseArb = fc.record({
    frame: frameArb({ unbatched: true, layouts: ['channels-first'] }),
    sizes: fc.array(fc.integer({ min: 1, max: rank === 3 ? 3 : 5 }), { minLength: rank, maxLength: rank }),
    outputs: fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null, freq: 5 }), { minLength: rank, maxLength: rank }),
    asInt: fc.boolean(),
    dtype: dtypeArb,
    seed: seedArb,
    returnIndices: fc.constantFrom(undefined, false, true),
  });
  const sizeOf = (c: { outputs: (number | null)[]; asInt: boolean }): Recipe => (c.asInt && c.outputs[0] !== null ? c.outputs[0]! : c.outputs);
  const outOf = (c: { sizes: number[]; outputs: (number | null)[]; asInt: boolean }) =>
    c.asInt && c.outputs[0] !== null ? c.sizes.map(() => c.outputs[0]!) : c.sizes.map((s, a) => c.outputs[a] ?? s);
  const forward: Door = {
    ...doorAt(`torch.${base}${rank}d`, [op]),
        valid: caseArb.map((c): Call => {
      const shape = shapeOf(c.frame, outOf(c));
      const type = floatType(c.dtype);
      const args: Recipe[] = [tensorRecipe(shapeOf(c.frame, c.sizes), c.dtype, c.seed), sizeOf(c)];
      if (kind === 'max' && c.returnIndices !== undefined) args.push(c.returnIndices);
      const expect: Expect = kind === 'max' && c.returnIndices ? { k: 'list', items: [{ k: 'tensor', shape, type }, { k: 'indexTensor', shape, type: 'Int32Array' }] } : { k: 'tensor', shape, type };
      return { args, expect };
    }),
    // One input element, 2**30 outputs (4 GiB): past setMaxBytes's default.
    bombs: [{
      args: [tensorRecipe([1, 1, ...new Array<number>(rank).fill(1)], 'float32', 2), rank === 1 ? 2 ** 30 : rank === 2 ? 2 ** 15 : 2 ** 10],
      expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] },
    }],
    tensors: [0],
  };
  const backward: Door = {
    ...doorAt(`torch.${base}${rank}dBackward`, [`${op}_backward`]),
        valid: caseArb.map((c): Call => {
      const inputShape = shapeOf(c.frame, c.sizes);
      return {
        args: [tensorRecipe(shapeOf(c.frame, outOf(c)), c.dtype, c.seed + 1), tensorRecipe(inputShape, c.dtype, c.seed), sizeOf(c)],
        expect: { k: 'tensor', shape: inputShape, type: floatType(c.dtype) },
      };
    }),
    tensors: [0, 1],
  };
  return [forward, backward];
}

function torchUnpoolDoors(rank: Rank): Door[] {
  const op = `max_unpool${rank}d`;
  const caseArb = fc.record({
    frame: frameArb({ unbatched: true, layouts: ['channels-first'] }),
    axes: fc.array(fc.record({ size: fc.integer({ min: 1, max: 4 }), kernel: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pad: fc.integer({ min: 0, max: 1 }), delta: fc.integer({ min: -1, max: 1 }) }), {
      minLength: rank,
      maxLength: rank,
    }),
    strideGiven: fc.boolean(),
    paddingGiven: fc.boolean(),
    outputForm: fc.constantFrom('default', 'default', 'spatial', 'whole', 'null'),
    dtype: dtypeArb,
    seed: seedArb,
  });
  const planOf = (c: typeof caseArb extends fc.Arbitrary<infer T> ? T : never) => {
    const stride = c.axes.map((a) => (c.strideGiven ? a.stride : a.kernel));
    const pad = c.axes.map((a) => (c.paddingGiven ? a.pad : 0));
    const base = c.axes.map((a, i) => unpoolSize(a.size, a.kernel, stride[i]!, pad[i]!, pad[i]!));
    const out = c.outputForm === 'spatial' || c.outputForm === 'whole' ? base.map((s, i) => s + c.axes[i]!.delta) : base;
    const args: Record<string, Recipe> = { kernel_size: c.axes.map((a) => a.kernel) };
    if (c.strideGiven) args['stride'] = stride;
    if (c.paddingGiven) args['padding'] = pad;
    if (c.outputForm === 'null') args['output_size'] = null;
    if (c.outputForm === 'spatial') args['output_size'] = out;
    if (c.outputForm === 'whole') args['output_size'] = shapeOf(c.frame, out);
    // PyTorch's _unpool_output_size: a given size lies strictly between default - stride and
    // default + stride, and is at least 1; a default below 1 is too small.
    // A whole output_size is (N, C, ...) only: rank + 2 sizes, which an unbatched input's shape is not.
    const given = c.outputForm === 'spatial' || c.outputForm === 'whole';
    const outside = given && c.axes.some((a, i) => Math.abs(a.delta) >= stride[i]!);
    const badLength = c.outputForm === 'whole' && !c.frame.batched;
    const verdict: Verdict = badLength || outside || (given && out.some((s) => s < 1)) ? { error: 'INVALID_PARAMETER' } : out.some((s) => s < 1) ? { error: 'OUTPUT_EMPTY' } : { out };
    return { args, verdict, inShape: shapeOf(c.frame, c.axes.map((a) => a.size)) };
  };
  const rules = { kernel_size: 'int1!', padding: 'int0' };
  const forward: Door = {
    ...doorAt(`torch.maxUnpool${rank}d`, [op]),
        valid: caseArb.map((c): Call => {
      const { args, verdict, inShape } = planOf(c);
      const bound = 'out' in verdict ? product(verdict.out) : 1;
      return {
        args: [tensorRecipe(inShape, c.dtype, c.seed), { shape: inShape, data: indexData(product(inShape), bound, c.seed) }, args],
        expect: errorOr(verdict, (out) => ({ k: 'tensor', shape: shapeOf(c.frame, out), type: floatType(c.dtype) })),
      };
    }),
    options: [{ arg: 2, keys: rules, strict: true, optional: false }],
    tensors: [0],
    indexTensors: [1],
  };
  const backward: Door = {
    ...doorAt(`torch.maxUnpool${rank}dBackward`, [`${op}_backward`]),
        valid: caseArb.map((c): Call => {
      const { args, verdict, inShape } = planOf(c);
      const bound = 'out' in verdict ? product(verdict.out) : 1;
      const dyShape = 'out' in verdict ? shapeOf(c.frame, verdict.out) : inShape;
      return {
        args: [tensorRecipe(dyShape, c.dtype, c.seed + 1), { shape: inShape, data: indexData(product(inShape), bound, c.seed) }, args],
        expect: errorOr(verdict, () => ({ k: 'tensor', shape: inShape, type: floatType(c.dtype) })),
      };
    }),
    options: [{ arg: 2, keys: rules, strict: true, optional: false }],
    tensors: [0],
    indexTensors: [1],
  };
  return [forward, backward];
}

const TORCH_DOORS: Door[] = RANKS.flatMap((rank) => [
  ...torchWindowDoors('avg', rank),
  ...torchWindowDoors('max', rank),
  ...torchAdaptiveDoors('avg', rank),
  ...torchAdaptiveDoors('max', rank),
  ...torchWindowDoors('lp', rank),
  ...torchUnpoolDoors(rank),
]);

// ---------------------------------------------------------------------------------------------
// Keras.

function kerasWindowDoor(kind: 'avg' | 'max', rank: Rank): Door {
  const name = `${kind === 'avg' ? 'averagePooling' : 'maxPooling'}${rank}d`;
  const op = `${kind === 'avg' ? 'AveragePooling' : 'MaxPooling'}${rank}D`;
  const caseArb = fc.record({
    frame: frameArb({ unbatched: false, layouts: ['channels-first', 'channels-last'] }),
    axes: axesArb(rank, { dilation: false, maxPad: 0 }),
    dtype: dtypeArb,
    seed: seedArb,
    poolGiven: fc.boolean(),
    asNumber: fc.boolean(),
    strideForm: fc.constantFrom('absent', 'null', 'given'),
    padding: fc.constantFrom(undefined, 'valid', 'same', 'VALID', 'Same'),
    formatGiven: fc.boolean(),
    argsGiven: fc.boolean(),
  });
  return {
    ...doorAt(`keras.${name}`, [op]),
        valid: caseArb.map((c): Call => {
      const kernel = c.poolGiven ? c.axes.map((a) => a.kernel) : c.axes.map(() => 2);
      const stride = c.strideForm === 'given' ? c.axes.map((a) => a.stride) : kernel;
      const args: Record<string, Recipe> = {};
      if (c.poolGiven) args['pool_size'] = perAxis(kernel, c.asNumber);
      if (c.strideForm === 'null') args['strides'] = null;
      if (c.strideForm === 'given') args['strides'] = perAxis(stride, c.asNumber);
      if (c.padding !== undefined) args['padding'] = c.padding;
      if (c.formatGiven || c.frame.layout === 'channels-first') args['data_format'] = c.frame.layout === 'channels-first' ? 'channels_first' : 'channels_last';
      const same = c.padding?.toLowerCase() === 'same';
      // Keras's floor((L - k) / s) + 1: an empty result at 0, refused when negative.
      const verdict = slidingVerdict(
        { sizes: c.axes.map((a) => a.size), kernel, stride, dilation: kernel.map(() => 1), padding: { kind: same ? 'same' : 'valid' }, ceil: false },
        { limitPadding: false, startInside: false, emptyAtZero: true },
      );
      const x = tensorRecipe(shapeOf(c.frame, c.axes.map((a) => a.size)), c.dtype, c.seed);
      const omit = !c.argsGiven && Object.keys(args).length === 0;
      return { args: omit ? [x] : [x, args], expect: errorOr(verdict, (out) => ({ k: 'tensor', shape: shapeOf(c.frame, out), type: floatType(c.dtype) })) };
    }),
    options: [{ arg: 1, keys: { pool_size: 'int1', data_format: 'enum:channels_last|channels_first' }, strict: true, optional: true }],
    tensors: [0],
  };
}

function kerasGlobalDoor(kind: 'avg' | 'max', rank: Rank): Door {
  const name = `${kind === 'avg' ? 'globalAveragePooling' : 'globalMaxPooling'}${rank}d`;
  const op = `${kind === 'avg' ? 'GlobalAveragePooling' : 'GlobalMaxPooling'}${rank}D`;
  const caseArb = fc.record({
    frame: frameArb({ unbatched: false, layouts: ['channels-first', 'channels-last'] }),
    sizes: fc.array(fc.integer({ min: 1, max: rank === 3 ? 3 : 5 }), { minLength: rank, maxLength: rank }),
    keepdims: fc.constantFrom(undefined, true, false),
    formatGiven: fc.boolean(),
    mask: fc.boolean(),
    maskType: fc.constantFrom<TypedName>('Uint8Array', 'Float32Array', 'Float64Array'),
    dtype: dtypeArb,
    seed: seedArb,
  });
  return {
    ...doorAt(`keras.${name}`, [op]),
        valid: caseArb.map((c): Call => {
      const args: Record<string, Recipe> = {};
      if (c.keepdims !== undefined) args['keepdims'] = c.keepdims;
      if (c.formatGiven || c.frame.layout === 'channels-first') args['data_format'] = c.frame.layout === 'channels-first' ? 'channels_first' : 'channels_last';
      const out = c.keepdims ? shapeOf(c.frame, c.sizes.map(() => 1)) : [c.frame.batch, c.frame.channels];
      const call: Recipe[] = [tensorRecipe(shapeOf(c.frame, c.sizes), c.dtype, c.seed), args];
      if (kind === 'avg' && rank === 1 && c.mask) {
        const maskShape = [c.frame.batch, c.sizes[0]!];
        call.push({ shape: maskShape, data: special('typed', { type: c.maskType, length: product(maskShape), seed: c.seed, range: [0, 2] }) });
      }
      return { args: call, expect: { k: 'tensor', shape: out, type: floatType(c.dtype) } };
    }),
    options: [{ arg: 1, keys: { keepdims: 'bool', data_format: 'enum:channels_last|channels_first' }, strict: true, optional: true }],
    tensors: [0],
  };
}

const KERAS_DOORS: Door[] = RANKS.flatMap((rank) => [
  kerasWindowDoor('avg', rank),
  kerasWindowDoor('max', rank),
  kerasGlobalDoor('avg', rank),
  kerasGlobalDoor('max', rank),
]);

// ---------------------------------------------------------------------------------------------
// TF.js (the dialect's positional signatures on NHWC data).

type TfPad = 'valid' | 'same' | number | readonly (readonly [number, number])[];
type DimRounding = 'floor' | 'round' | 'ceil' | undefined;

interface TfjsCase {
  readonly frame: Frame;
  readonly sizes: readonly number[];
  readonly filter: readonly number[];
  readonly strides: readonly number[];
  readonly pad: TfPad;
  readonly mode: DimRounding;
  readonly dtype: 'float32' | 'float64';
  readonly seed: number;
  readonly asNumbers: boolean;
  readonly container: 'float' | 'nested' | 'integer';
  readonly integerType: TypedName;
}

function tfjsCaseArb(spatialRank: 2 | 3, options: { explicit: boolean; numeric: boolean }): fc.Arbitrary<TfjsCase> {
  const pads: fc.Arbitrary<TfPad>[] = [fc.constant('valid'), fc.constant('same')];
  if (options.numeric) pads.push(fc.integer({ min: 0, max: 2 }));
  if (options.explicit) {
    pads.push(
      fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).map(([t, b, l, r]) => [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ] as const),
    );
  }
  return fc.record({
    frame: frameArb({ unbatched: true, layouts: ['channels-last'] }),
    sizes: fc.array(fc.integer({ min: 1, max: spatialRank === 3 ? 4 : 6 }), { minLength: spatialRank, maxLength: spatialRank }),
    filter: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: spatialRank, maxLength: spatialRank }),
    strides: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: spatialRank, maxLength: spatialRank }),
    pad: fc.oneof(...pads),
    mode: fc.constantFrom<DimRounding>(undefined, undefined, 'floor', 'round', 'ceil'),
    dtype: dtypeArb,
    seed: seedArb,
    asNumbers: fc.boolean(),
    container: fc.constantFrom<TfjsCase['container']>('float', 'float', 'nested', 'integer'),
    integerType: fc.constantFrom<TypedName>('Int32Array', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Uint8ClampedArray'),
  });
}

/**
 * The output sizes the module doc of src/dialects/tfjs.ts promises, or the error: an axis that
 * sizes to 0 gives TF.js's empty tensor, a negative size is refused (OUTPUT_EMPTY). `spaceToBatch`
 * (tf.pool with dilations > 1, 'valid'): ceil(L / d) - k + 1 windows per sub-image decide whether
 * there are any; when there are, L - k_eff + 1 in all.
 */
function tfjsVerdict(
  spatialRank: 2 | 3,
  sizes: readonly number[],
  filter: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  pad: TfPad,
  mode: DimRounding,
  spaceToBatch = false,
): Verdict {
  if (mode !== undefined && typeof pad === 'string') return { error: 'INVALID_PARAMETER' };
  const out: number[] = [];
  for (let a = 0; a < sizes.length; a++) {
    const size = sizes[a]!;
    const keff = effective(filter[a]!, dilations[a]!);
    const s = strides[a]!;
    if (pad === 'same') {
      const o = Math.ceil(size / s);
      if (spatialRank === 3 && (o - 1) * s + keff - size < 0) return { error: 'UNSUPPORTED_OPTION' };
      out.push(o);
    } else if (pad === 'valid' && spaceToBatch) {
      const inner = Math.ceil(size / dilations[a]!) - filter[a]! + 1;
      out.push(inner <= 0 ? inner : size - keff + 1);
    } else if (pad === 'valid' && spatialRank === 2) {
      out.push(Math.ceil((size - keff + 1) / s));
    } else if (pad === 'valid' || typeof pad === 'number') {
      const p = pad === 'valid' ? 0 : pad;
      if (spatialRank === 3) out.push(size + 2 * p >= keff ? tfjsRound((size - keff + 2 * p) / s + 1, mode) : 0);
      else out.push(tfjsRound((size - effective(filter[0]!, dilations[0]!) + 2 * p) / strides[0]! + 1, mode));
    } else {
      const [b, e] = (pad as readonly (readonly [number, number])[])[a + 1]!;
      out.push(tfjsRound((size - keff + b + e) / s + 1, mode));
    }
  }
  // Math.ceil, round and trunc give -0 for small negative quotients: a size of 0 all the same.
  const sized = out.map((o) => o + 0);
  return sized.some((o) => o < 0) ? { error: 'OUTPUT_EMPTY' } : { out: sized };
}

function nested(shape: readonly number[], seed: number): Recipe {
  let counter = seed;
  const build = (depth: number): Recipe => (depth === shape.length ? (counter++ % 9) - 4 : Array.from({ length: shape[depth]! }, () => build(depth + 1)));
  return build(0);
}

/** x in one of the containers TF.js takes: float data, nested arrays, or (max only) integer data. */
function tfjsInput(c: TfjsCase, allowInteger: boolean): { x: Recipe; type: string } {
  const shape = shapeOf(c.frame, c.sizes);
  if (c.container === 'nested' && product(shape) <= 200) return { x: nested(shape, c.seed), type: 'Float32Array' };
  if (c.container === 'integer' && allowInteger) return { x: { shape, data: special('typed', { type: c.integerType, length: product(shape), seed: c.seed, range: [0, 100] }) }, type: c.integerType };
  return { x: tensorRecipe(shape, c.dtype, c.seed), type: floatType(c.dtype) };
}

function tfjsPadRecipe(pad: TfPad): Recipe {
  return typeof pad === 'object' ? pad.map((p) => [...p]) : pad;
}

function tfjsSizeRecipe(values: readonly number[], asNumber: boolean): Recipe {
  return perAxis(values, asNumber);
}

function tfjsForwardDoor(name: 'avgPool' | 'maxPool' | 'avgPool3d' | 'maxPool3d'): Door {
  const spatialRank = name.endsWith('3d') ? 3 : 2;
  const max = name.startsWith('max');
  return {
    ...doorAt(`tfjs.${name}`, [name]),
        valid: fc.tuple(tfjsCaseArb(spatialRank, { explicit: spatialRank === 2, numeric: true }), fc.boolean()).map(([c, withFormat]): Call => {
      const { x, type } = tfjsInput(c, max);
      const verdict = tfjsVerdict(spatialRank, c.sizes, c.filter, c.strides, c.sizes.map(() => 1), c.pad, c.mode);
      const args: Recipe[] = [x, tfjsSizeRecipe(c.filter, c.asNumbers), tfjsSizeRecipe(c.strides, c.asNumbers), tfjsPadRecipe(c.pad)];
      if (c.mode !== undefined || (spatialRank === 3 && withFormat)) args.push(c.mode);
      if (spatialRank === 3 && withFormat) args.push('NDHWC');
      return { args, expect: errorOr(verdict, (out) => ({ k: 'tensor', shape: shapeOf(c.frame, out), type })) };
    }),
    tensors: [0],
    integerData: max,
  };
}

const tfjsArgmaxDoor: Door = {
  ...doorAt('tfjs.maxPoolWithArgmax', ['maxPoolWithArgmax']),
    valid: fc.tuple(tfjsCaseArb(2, { explicit: false, numeric: true }), fc.constantFrom(undefined, true, false)).map(([c0, includeBatch]): Call => {
    const c = { ...c0, frame: { ...c0.frame, batched: true }, mode: undefined };
    const { x, type } = tfjsInput(c, true);
    const verdict = tfjsVerdict(2, c.sizes, c.filter, c.strides, [1, 1], c.pad, undefined);
    const args: Recipe[] = [x, tfjsSizeRecipe(c.filter, c.asNumbers), tfjsSizeRecipe(c.strides, c.asNumbers), tfjsPadRecipe(c.pad)];
    if (includeBatch !== undefined) args.push(includeBatch);
    return { args, expect: errorOr(verdict, (out) => ({ k: 'argmax', shape: shapeOf(c.frame, out), type })) };
  }),
  tensors: [0],
  integerData: true,
};

/** tf.pool and its gradient: dilations go through TF.js's spaceToBatchND route. */
function poolVerdict(c: TfjsCase, type: 'avg' | 'max', dilations: readonly number[]): Verdict {
  if (c.strides.some((s) => s > 1) && dilations.some((d) => d > 1)) return { error: 'INVALID_PARAMETER' };
  const pad: TfPad = c.pad === 0 ? 'valid' : c.pad;
  if (dilations.every((d) => d === 1)) return tfjsVerdict(2, c.sizes, c.filter, c.strides, dilations, pad, c.mode);
  if (c.mode !== undefined) return { error: 'INVALID_PARAMETER' };
  if (pad !== 'same') return tfjsVerdict(2, c.sizes, c.filter, c.strides, dilations, 'valid', undefined, true);
  if (type === 'max') return { error: 'UNSUPPORTED_OPTION' };
  return tfjsVerdict(2, c.sizes, c.filter, c.strides, dilations, 'same', undefined);
}

const poolCaseArb = fc.tuple(
  tfjsCaseArb(2, { explicit: true, numeric: true }),
  fc.constantFrom<'avg' | 'max'>('avg', 'max'),
  fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 2, maxLength: 2 }),
  fc.constantFrom('absent', 'ones', 'given'),
  fc.boolean(),
);

const tfjsPoolDoor: Door = {
  ...doorAt('tfjs.pool', ['pool']),
    valid: poolCaseArb.map(([c0, type, dilationValues, dilationForm, stridesGiven]): Call => {
    const dilations = dilationForm === 'given' ? dilationValues : [1, 1];
    // Strides > 1 with dilations > 1 is an error; give strides 1 where dilations are given.
    const c = { ...c0, strides: stridesGiven && dilationForm !== 'given' ? c0.strides : [1, 1] };
    const { x, type: container } = tfjsInput(c, type === 'max');
    const args: Recipe[] = [x, tfjsSizeRecipe(c.filter, c.asNumbers), type, tfjsPadRecipe(c.pad)];
    const tail: Recipe[] = [dilationForm === 'absent' ? undefined : dilations, stridesGiven ? c.strides : undefined, c.mode];
    while (tail.length > 0 && tail[tail.length - 1] === undefined) tail.pop();
    args.push(...tail);
    return { args, expect: errorOr(poolVerdict(c, type, dilations), (out) => ({ k: 'tensor', shape: shapeOf(c.frame, out), type: container })) };
  }),
  tensors: [0],
  integerData: true,
};

/**
 * dy of the forward output's shape (empty where that is), the gradient of x's shape; where the
 * forward output is empty, sometimes a one-element dy instead, which must be SHAPE_MISMATCH.
 */
function gradExpect(verdict: Verdict, frame: Frame, xShape: readonly number[], dtype: 'float32' | 'float64', wrongDy: boolean): { dyShape: number[]; expect: Expect } {
  if (!('out' in verdict)) return { dyShape: [1], expect: { k: 'error', codes: [verdict.error] } };
  const dyShape = shapeOf(frame, verdict.out);
  if (wrongDy && product(dyShape) === 0) return { dyShape: [1], expect: { k: 'error', codes: ['SHAPE_MISMATCH'] } };
  return { dyShape, expect: { k: 'tensor', shape: xShape, type: floatType(dtype) } };
}

function tfjsGradDoor(name: 'avgPoolGrad' | 'maxPoolGrad' | 'avgPool3dGrad' | 'maxPool3dGrad'): Door {
  const spatialRank = name.includes('3d') ? 3 : 2;
  const withMode = name !== 'avgPoolGrad';
  return {
    ...doorAt(`tfjs.${name}`, [name]),
        valid: fc.tuple(tfjsCaseArb(spatialRank, { explicit: spatialRank === 2, numeric: true }), rarelyArb).map(([c0, wrongDy]): Call => {
      const c = withMode ? c0 : { ...c0, mode: undefined };
      const verdict = tfjsVerdict(spatialRank, c.sizes, c.filter, c.strides, c.sizes.map(() => 1), c.pad, c.mode);
      const xShape = shapeOf(c.frame, c.sizes);
      const { dyShape, expect } = gradExpect(verdict, c.frame, xShape, c.dtype, wrongDy);
      const args: Recipe[] = [tensorRecipe(dyShape, c.dtype, c.seed + 1), tensorRecipe(xShape, c.dtype, c.seed), tfjsSizeRecipe(c.filter, c.asNumbers), tfjsSizeRecipe(c.strides, c.asNumbers), tfjsPadRecipe(c.pad)];
      if (c.mode !== undefined) args.push(c.mode);
      return { args, expect };
    }),
    tensors: [0, 1],
  };
}

const tfjsPoolGradDoor: Door = {
  ...doorAt('tfjs.poolGrad', ['poolGrad']),
    valid: fc.tuple(poolCaseArb, rarelyArb).map(([[c0, type, dilationValues, dilationForm, stridesGiven], wrongDy]): Call => {
    const dilations = dilationForm === 'given' ? dilationValues : [1, 1];
    const c = { ...c0, strides: stridesGiven && dilationForm !== 'given' ? c0.strides : [1, 1], container: 'float' as const };
    // The average gradient drops dimRoundingMode, as TF.js's does.
    const verdict = poolVerdict(type === 'avg' ? { ...c, mode: undefined } : c, type, dilations);
    const xShape = shapeOf(c.frame, c.sizes);
    const { dyShape, expect } = gradExpect(verdict, c.frame, xShape, c.dtype, wrongDy);
    const args: Recipe[] = [tensorRecipe(dyShape, c.dtype, c.seed + 1), tensorRecipe(xShape, c.dtype, c.seed), tfjsSizeRecipe(c.filter, c.asNumbers), type, tfjsPadRecipe(c.pad)];
    const tail: Recipe[] = [dilationForm === 'absent' ? undefined : dilations, stridesGiven ? c.strides : undefined, c.mode];
    while (tail.length > 0 && tail[tail.length - 1] === undefined) tail.pop();
    args.push(...tail);
    return { args, expect };
  }),
  tensors: [0, 1],
};

const TFJS_DIALECT_DOORS: Door[] = [
  tfjsForwardDoor('avgPool'),
  tfjsForwardDoor('maxPool'),
  tfjsForwardDoor('avgPool3d'),
  tfjsForwardDoor('maxPool3d'),
  tfjsArgmaxDoor,
  tfjsPoolDoor,
  tfjsGradDoor('avgPoolGrad'),
  tfjsGradDoor('maxPoolGrad'),
  tfjsGradDoor('avgPool3dGrad'),
  tfjsGradDoor('maxPool3dGrad'),
  tfjsPoolGradDoor,
];

// ---------------------------------------------------------------------------------------------
// ONNX.

const ONNX_OPS = ['runOnnxNode', 'AveragePool', 'GlobalAveragePool', 'MaxPool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool', 'MaxUnpool'];

/**
 * runOnnxNode's fourth argument: absent, empty (every output), or the outputs to produce; MaxPool
 * has Y and Indices, every other op Y alone.
 */
type OnnxOutputsChoice = undefined | 'empty' | readonly string[];
const MAXPOOL_OUTPUTS: readonly OnnxOutputsChoice[] = [undefined, undefined, 'empty', ['Y'], ['Indices'], ['Y', 'Indices'], ['Indices', 'Y']];
const Y_OUTPUTS: readonly OnnxOutputsChoice[] = [undefined, undefined, 'empty', ['Y']];
const onnxOutputsChoiceArb = fc.nat({ max: 2 ** 16 });

function onnxOutputsChoice(op: string, pick: number): OnnxOutputsChoice {
  const choices = op === 'MaxPool' ? MAXPOOL_OUTPUTS : Y_OUTPUTS;
  return choices[pick % choices.length];
}

/** A call's arguments with its outputs choice, and the list it must return (`item` gives each output's Expect). */
function onnxCall(op: string, attrs: Record<string, Recipe>, inputs: Recipe[], choice: OnnxOutputsChoice, item: (name: string) => Expect): { args: Recipe[]; list: Expect } {
  const args: Recipe[] = [op, attrs, inputs];
  if (choice !== undefined) args.push(choice === 'empty' ? {} : { outputs: [...choice] });
  const names = onnxOutputs(op, choice === undefined || choice === 'empty' ? undefined : choice);
  return { args, list: { k: 'list', items: names.map(item) } };
}

const onnxWindowArb = fc.integer({ min: 1, max: 3 }).chain((rank) =>
  fc.record({
    op: fc.constantFrom('AveragePool', 'MaxPool', 'LpPool'),
    frame: frameArb({ unbatched: false, layouts: ['channels-first'] }),
    axes: axesArb(rank, { dilation: true, maxPad: 3 }),
    autoPad: fc.constantFrom(undefined, undefined, 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
    padsGiven: fc.boolean(),
    stridesGiven: fc.boolean(),
    dilationsGiven: fc.boolean(),
    ceil: fc.constantFrom(undefined, 0, 1),
    includePad: fc.constantFrom(undefined, 0, 1),
    storageOrder: fc.constantFrom(undefined, 0, 1),
    p: fc.constantFrom(undefined, 1, 2, 3),
    dtype: dtypeArb,
    integer: fc.constantFrom<TypedName | undefined>(undefined, undefined, 'Uint8Array', 'Int8Array', 'Int32Array'),
    outputs: onnxOutputsChoiceArb,
    seed: seedArb,
  }),
);

const onnxWindowCalls = onnxWindowArb.map((c): Call => {
  const explicit = c.autoPad === undefined || c.autoPad === 'NOTSET';
  const pads = explicit && c.padsGiven ? [...c.axes.map((a) => a.padBegin), ...c.axes.map((a) => a.padEnd)] : undefined;
  const strides = c.stridesGiven ? c.axes.map((a) => a.stride) : c.axes.map(() => 1);
  const dilations = c.dilationsGiven ? c.axes.map((a) => a.dilation) : c.axes.map(() => 1);
  const attrs: Record<string, Recipe> = { kernel_shape: c.axes.map((a) => a.kernel) };
  if (c.stridesGiven) attrs['strides'] = strides;
  if (c.dilationsGiven) attrs['dilations'] = dilations;
  if (pads) attrs['pads'] = pads;
  if (c.autoPad !== undefined) attrs['auto_pad'] = c.autoPad;
  if (c.ceil !== undefined) attrs['ceil_mode'] = c.ceil;
  if (c.op === 'AveragePool' && c.includePad !== undefined) attrs['count_include_pad'] = c.includePad;
  if (c.op === 'MaxPool' && c.storageOrder !== undefined) attrs['storage_order'] = c.storageOrder;
  if (c.op === 'LpPool' && c.p !== undefined) attrs['p'] = c.p;
  const padding =
    c.autoPad === 'SAME_UPPER' ? { kind: 'same' as const } : c.autoPad === 'SAME_LOWER' ? { kind: 'same-lower' as const } : c.autoPad === 'VALID' ? { kind: 'valid' as const } : { kind: 'pads' as const, pads: c.axes.map((a) => (pads ? ([a.padBegin, a.padEnd] as const) : ([0, 0] as const))) };
  const verdict = slidingVerdict(
    { sizes: c.axes.map((a) => a.size), kernel: c.axes.map((a) => a.kernel), stride: strides, dilation: dilations, padding, ceil: c.ceil === 1 && c.autoPad !== 'VALID' },
    { limitPadding: false, startInside: true },
  );
  const xShape = shapeOf(c.frame, c.axes.map((a) => a.size));
  const integer = c.op === 'MaxPool' ? c.integer : undefined;
  const x = integer ? { shape: xShape, data: special('typed', { type: integer, length: product(xShape), seed: c.seed, range: [0, 100] }) } : tensorRecipe(xShape, c.dtype, c.seed);
  const type = integer ?? floatType(c.dtype);
  const choice = onnxOutputsChoice(c.op, c.outputs);
  const out = 'out' in verdict ? shapeOf(c.frame, verdict.out) : [];
  const call = onnxCall(c.op, attrs, [x], choice, (name) => (name === 'Y' ? { k: 'tensor', shape: out, type } : { k: 'indexTensor', shape: out, type: 'BigInt64Array' }));
  return { args: call.args, expect: errorOr(verdict, () => call.list) };
});

const onnxGlobalCalls = fc
  .record({
    op: fc.constantFrom('GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'),
    frame: frameArb({ unbatched: false, layouts: ['channels-first'] }),
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    p: fc.constantFrom(undefined, 1, 2, 3),
    dtype: dtypeArb,
    integer: fc.constantFrom<TypedName | undefined>(undefined, 'Uint8Array', 'Int16Array'),
    outputs: onnxOutputsChoiceArb,
    seed: seedArb,
  })
  .map((c): Call => {
    const xShape = shapeOf(c.frame, c.sizes);
    // Only the max selects values: integer data is ONNX's for GlobalMaxPool alone.
    const integer = c.op === 'GlobalMaxPool' ? c.integer : undefined;
    const x = integer ? { shape: xShape, data: special('typed', { type: integer, length: product(xShape), seed: c.seed, range: [0, 100] }) } : tensorRecipe(xShape, c.dtype, c.seed);
    const attrs: Record<string, Recipe> = c.op === 'GlobalLpPool' && c.p !== undefined ? { p: c.p } : {};
    const shape = shapeOf(c.frame, c.sizes.map(() => 1));
    const call = onnxCall(c.op, attrs, [x], onnxOutputsChoice(c.op, c.outputs), () => ({ k: 'tensor', shape, type: integer ?? floatType(c.dtype) }));
    return { args: call.args, expect: call.list };
  });

const onnxUnpoolCalls = fc
  .record({
    frame: frameArb({ unbatched: false, layouts: ['channels-first'] }),
    axes: fc.array(fc.record({ size: fc.integer({ min: 1, max: 4 }), kernel: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pb: fc.integer({ min: 0, max: 1 }), pe: fc.integer({ min: 0, max: 1 }), delta: fc.integer({ min: -1, max: 1 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    stridesGiven: fc.boolean(),
    padsGiven: fc.boolean(),
    outputShapeGiven: fc.boolean(),
    indexType: fc.constantFrom<TypedName>('BigInt64Array', 'Int32Array'),
    dtype: dtypeArb,
    seed: seedArb,
  })
  .map((c): Call => {
    const stride = c.axes.map((a) => (c.stridesGiven ? a.stride : 1));
    const pads = c.axes.map((a) => (c.padsGiven ? [a.pb, a.pe] : [0, 0]));
    const base = c.axes.map((a, i) => unpoolSize(a.size, a.kernel, stride[i]!, pads[i]![0]!, pads[i]![1]!));
    const out = c.outputShapeGiven ? base.map((s, i) => s + c.axes[i]!.delta) : base;
    const attrs: Record<string, Recipe> = { kernel_shape: c.axes.map((a) => a.kernel) };
    if (c.stridesGiven) attrs['strides'] = stride;
    if (c.padsGiven) attrs['pads'] = [...pads.map((p) => p[0]!), ...pads.map((p) => p[1]!)];
    const xShape = shapeOf(c.frame, c.axes.map((a) => a.size));
    const inPlane = product(c.axes.map((a) => a.size));
    // ONNX's reference: indices address the default output (flat over N·C·spatial), whatever
    // output_shape says; a larger output_shape holds that result in its low corner.
    const defaultPlane = Math.max(1, product(base));
    const indices = { shape: xShape, data: special('typed', { type: c.indexType, length: product(xShape), seed: c.seed, planes: [inPlane, defaultPlane] }) };
    const inputs: Recipe[] = [tensorRecipe(xShape, c.dtype, c.seed), indices];
    if (c.outputShapeGiven) inputs.push({ shape: [xShape.length], data: typed('BigInt64Array', xShape.length, 1, shapeOf(c.frame, out)) });
    // A default size below 1 is OUTPUT_EMPTY; an output_shape smaller than the default on an axis is SHAPE_MISMATCH.
    const verdict: Verdict = base.some((s) => s < 1) ? { error: 'OUTPUT_EMPTY' } : out.some((s, i) => s < base[i]!) ? { error: 'SHAPE_MISMATCH' } : { out };
    return { args: ['MaxUnpool', attrs, inputs], expect: errorOr(verdict, (o) => ({ k: 'list', items: [{ k: 'tensor', shape: shapeOf(c.frame, o), type: floatType(c.dtype) }] })) };
  });

const onnxBombs: readonly Call[] = [
  {
    // One value unpooled into 2**30 positions (4 GiB): past setMaxBytes's default.
    args: ['MaxUnpool', { kernel_shape: [2 ** 15, 2 ** 15] }, [tensorRecipe([1, 1, 1, 1], 'float32', 1), { shape: [1, 1, 1, 1], data: typed('BigInt64Array', 1, 1, [0]) }]],
    expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] },
  },
  { args: ['AveragePool', { kernel_shape: [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20], auto_pad: 'SAME_UPPER' }, [tensorRecipe([1, 1, 1, 1, 1, 1], 'float32', 1)]], expect: { k: 'list', items: [{ k: 'tensor', shape: [1, 1, 1, 1, 1, 1], type: 'Float32Array' }] } },
  // 2**30 + 1 outputs from one element (4 GiB of values, 8 GiB of int64 indices): past setMaxBytes's default.
  { args: ['MaxPool', { kernel_shape: [1], pads: [2 ** 30, 0] }, [tensorRecipe([1, 1, 1], 'float32', 1)]], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } },
];

function onnxDoor(name: string): Door {
  return {
    ...doorAt(name, ONNX_OPS),
    valid: fc.oneof({ weight: 4, arbitrary: onnxWindowCalls }, { weight: 1, arbitrary: onnxGlobalCalls }, { weight: 1, arbitrary: onnxUnpoolCalls }),
    bombs: onnxBombs,
    // Each op reads its own attributes: every key the mutations invent is unknown to all of them.
    options: [
      {
        arg: 1,
        keys: { kernel_shape: 'int1', strides: 'int1', dilations: 'int1', pads: 'int0', ceil_mode: 'enum01', count_include_pad: 'enum01', storage_order: 'enum01', auto_pad: 'enum:NOTSET|SAME_UPPER|SAME_LOWER|VALID' },
        strict: true,
        ignoreUndefined: true,
        optional: false,
      },
      { arg: 3, keys: { outputs: 'names:Y|Indices' }, strict: true, optional: true },
    ],
    integerData: true,
  };
}

const ONNX_DOORS: Door[] = [onnxDoor('runOnnxNode'), onnxDoor('onnx.runOnnxNode')];

export const DIALECT_DOORS: readonly Door[] = [...TORCH_DOORS, ...KERAS_DOORS, ...TFJS_DIALECT_DOORS, ...ONNX_DOORS];
