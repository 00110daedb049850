/**
 * Doors around the ops: plans and their explanations, backends, WebAssembly and shared tensors,
 * workers, start-up, and the small arithmetic helpers the library exports.
 */
import fc from 'fast-check';
import {
  doorAt,
  dtypeArb,
  floatType,
  inputShapeOf,
  LIBRARY_RULES,
  seedArb,
  windowCaseArb,
  windowOptions,
  windowVerdict,
  type Call,
  type Door,
  type WindowCase,
} from './calls.js';
import { effective, product, shapeOf } from './oracle.js';
import { special, tensorRecipe, typed, type Recipe } from './recipe.js';

/** A valid window case and its plan (the library's planAvgPool / planMaxPool / planLpPool). */
interface PlannedCase {
  readonly c: WindowCase;
  readonly maker: 'avg' | 'max' | 'lp';
  readonly plan: Recipe;
  readonly outSpatial: readonly number[];
  readonly outputShape: readonly number[];
}

const PLAN_OPS = ['avgPool', 'maxPool', 'lpPool'];

function plannedArb(maxRank: number): fc.Arbitrary<PlannedCase> {
  return fc
    .tuple(windowCaseArb({ dilation: true, maxRank }), fc.constantFrom<PlannedCase['maker']>('avg', 'max', 'lp'))
    // Only plans that exist: a rank-3 shape keeps what gives its rank.
    .map(([c0, maker]) => {
      const c = { ...c0, omitRank: false };
      return { c, maker, verdict: windowVerdict(c, LIBRARY_RULES) };
    })
    .filter((x) => 'out' in x.verdict)
    .map(({ c, maker, verdict }) => {
      const outSpatial = (verdict as { out: number[] }).out;
      const options = windowOptions({ ...c, backend: undefined, threads: undefined });
      return { c, maker, plan: special('plan', { maker, shape: inputShapeOf(c), options }), outSpatial, outputShape: shapeOf(c.frame, outSpatial) };
    });
}

/** explainPlan's and explainWindow's optional limits: absent, or small enough to cut something. */
const listLimitsArb = fc.option(
  fc.record({ maxWindows: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), maxTaps: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }).map((o) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { maxWindows?: number; maxTaps?: number },
  ),
  { nil: undefined },
);

/** The README's defaults: 1024 windows per axis, 1024 taps per window. */
const DEFAULT_LISTED = 1024;

const EXPLAIN_RULES = { maxWindows: 'int0', maxTaps: 'int0' };

const explainPlanDoor: Door = {
  ...doorAt('explainPlan', ['explainPlan']),
  valid: fc.tuple(plannedArb(4), listLimitsArb).map(([p, limits]): Call => ({
    args: limits === undefined ? [p.plan] : [p.plan, limits],
    expect: {
      k: 'explanation',
      outputShape: p.outputShape,
      axes: p.c.axes.length,
      out: p.outSpatial,
      kernel: p.c.axes.map((a) => a.kernel),
      maxWindows: limits?.maxWindows ?? DEFAULT_LISTED,
      maxTaps: limits?.maxTaps ?? DEFAULT_LISTED,
    },
  })),
  // A plan of 2**22 one-tap windows, and one of 2**20-tap windows: each explanation lists what fits.
  bombs: [
    {
      args: [special('plan', { maker: 'avg', shape: [1, 1, 2 ** 22], options: { kernel: 1, spatialDims: 1 } })],
      expect: { k: 'explanation', outputShape: [1, 1, 2 ** 22], axes: 1, out: [2 ** 22], kernel: [1], maxWindows: DEFAULT_LISTED, maxTaps: DEFAULT_LISTED },
    },
    {
      args: [special('plan', { maker: 'avg', shape: [1, 1, 2 ** 12, 2 ** 12], options: { kernel: 2 ** 10, stride: 1, padding: 'same' } }), { maxWindows: 2 ** 20 }],
      expect: { k: 'explanation', outputShape: [1, 1, 2 ** 12, 2 ** 12], axes: 2, out: [2 ** 12, 2 ** 12], kernel: [2 ** 10, 2 ** 10], maxWindows: 2 ** 20, maxTaps: DEFAULT_LISTED },
    },
  ],
  options: [{ arg: 1, keys: EXPLAIN_RULES, strict: true, optional: true }],
  pure: true,
};

