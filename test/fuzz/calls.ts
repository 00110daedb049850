/**
 * What a door is (one public function of the library, how to call it validly, and what it must
 * return), and the building blocks the door table uses to generate valid calls: frames, window
 * geometries in each dialect's spelling, tensors.
 */
import fc from 'fast-check';
import { effective, shapeOf, slidingVerdict, type Frame, type Layout, type Padding, type Verdict } from './oracle.js';
import { special, tensorRecipe, type Recipe } from './recipe.js';

/** What a call must give back: checked in the worker by expect.ts. */
export type Expect =
  | { readonly k: 'tensor'; readonly shape: readonly number[]; readonly type: string }
  | { readonly k: 'withIndices'; readonly shape: readonly number[]; readonly type: string }
  | { readonly k: 'list'; readonly items: readonly Expect[] }
  | { readonly k: 'indexTensor'; readonly shape: readonly number[]; readonly type: string }
  | { readonly k: 'argmax'; readonly shape: readonly number[]; readonly type: string }
  | { readonly k: 'equal'; readonly value: unknown }
  | { readonly k: 'plan'; readonly inputShape: readonly number[]; readonly outputShape: readonly number[] }
  | { readonly k: 'error'; readonly codes: readonly string[] }
  | {
      readonly k: 'explanation';
      readonly outputShape: readonly number[];
      readonly axes: number;
      /** Per axis: windows, taps per window (the kernel), and the listing limits (ExplainOptions). */
      readonly out: readonly number[];
      readonly kernel: readonly number[];
      readonly maxWindows: number;
      readonly maxTaps: number;
    }
  | { readonly k: 'window'; readonly axes: number; readonly kernel: readonly number[]; readonly maxTaps: number }
  | { readonly k: 'bands'; readonly out: number; readonly rows: number }
  | { readonly k: 'backend'; readonly name?: string }
  | { readonly k: 'strings'; readonly includes: readonly string[] }
  | { readonly k: 'init' }
  | { readonly k: 'count' }
  | { readonly k: 'optionalString' }
  | { readonly k: 'memoryUse' }
  | { readonly k: 'undefined' }
  | { readonly k: 'observed'; readonly runs: number }
  | { readonly k: 'wasmTensor'; readonly shape: readonly number[]; readonly type: string }
  | { readonly k: 'poolInto'; readonly indices: boolean }
  | { readonly k: 'tf'; readonly shape: readonly number[] }
  | { readonly k: 'poolingError'; readonly code: string; readonly message: string }
  | { readonly k: 'instance'; readonly of: string };

/** One valid call: its arguments and what it must give back. */
export interface Call {
  readonly args: readonly Recipe[];
  readonly expect: Expect;
}

/**
 * Validation rules of one option or argument, as the docs state them; a hostile value that breaks
 * one must be rejected (an 'ok' result is then a defect).
 * - int1 / int0: an integer >= 1 / >= 0, one or one per axis
 * - int1null: int1, and null keeps an axis (adaptive output sizes)
 * - pad: int0, per axis, [begin, end] pairs, or 'valid' / 'same' / 'same-lower'
 * - pos: a positive finite number; nonzero: a non-zero finite number
 * - num1: a number >= 1 (Infinity too); safe1: a safe integer >= 1
 * - bool; enum:a|b|c
 * - names:a|b: a list of one or more of these names, each at most once (runOnnxNode's outputs)
 * A trailing '!' marks a required option.
 */
export type Rule = string;

export interface OptionsRules {
  /** Which argument holds the options object. */
  readonly arg: number;
  readonly keys: Readonly<Record<string, Rule>>;
  /** Unknown enumerable own keys of a plain object are rejected (the library's option reader). */
  readonly strict: boolean;
  /** An unknown key whose value is undefined is let through (ONNX attributes). */
  readonly ignoreUndefined?: boolean;
  /** The whole object may be left out. */
  readonly optional: boolean;
  /**
   * The argument whose rank the rank-3 rule reads (a tensor or a shape), where the library's own
   * rule applies: a rewrite that leaves a rank-3 input without spatialDims or a per-axis array
   * must be refused.
   */
  readonly rankFrom?: number;
}

