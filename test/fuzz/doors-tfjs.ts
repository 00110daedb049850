/**
 * Doors of the tensor-pooling/tfjs entry: differentiable ops on TF.js tensors, layer factories and
 * layer classes (called as `factory(args).apply(x)` and `new Class(args).apply(x)`), and
 * outputShapeWithUnknowns. TF.js tensors are float32 and channels-last by default here.
 */
import fc from 'fast-check';
import {
  COMMON_RULES,
  doorAt,
  frameArb,
  inputShapeOf,
  LIBRARY_RULES,
  seedArb,
  WINDOW_RULES,
  windowCaseArb,
  windowOptions,
  windowVerdict,
  type Call,
  type Door,
  type WindowCase,
} from './calls.js';
import { product, shapeOf, type Frame } from './oracle.js';
import { special, type Recipe } from './recipe.js';

function tfTensor(shape: readonly number[], seed: number): Recipe {
  return special('tfTensor', { shape: [...shape], seed, dtype: 'float32' });
}

/** The entry's default layout is channels-last: say channels-first where the frame has it. */
function tfLayout(options: Record<string, Recipe>, frame: Frame, explicit: boolean): Record<string, Recipe> {
  const copy = { ...options };
  delete copy['layout'];
  if (frame.layout === 'channels-first') copy['layout'] = 'channels-first';
  else if (explicit) copy['layout'] = 'channels-last';
  return copy;
}

const windowArb = fc.tuple(windowCaseArb({ dilation: true, maxRank: 3 }), fc.boolean(), fc.constantFrom(undefined, true, false));

function windowCall(c: WindowCase, explicit: boolean, includePad: boolean | undefined, avg: boolean): { options: Record<string, Recipe>; shape: number[] | undefined; error: string | undefined } {
  const c32 = { ...c, dtype: 'float32' as const };
  const extra: Record<string, Recipe> = avg && includePad !== undefined ? { countIncludePad: includePad } : {};
  // This entry reads a rank-3 tensor whose options do not give the rank as a batch (N, W, C).
  const verdict = windowVerdict(c32, LIBRARY_RULES, 'batched');
  return {
    options: tfLayout(windowOptions(c32, extra, 'batched'), c.frame, explicit),
    shape: 'out' in verdict ? shapeOf(c.frame, verdict.out) : undefined,
    error: 'error' in verdict ? verdict.error : undefined,
  };
}

function expectOf(shape: number[] | undefined, error: string | undefined): Call['expect'] {
  return error !== undefined ? { k: 'error', codes: [error] } : { k: 'tf', shape: shape! };
}

function windowOpDoor(name: 'avgPool' | 'maxPool'): Door {
  return {
    ...doorAt(`tfjs/${name}`, [name]),
        valid: windowArb.map(([c, explicit, includePad]): Call => {
      const { options, shape, error } = windowCall(c, explicit, includePad, name === 'avgPool');
      return { args: [tfTensor(inputShapeOf(c), c.seed), options], expect: expectOf(shape, error) };
    }),
    options: [{ arg: 1, keys: name === 'avgPool' ? { ...WINDOW_RULES, countIncludePad: 'bool' } : WINDOW_RULES, strict: true, optional: false }],
  };
}

interface GlobalTfCase {
  readonly frame: Frame;
  readonly sizes: readonly number[];
  readonly keepDims: boolean | undefined;
  readonly explicit: boolean;
  readonly seed: number;
}

const globalArb: fc.Arbitrary<GlobalTfCase> = fc.integer({ min: 1, max: 3 }).chain((rank) =>
  fc.record({
    frame: frameArb({ unbatched: false, layouts: ['channels-first', 'channels-last'] }),
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }),
    keepDims: fc.constantFrom(undefined, true, false),
    explicit: fc.boolean(),
    seed: seedArb,
  }),
);

function globalShape(c: GlobalTfCase): number[] {
  return c.keepDims ? shapeOf(c.frame, c.sizes.map(() => 1)) : [c.frame.batch, c.frame.channels];
}

function globalOptions(c: GlobalTfCase): Record<string, Recipe> {
  const options: Record<string, Recipe> = c.keepDims === undefined ? {} : { keepDims: c.keepDims };
  return tfLayout(options, c.frame, c.explicit);
}