const explainWindowDoor: Door = {
  ...doorAt('explainWindow', ['explainWindow']),
  valid: fc.tuple(plannedArb(4), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), listLimitsArb).map(([p, picks, limits]): Call => {
    const args: Recipe[] = [p.plan, p.outSpatial.map((o, a) => picks[a]! % o)];
    if (limits?.maxTaps !== undefined) args.push({ maxTaps: limits.maxTaps });
    return { args, expect: { k: 'window', axes: p.c.axes.length, kernel: p.c.axes.map((a) => a.kernel), maxTaps: limits?.maxTaps ?? DEFAULT_LISTED } };
  }),
  bombs: [{
    args: [special('plan', { maker: 'avg', shape: [1, 1, 1, 1, 1, 1], options: { kernel: 2 ** 20, padding: 'same' } }), [0, 0, 0, 0]],
    expect: { k: 'window', axes: 4, kernel: [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20], maxTaps: DEFAULT_LISTED },
  }],
  options: [{ arg: 2, keys: EXPLAIN_RULES, strict: true, optional: true }],
};

/** The README: at most 65,536 bands (SIZE_TOO_LARGE past that). */
const MAX_BANDS = 65_536;

const planRowBandsDoor: Door = {
  ...doorAt('planRowBands', ['planRowBands']),
  // rowsPerBand: a number >= 1, fractions floored, Infinity for one band.
  valid: fc.tuple(plannedArb(3), fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(1.5, 2.75, Infinity))).map(([p, rows]): Call => ({
    args: [p.plan, rows],
    expect: { k: 'bands', out: p.outSpatial[0]!, rows },
  })),
  positional: { 1: 'num1' },
  bombs: [
    { args: [special('plan', { maker: 'avg', shape: [1, 1, 2 ** 20], options: { kernel: 1, spatialDims: 1 } }), 1], expect: { k: 'error', codes: ['SIZE_TOO_LARGE'] } },
    { args: [special('plan', { maker: 'avg', shape: [1, 1, 2 ** 20], options: { kernel: 1, spatialDims: 1 } }), 2 ** 20 / MAX_BANDS], expect: { k: 'bands', out: 2 ** 20, rows: 2 ** 20 / MAX_BANDS } },
  ],
};

const selectBackendDoor: Door = {
  ...doorAt('selectBackend', ['selectBackend', ...PLAN_OPS]),
    valid: fc.tuple(plannedArb(4), fc.constantFrom(undefined, 'auto', 'js', 'wasm', 'reference')).map(([p, choice]): Call => {
    const args: Recipe[] = choice === undefined ? [p.plan] : [p.plan, choice];
    if ((choice === 'js' || choice === 'wasm') && p.c.axes.length > 3) return { args, expect: { k: 'error', codes: ['UNSUPPORTED_OPTION'] } };
    return { args, expect: choice === undefined || choice === 'auto' ? { k: 'backend' } : { k: 'backend', name: choice } };
  }),
};

const POOL_INTO_PLAN = special('plan', { maker: 'avg', shape: [1, 1, 4, 4], options: { kernel: 2 } });