export interface Door {
  /** 'avgPool', 'torch.avgPool2d', 'tfjs/avgPool' (the tensor-pooling/tfjs entry). */
  readonly name: string;
  readonly module: 'index' | 'tfjs';
  /** Where the function lives in its module: ['torch', 'avgPool2d']. */
  readonly path: readonly string[];
  /**
   * How the worker calls it: a plain call; `new` (classes); a layer factory or class applied to
   * args[1] (a TF.js tensor); a startup task followed by init().
   */
  readonly form?: 'call' | 'construct' | 'layerFactory' | 'layerClass' | 'taskThenInit';
  /** The op names its PoolingErrors may start with. */
  readonly ops: readonly string[];
  readonly valid: fc.Arbitrary<Call>;
  /**
   * Resource-hostile calls: huge outputs from tiny inputs, huge loops. Each runs once per fuzz run
   * (and at random among the other calls); their expectation applies if they return.
   */
  readonly bombs?: readonly Call[];
  readonly options?: readonly OptionsRules[];
  /** Rules of required positional arguments (one scalar each: an array breaks them too). */
  readonly positional?: Readonly<Record<number, Rule>>;
  /** Arguments that are { shape, data } float tensors. */
  readonly tensors?: readonly number[];
  /** Integer typed arrays are valid tensor data (max pooling in ONNX and TF.js). */
  readonly integerData?: boolean;
  /** Arguments that are { shape, data } Int32Array index tensors (unpooling's indices). */
  readonly indexTensors?: readonly number[];
  /** The call changes global state: the worker is replaced after it. */
  readonly isolated?: boolean;
  /** Argument positions the call is documented to write (poolInto's output). */
  readonly mutates?: readonly number[];
  /** Benign rewrites of the arguments must give the same bits (false for stateful doors). */
  readonly pure?: boolean;
  /** Multiplies the per-call time limit (starting workers is slow on a busy machine). */
  readonly timeScale?: number;
  /** Relative share of calls (isolated doors restart the worker: keep them few). */
  readonly weight?: number;
  /** Arguments mutations leave alone (a layer door's input tensor belongs to TF.js's machinery). */
  readonly fixedArgs?: readonly number[];
  /** Every call must be refused, hostile ones included (a constructor only the library may call). */
  readonly refusesAll?: boolean;
}

/**
 * Where a door lives and the op names its errors may carry: `torch.avgPool2d` is the main
 * entry's torch.avgPool2d, `tfjs/avgPool` the tfjs entry's avgPool.
 */
export function doorAt(name: string, ops: readonly string[]): Pick<Door, 'name' | 'module' | 'path' | 'ops'> {
  const tfjs = name.startsWith('tfjs/');
  return { name, module: tfjs ? 'tfjs' : 'index', path: (tfjs ? name.slice('tfjs/'.length) : name).split('.'), ops };
}

// ---------------------------------------------------------------------------------------------
// Building blocks.

export const dtypeArb = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');
export const seedArb = fc.integer({ min: 1, max: 1_000_000 });

export function floatType(dtype: 'float32' | 'float64'): string {
  return dtype === 'float64' ? 'Float64Array' : 'Float32Array';
}

export function frameArb(options: { unbatched: boolean; layouts: readonly Layout[] }): fc.Arbitrary<Frame> {
  return fc.record({
    batched: options.unbatched ? fc.boolean() : fc.constant(true),
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    layout: fc.constantFrom(...options.layouts),
  });
}

/** The canary's shape: hostile variants of calls on it reach the plans the canary checks. */
export const CANARY_FRAME: Frame = { batched: true, batch: 1, channels: 1, layout: 'channels-first' };
export const CANARY_SIZES = [4, 4];

/** Per-axis window parameters: sizes around the effective kernel, so some calls must fail. */
export interface AxisCase {
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly size: number;
  readonly padBegin: number;
  readonly padEnd: number;
}

