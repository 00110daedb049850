import { init } from '../../src/index.js';
/**
 * Random pooling configurations for property tests: every option of the native API, spelled in
 * every way the API accepts (one number or one per axis, defaults left out, the four padding
 * forms), on small inputs of 1 to 3 spatial axes, both layouts, both dtypes, batched or not.
 * Every case is valid by construction; the error tests cover the invalid ones.
 */
import fc from 'fast-check';
import {
  backendNames,
  PoolingError,
  type AvgPoolOptions,
  type DType,
  type Layout,
  type LpPoolOptions,
  type PaddingOption,
  type Tensor,
} from '../../src/index.js';
import { frameOf, product, type Frame, type SlidingSpec } from './naive.js';
import { randomValues, VALUE_KINDS, type ValueKind } from './random.js';

// Every backend runs in these suites: the wasm one joins with init().
await init();

/** Where a tensor's shape comes from: spatial sizes, channels, batch, layout. */
export interface TensorCase {
  readonly spatial: readonly number[];
  readonly channels: number;
  /** 0 for an unbatched input (C, ...spatial). */
  readonly batch: number;
  readonly layout: Layout;
  /** Spell out layout even where it is the default (channels-last is always spelled). */
  readonly layoutSpelled: boolean;
  readonly dtype: DType;
  readonly values: ValueKind;
  readonly seed: number;
}

export function shapeOf(c: TensorCase): number[] {
  const rest = c.layout === 'channels-first' ? [c.channels, ...c.spatial] : [...c.spatial, c.channels];
  return c.batch === 0 ? rest : [c.batch, ...rest];
}

export function inputOf(c: TensorCase, seedOffset = 0): Tensor {
  const shape = shapeOf(c);
  return { shape, data: randomValues(c.seed + seedOffset, product(shape), c.values, c.dtype) };
}

export function frameOfCase(c: TensorCase): Frame {
  return frameOf(shapeOf(c), c.layout, c.spatial.length);
}

/**
 * Options every op shares: layout when spelled, spatialDims when nothing else gives the rank (an
 * unbatched input, or a rank-3 one, which reads as (N, C, W) or (C, H, W) alike).
 */
export function commonOptions(c: TensorCase, rankFromArrays: boolean): { layout?: Layout; spatialDims?: number } {
  const ambiguous = c.batch === 0 || shapeOf(c).length === 3;
  return {
    ...(c.layoutSpelled || c.layout === 'channels-last' ? { layout: c.layout } : {}),
    ...(ambiguous && !rankFromArrays ? { spatialDims: c.spatial.length } : {}),
  };
}

export function tensorCase(spatial: fc.Arbitrary<number[]>, options: { values?: readonly ValueKind[] } = {}): fc.Arbitrary<TensorCase> {
  return fc.record({
    spatial,
    channels: fc.integer({ min: 1, max: 3 }),
    batch: fc.integer({ min: 0, max: 2 }),
    layout: fc.constantFrom<Layout>('channels-first', 'channels-last'),
    layoutSpelled: fc.boolean(),
    dtype: fc.constantFrom<DType>('float32', 'float64'),
    values: fc.constantFrom(...(options.values ?? VALUE_KINDS)),
    seed: fc.integer(),
  });
}

/** Spatial sizes for 1 to 3 axes, small enough that the slow oracles stay fast. */
export function spatialSizes(maxByRank: readonly [number, number, number] = [12, 7, 5]): fc.Arbitrary<number[]> {
  return fc.integer({ min: 1, max: 3 }).chain((rank) =>
    fc.array(fc.integer({ min: 1, max: maxByRank[rank - 1]! }), { minLength: rank, maxLength: rank }),
  );
}

type PaddingForm = 'omitted' | 'number' | 'per-axis' | 'pairs' | 'valid' | 'same' | 'same-lower';
type Spelling = 'array' | 'number' | 'omitted';

export interface WindowCase extends TensorCase {
  readonly spec: SlidingSpec;
  readonly kernelSpelling: Exclude<Spelling, 'omitted'>;
  readonly strideSpelling: Spelling;
  readonly dilationSpelling: Spelling;
  readonly paddingForm: PaddingForm;
  readonly countIncludePad: boolean | undefined;
  readonly divisorOverride: number | undefined;
  readonly p: number | undefined;
}

const axisDraw = fc.record({
  kernel: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 3 }),
  dilation: fc.integer({ min: 1, max: 2 }),
  padBegin: fc.nat(),
  padEnd: fc.nat(),
  extra: fc.nat({ max: 4 }),
});
type AxisDraw = typeof axisDraw extends fc.Arbitrary<infer T> ? T : never;

/** One value for all axes when the spelling is 'number'; the default when it is 'omitted'. */
function spelled(values: readonly number[], spelling: Spelling, fallback: readonly number[]): number[] {
  if (spelling === 'number') return values.map(() => values[0]!);
  if (spelling === 'omitted') return [...fallback];
  return [...values];
}

/**
 * A valid sliding-window case: padding at most half the effective kernel, and an input long
 * enough that the padded input holds one window (larger by a random `extra`).
 */