const poolIntoDoor: Door = {
  ...doorAt('poolInto', ['poolInto']),
    valid: fc
    .tuple(plannedArb(3), fc.boolean(), fc.boolean(), fc.constantFrom('none', 'object', 'boolean'), fc.boolean(), fc.constantFrom(undefined, 1, 2))
    .map(([p, wasmIn, wasmOut, form, withIndices, threads]): Call => {
      const x = tensorRecipe(inputShapeOf(p.c), p.c.dtype, p.c.seed);
      const out = tensorRecipe(p.outputShape, p.c.dtype, 1);
      const args: Recipe[] = [p.plan, wasmIn ? special('wasmTensor', { of: x }) : x, wasmOut ? special('wasmTensor', { of: out }) : out];
      if (form === 'object') args.push(threads === undefined ? { withIndices } : { withIndices, threads });
      if (form === 'boolean') args.push(withIndices);
      const indices = form !== 'none' && withIndices && p.maker === 'max';
      return { args, expect: { k: 'poolInto', indices } };
    }),
  // README: out may not overlap x, nor be a view of WebAssembly memory outside every WasmTensor.
  bombs: [
    { args: [POOL_INTO_PLAN, tensorRecipe([1, 1, 4, 4], 'float32', 3), special('aliasView', { arg: 1, byteOffset: 0, shape: [1, 1, 2, 2] })], expect: { k: 'error', codes: ['INVALID_PARAMETER'] } },
    { args: [POOL_INTO_PLAN, tensorRecipe([1, 1, 4, 4], 'float32', 3), special('aliasView', { arg: 1, byteOffset: 32, shape: [1, 1, 2, 2] })], expect: { k: 'error', codes: ['INVALID_PARAMETER'] } },
    {
      args: [POOL_INTO_PLAN, special('wasmTensor', { of: tensorRecipe([1, 1, 4, 4], 'float32', 3) }), special('aliasView', { arg: 1, byteOffset: 16, shape: [1, 1, 2, 2] })],
      expect: { k: 'error', codes: ['INVALID_PARAMETER'] },
    },
    { args: [POOL_INTO_PLAN, tensorRecipe([1, 1, 4, 4], 'float32', 3), special('strayWasmView', { shape: [1, 1, 2, 2] })], expect: { k: 'error', codes: ['INVALID_PARAMETER'] } },
  ],
  options: [{ arg: 3, keys: { withIndices: 'bool', threads: 'int1' }, strict: true, optional: true }],
  tensors: [1, 2],
  mutates: [2],
};

/** The plan the first run inside a callback would execute, without running it; undefined where none runs. */
const planOfCallDoor: Door = {
  ...doorAt('planOfCall', ['planOfCall']),
  valid: fc.constantFrom<Call>(
    { args: [special('callback', { body: 'avgPool' })], expect: { k: 'plan', inputShape: [1, 1, 4, 4], outputShape: [1, 1, 2, 2] } },
    { args: [special('callback', { body: 'nested' })], expect: { k: 'plan', inputShape: [1, 1, 4, 4], outputShape: [1, 1, 2, 2] } },
    { args: [special('callback', { body: 'torchCeil' })], expect: { k: 'plan', inputShape: [1, 1, 4, 4], outputShape: [1, 1, 2, 2] } },
    { args: [special('callback', { body: 'nothing' })], expect: { k: 'undefined' } },
    { args: [special('callback', { body: 'maxUnpool' })], expect: { k: 'undefined' } },
  ),
  weight: 0.5,
};

/**
 * setMaxBytes returns the previous limit (the default 2 GiB: the call host restores the limit after
 * every call) and refuses anything but a positive safe integer.
 */
const setMaxBytesDoor: Door = {
  ...doorAt('setMaxBytes', ['setMaxBytes']),
  valid: fc.oneof(fc.integer({ min: 2 ** 16, max: 2 ** 40 }), fc.constantFrom(2 ** 31, Number.MAX_SAFE_INTEGER)).map((bytes): Call => ({ args: [bytes], expect: { k: 'equal', value: 2 ** 31 } })),
  positional: { 0: 'safe1' },
  pure: false,
  weight: 0.3,
};

const getMaxBytesDoor: Door = {
  ...doorAt('getMaxBytes', ['getMaxBytes']),
  valid: fc.constant<Call>({ args: [], expect: { k: 'equal', value: 2 ** 31 } }),
  weight: 0.3,
};

const observeRunsDoor: Door = {
  ...doorAt('observeRuns', ['observeRuns']),
    valid: fc.constantFrom<Call>(
    { args: [special('callback', { body: 'avgPool' })], expect: { k: 'observed', runs: 1 } },
    { args: [special('callback', { body: 'nothing' })], expect: { k: 'observed', runs: 0 } },
    { args: [special('callback', { body: 'nested' })], expect: { k: 'observed', runs: 1 } },
  ),
};