export function axisArb(options: { dilation: boolean; maxExtra: number; maxPad: number }): fc.Arbitrary<AxisCase> {
  return fc
    .record({
      kernel: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 3 }),
      dilation: options.dilation ? fc.integer({ min: 1, max: 2 }) : fc.constant(1),
      extra: fc.integer({ min: -1, max: options.maxExtra }),
      padBegin: fc.integer({ min: 0, max: options.maxPad }),
      padEnd: fc.integer({ min: 0, max: options.maxPad }),
    })
    .map(({ kernel, stride, dilation, extra, padBegin, padEnd }) => ({
      kernel,
      stride,
      dilation,
      size: Math.max(1, effective(kernel, dilation) + extra),
      padBegin,
      padEnd,
    }));
}

const MAX_EXTRA_BY_RANK = [0, 5, 3, 1, 0];

export function axesArb(rank: number, options: { dilation: boolean; maxPad: number }): fc.Arbitrary<AxisCase[]> {
  return fc.array(axisArb({ dilation: options.dilation, maxExtra: MAX_EXTRA_BY_RANK[rank] ?? 0, maxPad: options.maxPad }), {
    minLength: rank,
    maxLength: rank,
  });
}

/** Per-axis values as one number when they agree and `asNumber`, else one per axis. */
export function perAxis(values: readonly number[], asNumber: boolean): Recipe {
  return asNumber && values.every((v) => v === values[0]) ? values[0]! : [...values];
}

export function tensorOf(frame: Frame, spatial: readonly number[], dtype: 'float32' | 'float64', seed: number): Recipe {
  return tensorRecipe(shapeOf(frame, spatial), dtype, seed);
}

export function tensorExpect(verdict: Verdict, frame: Frame, dtype: 'float32' | 'float64'): Expect {
  return 'error' in verdict ? { k: 'error', codes: [verdict.error] } : { k: 'tensor', shape: shapeOf(frame, verdict.out), type: floatType(dtype) };
}

// ---------------------------------------------------------------------------------------------
// The library's own window options.

export type PaddingForm = 'none' | 'number' | 'perAxis' | 'pairs' | 'valid' | 'same' | 'same-lower';

export interface WindowCase {
  readonly frame: Frame;
  readonly axes: readonly AxisCase[];
  readonly dtype: 'float32' | 'float64';
  readonly seed: number;
  readonly ceil: boolean;
  readonly paddingForm: PaddingForm;
  /** Spell per-axis values as one number where they agree. */
  readonly numbers: boolean;
  readonly strideGiven: boolean;
  readonly dilationGiven: boolean;
  readonly spatialDimsGiven: boolean;
  /**
   * Where the options alone cannot give the spatial rank of a rank-3 input, leave spatialDims out
   * anyway (README: such a call is refused with INVALID_RANK; the tfjs entry reads it as batched).
   */
  readonly omitRank: boolean;
  readonly backend: string | undefined;
  readonly threads: number | undefined;
}

/** True about one time in five: the rarer branch of a case (a rank-3 call without its rank, a wrong dy). */
export const rarelyArb = fc.nat({ max: 4 }).map((n) => n === 0);

export function windowCaseArb(options: { dilation: boolean; maxRank?: number; paddingForms?: readonly PaddingForm[] }): fc.Arbitrary<WindowCase> {
  const forms = options.paddingForms ?? ['none', 'number', 'perAxis', 'pairs', 'valid', 'same', 'same-lower'];
  const general = fc
    .integer({ min: 1, max: options.maxRank ?? 3 })
    .chain((rank) =>
      fc.record({
        frame: frameArb({ unbatched: true, layouts: ['channels-first', 'channels-last'] }),
        axes: axesArb(rank, { dilation: options.dilation, maxPad: 2 }),
        dtype: dtypeArb,
        seed: seedArb,
        ceil: fc.boolean(),
        paddingForm: fc.constantFrom(...forms),
        numbers: fc.boolean(),
        strideGiven: fc.boolean(),
        dilationGiven: fc.boolean(),
        spatialDimsGiven: fc.boolean(),
        // Most window cases give their rank with an array anyway: leave it out more often here.
        omitRank: fc.nat({ max: 2 }).map((n) => n === 0),
        backend: fc.constantFrom(undefined, undefined, 'auto', 'js', 'wasm', 'reference'),
        threads: fc.constantFrom(undefined, undefined, undefined, 1, 2, 3),
      }),
    );
  // The canary's own calls (kernel 2 or 3 on its 1x1x4x4 map): hostile variants of them must
  // not change what the canary gets from the plan cache.
  const canary = fc.record({
    frame: fc.constant(CANARY_FRAME),
    axes: fc.constantFrom(2, 3).map((k) => CANARY_SIZES.map((size) => ({ kernel: k, stride: k, dilation: 1, size, padBegin: 0, padEnd: 0 }))),
    dtype: fc.constant<'float32'>('float32'),
    seed: seedArb,
    ceil: fc.constant(false),
    paddingForm: fc.constant<PaddingForm>('none'),
    numbers: fc.constant(true),
    strideGiven: fc.constant(false),
    dilationGiven: fc.constant(false),
    spatialDimsGiven: fc.constant(false),
    omitRank: fc.constant(false),
    backend: fc.constant(undefined),
    threads: fc.constant(undefined),
  });
  return fc.oneof({ weight: 4, arbitrary: general }, { weight: 1, arbitrary: canary }).map((c) => {
    // Only the reference kernels run more than 3 spatial axes.
    const backend = c.axes.length > 3 && (c.backend === 'js' || c.backend === 'wasm') ? 'reference' : c.backend;
    // A case that leaves its rank out spells what it can as numbers, so that often nothing gives it.
    return { ...c, backend, numbers: c.numbers || c.omitRank };
  });
}