export function windowCase(maxExtraByRank: readonly [number, number, number] = [6, 3, 2]): fc.Arbitrary<WindowCase> {
  return fc
    .integer({ min: 1, max: 3 })
    .chain((rank) =>
      fc.record({
        rank: fc.constant(rank),
        axes: fc.array(axisDraw, { minLength: rank, maxLength: rank }),
        kernelSpelling: fc.constantFrom<Exclude<Spelling, 'omitted'>>('array', 'number'),
        strideSpelling: fc.constantFrom<Spelling>('array', 'number', 'omitted'),
        dilationSpelling: fc.constantFrom<Spelling>('array', 'number', 'omitted'),
        paddingForm: fc.constantFrom<PaddingForm>('omitted', 'number', 'per-axis', 'pairs', 'valid', 'same', 'same-lower'),
        ceilMode: fc.boolean(),
        countIncludePad: fc.constantFrom(undefined, true, false),
        divisorOverride: fc.option(fc.constantFrom(1, 2, 3, 0.5, -2), { nil: undefined, freq: 5 }),
        p: fc.constantFrom(undefined, 1, 2, 3, 1.5),
        tensor: tensorCase(fc.constant([])),
      }),
    )
    .map((draw) => {
      const axes: readonly AxisDraw[] = draw.axes;
      const kernel = spelled(axes.map((a) => a.kernel), draw.kernelSpelling, []);
      const stride = spelled(axes.map((a) => a.stride), draw.strideSpelling, kernel);
      const dilation = spelled(axes.map((a) => a.dilation), draw.dilationSpelling, kernel.map(() => 1));
      const halfSpan = kernel.map((k, a) => Math.floor((dilation[a]! * (k - 1) + 1) / 2));
      const pairs = halfSpan.map((h, a) => [axes[a]!.padBegin % (h + 1), axes[a]!.padEnd % (h + 1)] as const);
      let padding: PaddingOption;
      switch (draw.paddingForm) {
        case 'omitted':
        case 'valid':
          padding = draw.paddingForm === 'valid' ? 'valid' : 0;
          break;
        case 'number':
          padding = axes[0]!.padBegin % (Math.min(...halfSpan) + 1);
          break;
        case 'per-axis':
          padding = pairs.map(([b]) => b);
          break;
        case 'pairs':
          padding = pairs.map(([b, e]) => [b, e] as [number, number]);
          break;
        default:
          padding = draw.paddingForm;
      }
      const totalPad = (a: number): number => {
        if (typeof padding === 'number') return 2 * padding;
        if (Array.isArray(padding)) {
          const p = padding[a]!;
          return typeof p === 'number' ? 2 * p : p[0] + p[1];
        }
        return 0;
      };
      const spatial = kernel.map((k, a) => {
        const span = dilation[a]! * (k - 1) + 1;
        return Math.max(1, span - totalPad(a)) + (axes[a]!.extra % (maxExtraByRank[draw.rank - 1]! + 1));
      });
      return {
        ...draw.tensor,
        spatial,
        spec: { kernel, stride, dilation, padding, ceilMode: draw.ceilMode },
        kernelSpelling: draw.kernelSpelling,
        strideSpelling: draw.strideSpelling,
        dilationSpelling: draw.dilationSpelling,
        paddingForm: draw.paddingForm,
        countIncludePad: draw.countIncludePad,
        divisorOverride: draw.divisorOverride,
        p: draw.p,
      };
    });
}

/** The case in the library's own option names and spellings. */
export function windowOptions(c: WindowCase): AvgPoolOptions & LpPoolOptions {
  const { spec } = c;
  const asGiven = (values: readonly number[], spelling: Spelling) =>
    spelling === 'number' ? values[0]! : spelling === 'array' ? [...values] : undefined;
  const kernel = asGiven(spec.kernel, c.kernelSpelling)!;
  const stride = asGiven(spec.stride, c.strideSpelling);
  const dilation = asGiven(spec.dilation, c.dilationSpelling);
  const rankFromArrays = [kernel, stride, dilation, spec.padding].some(Array.isArray);
  return {
    ...commonOptions(c, rankFromArrays),
    kernel,
    ...(stride === undefined ? {} : { stride }),
    ...(dilation === undefined ? {} : { dilation }),
    ...(c.paddingForm === 'omitted' ? {} : { padding: spec.padding }),
    ...(spec.ceilMode ? { ceilMode: true } : {}),
  };
}

export function avgOptions(c: WindowCase): AvgPoolOptions {
  return {
    ...windowOptions(c),
    ...(c.countIncludePad === undefined ? {} : { countIncludePad: c.countIncludePad }),
    ...(c.divisorOverride === undefined ? {} : { divisorOverride: c.divisorOverride }),
  };
}

export function lpOptions(c: WindowCase): LpPoolOptions {
  return { ...windowOptions(c), ...(c.p === undefined ? {} : { p: c.p }) };
}

/**
 * Runs `call` on every registered backend that can run it, plus once with the automatic choice.
 * A backend that cannot run a plan says so with UNSUPPORTED_OPTION; it is left out, not failed.
 */
export function onEveryBackend<T>(call: (backend: string | undefined) => T): { backend: string; result: T }[] {
  const runs: { backend: string; result: T }[] = [{ backend: 'auto', result: call(undefined) }];
  for (const backend of backendNames()) {
    try {
      runs.push({ backend, result: call(backend) });
    } catch (error) {
      if (!(error instanceof PoolingError && error.code === 'UNSUPPORTED_OPTION')) throw error;
    }
  }
  return runs;
}

/** Property seed: fixed so CI is reproducible; PROPERTY_SEED explores other cases locally. */
export function propertySeed(fixed: number): number {
  const chosen = process.env['PROPERTY_SEED'];
  return chosen === undefined ? fixed : Number(chosen);
}

export function describeCase(c: TensorCase, options: object): string {
  return `${JSON.stringify(options)} on ${JSON.stringify(shapeOf(c))} ${c.dtype} ${c.values} (seed ${c.seed})`;
}