// ---------------------------------------------------------------------------------------------
// Backends, start-up, workers.

const registerBackendDoor: Door = {
  ...doorAt('registerBackend', ['registerBackend']),
    // A backend that supports nothing: registering it must leave every result as it was.
  valid: seedArb.map((n): Call => ({
    args: [{ name: `fuzz-${n}`, supports: special('fn', { returns: false }), forward: special('fn', { returns: null }), backward: special('fn', { returns: null }) }],
    expect: { k: 'undefined' },
  })),
  isolated: true,
  pure: false,
  weight: 0.3,
};

const backendNamesDoor: Door = {
  ...doorAt('backendNames', ['backendNames']),
    // 'wasm' joins once init() has loaded it: a fresh call host may not have called it yet.
    valid: fc.constant<Call>({ args: [], expect: { k: 'strings', includes: ['js', 'reference'] } }),
  weight: 0.3,
};

const initDoor: Door = {
  ...doorAt('init', ['init']),
    valid: fc.constant<Call>({ args: [], expect: { k: 'init' } }),
  pure: false,
  weight: 0.3,
};

const addStartupTaskDoor: Door = {
  ...doorAt('addStartupTask', ['addStartupTask', 'init']),
  form: 'taskThenInit',
    valid: fc.constant<Call>({ args: [special('callback', { body: 'resolves' })], expect: { k: 'init' } }),
  isolated: true,
  pure: false,
  weight: 0.3,
};

const startWorkersDoor: Door = {
  ...doorAt('startWorkers', ['startWorkers']),
    valid: fc.integer({ min: 1, max: 3 }).map((n): Call => ({ args: [n], expect: { k: 'count' } })),
  bombs: [{ args: [1e6], expect: { k: 'error', codes: ['INVALID_PARAMETER'] } }, { args: [1.5], expect: { k: 'error', codes: ['INVALID_PARAMETER'] } }],
  pure: false,
  timeScale: 4,
  weight: 0.5,
};

const wasmMemoryUseDoor: Door = {
  ...doorAt('wasmMemoryUse', ['wasmMemoryUse']),
  valid: fc.constantFrom<Call>(
    { args: [], expect: { k: 'memoryUse' } },
    { args: [{ resetPeak: true }], expect: { k: 'memoryUse' } },
    { args: [{ resetPeak: false }], expect: { k: 'memoryUse' } },
  ),
  pure: false,
  weight: 0.3,
};

const workersUnavailableDoor: Door = {
  ...doorAt('workersUnavailable', ['workersUnavailable']),
    valid: fc.constant<Call>({ args: [], expect: { k: 'optionalString' } }),
  pure: false,
  weight: 0.3,
};

// ---------------------------------------------------------------------------------------------
// Tensors in shared and WebAssembly memory.

const smallShapeArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 });

const allocSharedTensorDoor: Door = {
  ...doorAt('allocSharedTensor', ['allocSharedTensor']),
    valid: fc.tuple(smallShapeArb, fc.constantFrom(undefined, 'float32', 'float64')).map(([shape, dtype]): Call => ({
    args: dtype === undefined ? [shape] : [shape, dtype],
    expect: { k: 'tensor', shape, type: dtype === 'float64' ? 'Float64Array' : 'Float32Array' },
  })),
  pure: false,
};

const toSharedTensorDoor: Door = {
  ...doorAt('toSharedTensor', ['toSharedTensor']),
    valid: fc.tuple(smallShapeArb, dtypeArb, seedArb).map(([shape, dtype, seed]): Call => ({ args: [tensorRecipe(shape, dtype, seed)], expect: { k: 'tensor', shape, type: floatType(dtype) } })),
  tensors: [0],
};

const allocWasmTensorDoor: Door = {
  ...doorAt('allocWasmTensor', ['allocWasmTensor']),
    valid: fc.tuple(smallShapeArb, fc.constantFrom(undefined, 'float32', 'float64')).map(([shape, dtype]): Call => ({
    args: dtype === undefined ? [shape] : [shape, dtype],
    expect: { k: 'wasmTensor', shape, type: dtype === 'float64' ? 'Float64Array' : 'Float32Array' },
  })),
  pure: false,
};