function globalOpDoor(name: 'globalAvgPool' | 'globalMaxPool'): Door {
  return {
    ...doorAt(`tfjs/${name}`, [name]),
        valid: globalArb.map((c): Call => {
      const options = globalOptions(c);
      const x = tfTensor(shapeOf(c.frame, c.sizes), c.seed);
      return { args: Object.keys(options).length === 0 && c.seed % 2 ? [x] : [x, options], expect: { k: 'tf', shape: globalShape(c) } };
    }),
    options: [{ arg: 1, keys: { ...COMMON_RULES, keepDims: 'bool' }, strict: true, optional: true }],
  };
}

const adaptiveArb = globalArb.chain((c) =>
  fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null, freq: 5 }), { minLength: c.sizes.length, maxLength: c.sizes.length }).map((outputSize) => ({ c, outputSize })),
);

function adaptiveOpDoor(name: 'adaptiveAvgPool' | 'adaptiveMaxPool'): Door {
  return {
    ...doorAt(`tfjs/${name}`, [name]),
        valid: adaptiveArb.map(({ c, outputSize }): Call => ({
      args: [tfTensor(shapeOf(c.frame, c.sizes), c.seed), tfLayout({ outputSize }, c.frame, c.explicit)],
      expect: { k: 'tf', shape: shapeOf(c.frame, c.sizes.map((s, a) => outputSize[a] ?? s)) },
    })),
    options: [{ arg: 1, keys: { ...COMMON_RULES, outputSize: 'int1null!' }, strict: true, optional: false }],
  };
}

const maskedOpDoor: Door = {
  ...doorAt('tfjs/maskedGlobalAvgPool', ['maskedGlobalAvgPool']),
    valid: fc.tuple(globalArb, fc.constantFrom('tf', 'core', 'lengths'), fc.array(fc.nat(), { minLength: 6, maxLength: 6 })).map(([c, form, picks]): Call => {
    const options = globalOptions(c);
    const maskShape = [c.frame.batch, ...c.sizes];
    if (form === 'lengths') options['validLengths'] = Array.from({ length: c.frame.batch }, (_, n) => c.sizes.map((s, a) => picks[(n * 3 + a) % 6]! % (s + 1)));
    if (form === 'tf') options['mask'] = special('tfTensor', { shape: maskShape, seed: c.seed, dtype: 'bool' });
    if (form === 'core') options['mask'] = { shape: maskShape, data: special('typed', { type: 'Uint8Array', length: product(maskShape), seed: c.seed, range: [0, 2] }) };
    return { args: [tfTensor(shapeOf(c.frame, c.sizes), c.seed), options], expect: { k: 'tf', shape: globalShape(c) } };
  }),
  options: [{ arg: 1, keys: { ...COMMON_RULES, keepDims: 'bool' }, strict: true, optional: false }],
};

// ---------------------------------------------------------------------------------------------
// Layers: factories and classes, applied to a tensor.

type LayerKind = 'avg' | 'max' | 'globalAvg' | 'globalMax' | 'adaptive' | 'masked';

function layerCalls(kind: LayerKind): fc.Arbitrary<Call> {
  if (kind === 'avg' || kind === 'max') {
    return windowArb.map(([c, explicit, includePad]): Call => {
      const { options, shape, error } = windowCall(c, explicit, includePad, kind === 'avg');
      return { args: [options, tfTensor(inputShapeOf(c), c.seed)], expect: expectOf(shape, error) };
    });
  }
  if (kind === 'adaptive') {
    return adaptiveArb.map(({ c, outputSize }): Call => ({
      args: [tfLayout({ outputSize }, c.frame, c.explicit), tfTensor(shapeOf(c.frame, c.sizes), c.seed)],
      expect: { k: 'tf', shape: shapeOf(c.frame, c.sizes.map((s, a) => outputSize[a] ?? s)) },
    }));
  }
  return globalArb.map((c): Call => ({ args: [globalOptions(c), tfTensor(shapeOf(c.frame, c.sizes), c.seed)], expect: { k: 'tf', shape: globalShape(c) } }));
}

const LAYER_RULES: Record<LayerKind, Record<string, string>> = {
  avg: { ...WINDOW_RULES, countIncludePad: 'bool' },
  max: WINDOW_RULES,
  globalAvg: { ...COMMON_RULES, keepDims: 'bool' },
  globalMax: { ...COMMON_RULES, keepDims: 'bool' },
  adaptive: { ...COMMON_RULES, outputSize: 'int1null!' },
  masked: { ...COMMON_RULES, keepDims: 'bool' },
};