export function paddingOf(c: WindowCase): Padding {
  switch (c.paddingForm) {
    case 'none':
      return { kind: 'pads', pads: c.axes.map(() => [0, 0] as const) };
    case 'number':
      return { kind: 'pads', pads: c.axes.map(() => [c.axes[0]!.padBegin, c.axes[0]!.padBegin] as const) };
    case 'perAxis':
      return { kind: 'pads', pads: c.axes.map((a) => [a.padBegin, a.padBegin] as const) };
    case 'pairs':
      return { kind: 'pads', pads: c.axes.map((a) => [a.padBegin, a.padEnd] as const) };
    default:
      return { kind: c.paddingForm };
  }
}

export function paddingRecipe(c: WindowCase): Recipe {
  switch (c.paddingForm) {
    case 'none':
      return undefined;
    case 'number':
      return c.axes[0]!.padBegin;
    case 'perAxis':
      return c.axes.map((a) => a.padBegin);
    case 'pairs':
      return c.axes.map((a) => [a.padBegin, a.padEnd]);
    default:
      return c.paddingForm;
  }
}

export function sizesOf(c: WindowCase): number[] {
  return c.axes.map((a) => a.size);
}

export function inputShapeOf(c: WindowCase): number[] {
  return shapeOf(c.frame, sizesOf(c));
}

/** The options whose array value gives the spatial rank (its length), as the README lists them. */
export const PER_AXIS_OPTIONS: readonly string[] = ['kernel', 'stride', 'dilation', 'padding', 'outputSize'];

/** Whether an options object says the spatial rank: spatialDims, or an array-valued per-axis option. */
export function givesRank(options: Readonly<Record<string, Recipe>> | undefined): boolean {
  if (options === undefined) return false;
  return options['spatialDims'] !== undefined || PER_AXIS_OPTIONS.some((key) => Array.isArray(options[key]));
}

/**
 * The README's rule for the library's own ops: an input of rank 3 (or less) whose options do not
 * give the spatial rank is refused with INVALID_RANK; (N, C, W) and (C, H, W) look alike.
 */
export function rankRefused(shape: readonly unknown[], options: Readonly<Record<string, Recipe>> | undefined): boolean {
  return shape.length <= 3 && !givesRank(options);
}

/**
 * How a call whose options do not give the spatial rank of a rank-3 input is read: refused (the
 * library's own ops), or as a batch (N, W, C) (the tensor-pooling/tfjs entry, as Keras layers).
 */
export type RankDefault = 'refuse' | 'batched';

/**
 * The options object: rank comes from spatialDims, else from an array-valued option, else from
 * rank - 2. A call that needs spatialDims to be read right gets it, except that a rank-3 call
 * (which reads two ways) sometimes leaves it out (`omitRank`): refused, or read as a batch under
 * the tfjs entry's default, where only a batched frame may leave it out.
 */