const toWasmTensorDoor: Door = {
  ...doorAt('toWasmTensor', ['toWasmTensor']),
    valid: fc.tuple(smallShapeArb, dtypeArb, seedArb).map(([shape, dtype, seed]): Call => ({ args: [tensorRecipe(shape, dtype, seed)], expect: { k: 'wasmTensor', shape, type: floatType(dtype) } })),
  tensors: [0],
  pure: false,
};

const reserveWasmMemoryDoor: Door = {
  ...doorAt('reserveWasmMemory', ['reserveWasmMemory']),
    valid: fc.integer({ min: 0, max: 2 ** 20 }).map((bytes): Call => ({ args: [bytes], expect: { k: 'undefined' } })),
  pure: false,
  weight: 0.5,
};

/** Only allocWasmTensor and toWasmTensor make WasmTensors: `new WasmTensor(...)` is refused, whatever it is given. */
const wasmTensorDoor: Door = {
  ...doorAt('WasmTensor', ['WasmTensor']),
  form: 'construct',
  valid: fc.tuple(smallShapeArb, dtypeArb).map(([shape, dtype]): Call => {
    const length = product(shape);
    return {
      args: [shape, dtype, special('wasmAddress', { bytes: length * (dtype === 'float64' ? 8 : 4) }), length, special('wasmHeap')],
      expect: { k: 'error', codes: ['INVALID_PARAMETER'] },
    };
  }),
  refusesAll: true,
  pure: false,
  weight: 0.5,
};

// ---------------------------------------------------------------------------------------------
// Small exported helpers and the error class.

const tensorDoor: Door = {
  ...doorAt('tensor', ['tensor']),
    valid: fc.tuple(smallShapeArb, dtypeArb, seedArb).map(([shape, dtype, seed]): Call => ({
    args: [shape, typed(dtype === 'float64' ? 'Float64Array' : 'Float32Array', product(shape), seed)],
    expect: { k: 'tensor', shape, type: floatType(dtype) },
  })),
};

const dtypeOfDoor: Door = {
  ...doorAt('dtypeOf', ['dtypeOf']),
    valid: fc.tuple(dtypeArb, fc.integer({ min: 0, max: 8 })).map(([dtype, length]): Call => ({
    args: [typed(dtype === 'float64' ? 'Float64Array' : 'Float32Array', length)],
    expect: { k: 'equal', value: dtype },
  })),
  weight: 0.5,
};

type Rounding = 'floor' | 'ceil' | 'round' | 'trunc';

/** The docstring's rule in src/plan/output-size.ts, written again. */
function outputSizeRule(g: { size: number; kernel: number; stride: number; dilation: number; padBegin: number; padEnd: number }, rounding: Rounding, inside: boolean): number {
  const span = g.size + g.padBegin + g.padEnd - effective(g.kernel, g.dilation);
  const q = span / g.stride;
  let out = rounding === 'floor' ? Math.floor(q) + 1 : rounding === 'ceil' ? Math.ceil(q) + 1 : rounding === 'round' ? Math.round(q + 1) : Math.trunc(q + 1);
  if (inside && rounding === 'ceil' && out > 1 && (out - 1) * g.stride >= g.size + g.padBegin) out -= 1;
  return out;
}

const slidingOutputSizeDoor: Door = {
  ...doorAt('slidingOutputSize', ['slidingOutputSize']),
    valid: fc
    .tuple(
      fc.record({
        size: fc.integer({ min: 1, max: 50 }),
        kernel: fc.integer({ min: 1, max: 5 }),
        stride: fc.integer({ min: 1, max: 4 }),
        dilation: fc.integer({ min: 1, max: 3 }),
        padBegin: fc.integer({ min: 0, max: 3 }),
        padEnd: fc.integer({ min: 0, max: 3 }),
      }),
      fc.constantFrom<Rounding>('floor', 'ceil', 'round', 'trunc'),
      fc.boolean(),
    )
    .map(([g, rounding, inside]): Call => ({ args: [g, rounding, inside], expect: { k: 'equal', value: outputSizeRule(g, rounding, inside) } })),
  // The geometry is read like an options object, and needs all six fields.
  options: [{ arg: 0, keys: { size: 'int0!', kernel: 'int1!', stride: 'int1!', dilation: 'int1!', padBegin: 'int0!', padEnd: 'int0!' }, strict: true, optional: false }],
  positional: { 1: 'enum:floor|ceil|round|trunc', 2: 'bool' },
  weight: 0.5,
};