const LAYER_OPS: Record<LayerKind, readonly string[]> = {
  avg: ['avgPool'],
  max: ['maxPool'],
  globalAvg: ['globalAvgPool', 'poolOutputShape'],
  globalMax: ['globalMaxPool', 'poolOutputShape'],
  adaptive: ['adaptiveAvgPool', 'poolOutputShape'],
  masked: ['globalAvgPool', 'maskedGlobalAvgPool', 'poolOutputShape'],
};

/** The layer class each kind builds: its constructor checks the args and names itself. */
const LAYER_CLASS: Record<LayerKind, string> = {
  avg: 'AvgPool',
  max: 'MaxPool',
  globalAvg: 'GlobalAvgPool',
  globalMax: 'GlobalMaxPool',
  adaptive: 'AdaptiveAvgPool',
  masked: 'MaskedGlobalAvgPool',
};

function layerDoor(name: string, kind: LayerKind, form: 'layerFactory' | 'layerClass'): Door {
  return {
    // Layers check their args when built (the class's name, as TF.js's own layers do), and their
    // options when they plan: in computeOutputShape (planAvgPool's op name) or when applied.
    ...doorAt(`tfjs/${name}`, [LAYER_CLASS[kind], ...LAYER_OPS[kind], 'avgPool', 'maxPool']),
    form,
    valid: layerCalls(kind),
    // TF.js's own layer arguments (name, inputShape, ...) are TF.js's to check; the options are ours.
    options: [{ arg: 0, keys: LAYER_RULES[kind], strict: false, optional: kind !== 'avg' && kind !== 'max' && kind !== 'adaptive' }],
    fixedArgs: [1],
    pure: false,
  };
}

const outputShapeWithUnknownsDoor: Door = {
  ...doorAt('tfjs/outputShapeWithUnknowns', ['avgPool', 'poolOutputShape', 'outputShapeWithUnknowns']),
    valid: fc.tuple(windowCaseArb({ dilation: true, maxRank: 3 }), fc.boolean()).map(([c0, unknownBatch]): Call => {
    // A batched channels-last map; the batch may be unknown (null), which stays unknown.
    const c: WindowCase = { ...c0, frame: { ...c0.frame, batched: true, layout: 'channels-last' }, backend: undefined, threads: undefined };
    const verdict = windowVerdict(c, LIBRARY_RULES);
    const options = windowOptions(c);
    const inputShape: (number | null)[] = inputShapeOf(c);
    if (unknownBatch) inputShape[0] = null;
    const args: Recipe[] = [inputShape, options, special('callback', { body: 'poolOutputShape', options })];
    if ('error' in verdict) return { args, expect: { k: 'error', codes: [verdict.error] } };
    const out: (number | null)[] = shapeOf(c.frame, verdict.out);
    if (unknownBatch) out[0] = null;
    return { args, expect: { k: 'equal', value: out } };
  }),
};

export const TFJS_DOORS: readonly Door[] = [
  windowOpDoor('avgPool'),
  windowOpDoor('maxPool'),
  globalOpDoor('globalAvgPool'),
  globalOpDoor('globalMaxPool'),
  adaptiveOpDoor('adaptiveAvgPool'),
  adaptiveOpDoor('adaptiveMaxPool'),
  maskedOpDoor,
  layerDoor('avgPoolLayer', 'avg', 'layerFactory'),
  layerDoor('maxPoolLayer', 'max', 'layerFactory'),
  layerDoor('globalAvgPoolLayer', 'globalAvg', 'layerFactory'),
  layerDoor('globalMaxPoolLayer', 'globalMax', 'layerFactory'),
  layerDoor('adaptiveAvgPoolLayer', 'adaptive', 'layerFactory'),
  layerDoor('maskedGlobalAvgPoolLayer', 'masked', 'layerFactory'),
  layerDoor('AvgPool', 'avg', 'layerClass'),
  layerDoor('MaxPool', 'max', 'layerClass'),
  layerDoor('GlobalAvgPool', 'globalAvg', 'layerClass'),
  layerDoor('GlobalMaxPool', 'globalMax', 'layerClass'),
  layerDoor('AdaptiveAvgPool', 'adaptive', 'layerClass'),
  layerDoor('MaskedGlobalAvgPool', 'masked', 'layerClass'),
  outputShapeWithUnknownsDoor,
];