export function windowOptions(c: WindowCase, extra: Readonly<Record<string, Recipe>> = {}, rankDefault: RankDefault = 'refuse'): Record<string, Recipe> {
  const options: Record<string, Recipe> = { kernel: perAxis(c.axes.map((a) => a.kernel), c.numbers) };
  // stride defaults to the kernel: left out where it equals it, unless the case spells it.
  if (c.strideGiven || c.axes.some((a) => a.stride !== a.kernel)) options['stride'] = perAxis(c.axes.map((a) => a.stride), c.numbers);
  if (c.dilationGiven || c.axes.some((a) => a.dilation !== 1)) options['dilation'] = perAxis(c.axes.map((a) => a.dilation), c.numbers);
  const padding = paddingRecipe(c);
  if (padding !== undefined) options['padding'] = padding;
  if (c.ceil) options['ceilMode'] = true;
  if (c.frame.layout === 'channels-last') options['layout'] = 'channels-last';
  const needed = needsSpatialDims(c.frame, c.axes.length, givesRank(options), c.omitRank, rankDefault);
  if (needed || (c.spatialDimsGiven && !omitsRank(c.frame, c.axes.length, givesRank(options), c.omitRank, rankDefault))) options['spatialDims'] = c.axes.length;
  if (c.backend !== undefined) options['backend'] = c.backend;
  if (c.threads !== undefined) options['threads'] = c.threads;
  return { ...options, ...extra };
}

/**
 * Whether options that do not otherwise give the rank must carry spatialDims: an unbatched input
 * (read as batched without it) and a rank-3 one (refused without it), unless `omit` leaves a
 * rank-3 call without, where that is refused or (tfjs entry) read as the batch it is.
 */
export function needsSpatialDims(frame: Frame, spatialRank: number, ranked: boolean, omit: boolean, rankDefault: RankDefault = 'refuse'): boolean {
  if (ranked || omitsRank(frame, spatialRank, ranked, omit, rankDefault)) return false;
  const inputRank = spatialRank + (frame.batched ? 2 : 1);
  return !frame.batched || inputRank <= 3;
}

/** Whether a case leaves out what would give its rank (then spatialDims is not spelled either). */
export function omitsRank(frame: Frame, spatialRank: number, ranked: boolean, omit: boolean, rankDefault: RankDefault = 'refuse'): boolean {
  const inputRank = spatialRank + (frame.batched ? 2 : 1);
  return !ranked && omit && inputRank === 3 && (rankDefault === 'refuse' || frame.batched);
}

/**
 * The geometry the options above describe, with strides as given (stride defaults to the kernel),
 * or INVALID_RANK where the options leave a rank-3 input ambiguous (see rankRefused).
 */
export function windowVerdict(c: WindowCase, rules: { limitPadding: boolean; startInside: boolean }, rankDefault: RankDefault = 'refuse'): Verdict {
  if (rankDefault === 'refuse' && rankRefused(inputShapeOf(c), windowOptions(c))) return { error: 'INVALID_RANK' };
  return slidingVerdict(
    {
      sizes: sizesOf(c),
      kernel: c.axes.map((a) => a.kernel),
      stride: c.axes.map((a) => a.stride),
      dilation: c.axes.map((a) => a.dilation),
      padding: paddingOf(c),
      ceil: c.ceil,
    },
    rules,
  );
}

export const LIBRARY_RULES = { limitPadding: true, startInside: true };

export const COMMON_RULES: Readonly<Record<string, Rule>> = {
  layout: 'enum:channels-first|channels-last',
  spatialDims: 'int1',
  backend: 'enum:auto|js|wasm|reference',
  threads: 'int1',
};

export const WINDOW_RULES: Readonly<Record<string, Rule>> = {
  ...COMMON_RULES,
  kernel: 'int1!',
  stride: 'int1',
  padding: 'pad',
  dilation: 'int1',
  ceilMode: 'bool',
};

/** An Int32Array of `length` indices in [0, bound). */
export function indexData(length: number, bound: number, seed: number, type: 'Int32Array' | 'BigInt64Array' = 'Int32Array'): Recipe {
  return special('typed', { type, length, seed, range: [0, bound] });
}