const samePaddingDoor: Door = {
  ...doorAt('samePadding', ['samePadding']),
    valid: fc
    .tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom<'end' | 'begin'>('end', 'begin'))
    .map(([size, keff, stride, extraAt]): Call => {
      const out = Math.ceil(size / stride);
      const total = Math.max(0, (out - 1) * stride + keff - size);
      const small = Math.floor(total / 2);
      return { args: [size, keff, stride, extraAt], expect: { k: 'equal', value: extraAt === 'end' ? [small, total - small] : [total - small, small] } };
    }),
  positional: { 0: 'int0', 1: 'int1', 2: 'int1', 3: 'enum:end|begin' },
  weight: 0.5,
};

const effectiveKernelDoor: Door = {
  ...doorAt('effectiveKernel', ['effectiveKernel']),
    valid: fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 })).map(([k, d]): Call => ({ args: [k, d], expect: { k: 'equal', value: d * (k - 1) + 1 } })),
  positional: { 0: 'int1', 1: 'int1' },
  weight: 0.5,
};

/** Exact floor and ceil of i * size / out for sizes far past 2**53 products. */
function adaptiveDoor(name: 'adaptiveStart' | 'adaptiveEnd'): Door {
  return {
    ...doorAt(name, [name]),
    valid: fc
      .tuple(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 2 ** 45 })), fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 2 ** 40 })), fc.nat())
      .map(([size, out, pick]): Call => {
        const i = pick % out;
        const numerator = BigInt(name === 'adaptiveStart' ? i : i + 1) * BigInt(size);
        const value = name === 'adaptiveStart' ? numerator / BigInt(out) : (numerator + BigInt(out) - 1n) / BigInt(out);
        return { args: [i, size, out], expect: { k: 'equal', value: Number(value) } };
      }),
    positional: { 0: 'int0', 1: 'int1', 2: 'int1' },
    weight: 0.5,
  };
}

const CODES = ['INVALID_RANK', 'DATA_LENGTH_MISMATCH', 'UNSUPPORTED_DTYPE', 'INVALID_PARAMETER', 'PAD_TOO_LARGE', 'OUTPUT_EMPTY', 'SIZE_TOO_LARGE'];

const poolingErrorDoor: Door = {
  ...doorAt('PoolingError', []),
  form: 'construct',
    valid: fc.tuple(fc.constantFrom(...CODES), fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })).map(([code, op, message]): Call => ({
    args: [code, op, message],
    expect: { k: 'poolingError', code, message: `${op}: ${message}` },
  })),
  weight: 0.3,
};

export const MISC_DOORS: readonly Door[] = [
  explainPlanDoor,
  explainWindowDoor,
  planRowBandsDoor,
  selectBackendDoor,
  poolIntoDoor,
  observeRunsDoor,
  planOfCallDoor,
  setMaxBytesDoor,
  getMaxBytesDoor,
  registerBackendDoor,
  backendNamesDoor,
  initDoor,
  addStartupTaskDoor,
  startWorkersDoor,
  workersUnavailableDoor,
  wasmMemoryUseDoor,
  allocSharedTensorDoor,
  toSharedTensorDoor,
  allocWasmTensorDoor,
  toWasmTensorDoor,
  reserveWasmMemoryDoor,
  wasmTensorDoor,
  tensorDoor,
  dtypeOfDoor,
  slidingOutputSizeDoor,
  samePaddingDoor,
  effectiveKernelDoor,
  adaptiveDoor('adaptiveStart'),
  adaptiveDoor('adaptiveEnd'),
  poolingErrorDoor,
];
