/**
 * From the CLI's flags to one library call: the native ops (the library's own option names) or a
 * dialect entry point (torch, onnx, keras, tfjs) with that ecosystem's argument names, defaults and
 * rules. This file only renames; every rule (defaults, rounding, divisors, what is allowed) is the
 * library's. A flag a dialect has no argument for is refused here, naming what the ecosystem lacks.
 */
import {
  adaptiveAvgPool,
  adaptiveMaxPool,
  avgPool,
  globalAvgPool,
  globalMaxPool,
  keras,
  lpPool,
  maxPool,
  planAvgPool,
  planLpPool,
  planMaxPool,
  runOnnxNode,
  tfjs,
  torch,
  type OnnxAttributes,
  type PaddingOption,
  type PoolingError,
  type PoolPlan,
  type Tensor,
} from 'tensor-pooling';
import { CliError } from './errors.js';
import type { DialectName, OpName, PaddingFlag, PoolRequest } from './request.js';

export interface DialectAdapter {
  readonly name: DialectName;
  /** Where this dialect wants the channel axis of an image: last (N)HWC or first (N)CHW. */
  readonly channelsLast: boolean;
  /** Whether the dialect's functions need a batch axis. */
  readonly needsBatch: boolean;
  /** Runs the request on `x`, laid out as the dialect expects, with `spatialRank` spatial axes. */
  run(x: Tensor, spatialRank: number, request: PoolRequest): Tensor;
}

function refuse(dialect: string, flag: string, why: string): never {
  throw new CliError(`${flag} has no counterpart in the ${dialect} dialect: ${why}`);
}

function single(values: readonly number[]): number | readonly number[] {
  return values.length === 1 ? values[0]! : values;
}

/** --output-size: one size means every axis, as --kernel does. */
function outputSizes(values: readonly (number | null)[] | undefined): number | readonly (number | null)[] {
  const sizes = values ?? [];
  return sizes.length === 1 && sizes[0] !== null ? sizes[0]! : sizes;
}

function everyAxis(values: readonly number[], rank: number): number[] {
  return values.length === 1 ? new Array<number>(rank).fill(values[0]!) : [...values];
}

function symmetricPads(dialect: string, padding: PaddingFlag): readonly number[] {
  if (padding.kind === 'symmetric') return padding.values;
  if (padding.kind === 'valid') return [0];
  if (padding.kind === 'pairs') {
    if (padding.pairs.every(([begin, end]) => begin === end)) return padding.pairs.map(([begin]) => begin);
    refuse(dialect, '--padding begin:end', 'padding is symmetric (one number per axis)');
  }
  return refuse(dialect, `--padding ${padding.kind}`, 'padding is a number per axis; there is no same padding');
}

// ---------------------------------------------------------------- native: the library's own names

function nativePadding(padding: PaddingFlag | undefined): PaddingOption | undefined {
  if (padding === undefined) return undefined;
  if (padding.kind === 'symmetric') return single(padding.values);
  if (padding.kind === 'pairs') return padding.pairs;
  return padding.kind;
}

function nativeCommon(spatialRank: number, r: PoolRequest) {
  return { layout: r.layout ?? 'channels-first', spatialDims: spatialRank, backend: r.backend, threads: r.threads } as const;
}

/** The native sliding-window ops, each as a planner and as a call taking the same options. */
const NATIVE_WINDOW_OPS = {
  avg: { plan: planAvgPool, run: avgPool },
  max: { plan: planMaxPool, run: maxPool },
  lp: { plan: planLpPool, run: lpPool },
} as const;

type WindowOpName = keyof typeof NATIVE_WINDOW_OPS;

function isWindowOp(op: OpName): op is WindowOpName {
  return op in NATIVE_WINDOW_OPS;
}

/** A window op's options: avg takes the divisor options, lp takes p; the library refuses others by name. */
function windowOptions(op: WindowOpName, spatialRank: number, r: PoolRequest) {
  const window = {
    ...nativeCommon(spatialRank, r),
    kernel: single(r.kernel ?? []),
    stride: r.stride && single(r.stride),
    dilation: r.dilation && single(r.dilation),
    padding: nativePadding(r.padding),
    ceilMode: r.ceil,
  };
  if (op === 'avg') return { ...window, countIncludePad: r.countIncludePad, divisorOverride: r.divisor };
  return op === 'lp' ? { ...window, p: r.p } : window;
}

/**
 * The plan of a native sliding-window op (avg, max, lp) without running it, for shells that run it
 * in bands (planRowBands); undefined for the other ops.
 */
export function nativeWindowPlan(shape: readonly number[], spatialRank: number, r: PoolRequest): PoolPlan | undefined {
  return isWindowOp(r.op) ? NATIVE_WINDOW_OPS[r.op].plan(shape, windowOptions(r.op, spatialRank, r)) : undefined;
}

const native: DialectAdapter = {
  name: 'native',
  channelsLast: true,
  needsBatch: false,
  run(x, spatialRank, r) {
    if (isWindowOp(r.op)) return NATIVE_WINDOW_OPS[r.op].run(x, windowOptions(r.op, spatialRank, r));
    const common = nativeCommon(spatialRank, r);
    switch (r.op) {
      case 'global-avg':
        return globalAvgPool(x, common);
      case 'global-max':
        return globalMaxPool(x, common);
      case 'adaptive-avg':
        return adaptiveAvgPool(x, { ...common, outputSize: outputSizes(r.outputSize) });
      case 'adaptive-max':
        return adaptiveMaxPool(x, { ...common, outputSize: outputSizes(r.outputSize) });
    }
  },
};

// ---------------------------------------------------------------- torch: torch.nn.functional

type Rank = 1 | 2 | 3;

function torchRank(rank: number): Rank {
  if (rank < 1 || rank > 3) throw new CliError(`the torch dialect pools 1, 2 or 3 spatial axes; got ${rank}`);
  return rank as Rank;
}

const TORCH = {
  avg: [torch.avgPool1d, torch.avgPool2d, torch.avgPool3d],
  max: [torch.maxPool1d, torch.maxPool2d, torch.maxPool3d],
  lp: [torch.lpPool1d, torch.lpPool2d, torch.lpPool3d],
  adaptiveAvg: [torch.adaptiveAvgPool1d, torch.adaptiveAvgPool2d, torch.adaptiveAvgPool3d],
  adaptiveMax: [torch.adaptiveMaxPool1d, torch.adaptiveMaxPool2d, torch.adaptiveMaxPool3d],
} as const;

const torchDialect: DialectAdapter = {
  name: 'torch',
  channelsLast: false,
  needsBatch: false,
  run(x, spatialRank, r) {
    const rank = torchRank(spatialRank);
    const at = rank - 1;
    const kernel_size = single(r.kernel ?? []);
    const stride = r.stride && single(r.stride);
    const padding = r.padding && single(symmetricPads('torch', r.padding));
    switch (r.op) {
      case 'avg':
        if (r.dilation) refuse('torch', '--dilation', 'avg_pool has no dilation');
        return TORCH.avg[at]!(x, {
          kernel_size,
          stride,
          padding,
          ceil_mode: r.ceil,
          count_include_pad: r.countIncludePad,
          ...(r.divisor === undefined ? {} : rank === 1 ? refuse('torch', '--divisor', 'avg_pool1d has no divisor_override') : { divisor_override: r.divisor }),
        });
      case 'max':
        return TORCH.max[at]!(x, { kernel_size, stride, padding, dilation: r.dilation && single(r.dilation), ceil_mode: r.ceil });
      case 'lp':
        if (r.padding) refuse('torch', '--padding', 'lp_pool has no padding');
        if (r.dilation) refuse('torch', '--dilation', 'lp_pool has no dilation');
        return TORCH.lp[at]!(x, { norm_type: r.p ?? 2, kernel_size, stride, ceil_mode: r.ceil });
      // PyTorch's global pooling is adaptive pooling to size 1.
      case 'global-avg':
        return TORCH.adaptiveAvg[at]!(x, 1);
      case 'global-max':
        return TORCH.adaptiveMax[at]!(x, 1);
      case 'adaptive-avg':
        return TORCH.adaptiveAvg[at]!(x, outputSizes(r.outputSize));
      case 'adaptive-max':
        return TORCH.adaptiveMax[at]!(x, outputSizes(r.outputSize));
    }
  },
};

// ---------------------------------------------------------------- onnx: one operator node

function onnxPadding(padding: PaddingFlag | undefined, rank: number): OnnxAttributes {
  if (padding === undefined) return {};
  switch (padding.kind) {
    case 'valid':
      return { auto_pad: 'VALID' };
    case 'same':
      return { auto_pad: 'SAME_UPPER' };
    case 'same-lower':
      return { auto_pad: 'SAME_LOWER' };
    case 'symmetric': {
      const each = everyAxis(padding.values, rank);
      return { pads: [...each, ...each] };
    }
    case 'pairs':
      return { pads: [...padding.pairs.map(([begin]) => begin), ...padding.pairs.map(([, end]) => end)] };
  }
}

const ONNX_OP: Record<OpName, 'AveragePool' | 'MaxPool' | 'LpPool' | 'GlobalAveragePool' | 'GlobalMaxPool' | undefined> = {
  avg: 'AveragePool',
  max: 'MaxPool',
  lp: 'LpPool',
  'global-avg': 'GlobalAveragePool',
  'global-max': 'GlobalMaxPool',
  'adaptive-avg': undefined,
  'adaptive-max': undefined,
};

const onnxDialect: DialectAdapter = {
  name: 'onnx',
  channelsLast: false,
  needsBatch: true,
  run(x, spatialRank, r) {
    const opType = ONNX_OP[r.op];
    if (opType === undefined) return refuse('onnx', `--op ${r.op}`, 'ONNX has no adaptive pooling operator');
    if (r.divisor !== undefined) refuse('onnx', '--divisor', 'AveragePool has no divisor override');
    let attrs: OnnxAttributes = {};
    if (opType === 'AveragePool' || opType === 'MaxPool' || opType === 'LpPool') {
      attrs = {
        kernel_shape: everyAxis(r.kernel ?? [], spatialRank),
        ...(r.stride && { strides: everyAxis(r.stride, spatialRank) }),
        ...(r.dilation && { dilations: everyAxis(r.dilation, spatialRank) }),
        ...onnxPadding(r.padding, spatialRank),
        ...(r.ceil && { ceil_mode: 1 }),
        ...(r.countIncludePad !== undefined && { count_include_pad: r.countIncludePad ? 1 : 0 }),
        ...(r.p !== undefined && { p: r.p }),
      };
    }
    const [y] = runOnnxNode(opType, attrs, [x]);
    return y as Tensor;
  },
};

// ---------------------------------------------------------------- keras: the pooling layers

const KERAS = {
  avg: [keras.averagePooling1d, keras.averagePooling2d, keras.averagePooling3d],
  max: [keras.maxPooling1d, keras.maxPooling2d, keras.maxPooling3d],
  globalAvg: [keras.globalAveragePooling1d, keras.globalAveragePooling2d, keras.globalAveragePooling3d],
  globalMax: [keras.globalMaxPooling1d, keras.globalMaxPooling2d, keras.globalMaxPooling3d],
} as const;

function kerasPadding(padding: PaddingFlag | undefined): string | undefined {
  if (padding === undefined || padding.kind === 'valid' || padding.kind === 'same') return padding?.kind;
  return refuse('keras', `--padding ${padding.kind === 'same-lower' ? 'same-lower' : 'with numbers'}`, `padding is "valid" or "same"`);
}

const kerasDialect: DialectAdapter = {
  name: 'keras',
  channelsLast: true,
  needsBatch: true,
  run(x, spatialRank, r) {
    const at = torchRank(spatialRank) - 1;
    if (r.ceil) refuse('keras', '--ceil', 'the pooling layers have no ceil mode');
    if (r.dilation) refuse('keras', '--dilation', 'the pooling layers have no dilation');
    if (r.countIncludePad !== undefined) refuse('keras', '--count-include-pad', 'average pooling never counts padding');
    if (r.divisor !== undefined) refuse('keras', '--divisor', 'the pooling layers have no divisor override');
    const data_format = r.layout === 'channels-first' ? 'channels_first' : 'channels_last';
    const window = {
      ...(r.kernel && { pool_size: single(r.kernel) }),
      ...(r.stride && { strides: single(r.stride) }),
      ...(r.padding && { padding: kerasPadding(r.padding) }),
      data_format,
    } as const;
    switch (r.op) {
      case 'avg':
        return KERAS.avg[at]!(x, window);
      case 'max':
        return KERAS.max[at]!(x, window);
      case 'global-avg':
        return KERAS.globalAvg[at]!(x, { data_format });
      case 'global-max':
        return KERAS.globalMax[at]!(x, { data_format });
      default:
        return refuse('keras', `--op ${r.op}`, 'Keras has AveragePooling, MaxPooling and their Global forms only');
    }
  },
};

// ---------------------------------------------------------------- tfjs: tf.avgPool and friends

function tfjsPad(padding: PaddingFlag | undefined, rank: number): tfjs.TfjsPad {
  if (padding === undefined) return 0;
  switch (padding.kind) {
    case 'valid':
    case 'same':
      return padding.kind;
    case 'same-lower':
      return refuse('tfjs', '--padding same-lower', "pad is 'valid', 'same', a number or explicit pairs");
    case 'symmetric':
      if (padding.values.length === 1) return padding.values[0]!;
      return explicitPairs(everyAxis(padding.values, rank).map((p) => [p, p] as const), rank);
    case 'pairs':
      return explicitPairs(padding.pairs, rank);
  }
}

function explicitPairs(pairs: readonly (readonly [number, number])[], rank: number): tfjs.ExplicitPadding {
  if (rank !== 2) refuse('tfjs', '--padding pairs', 'explicit padding exists for the 2-D ops only');
  return [[0, 0], ...pairs, [0, 0]];
}

function pair(values: readonly number[] | undefined, fallback: readonly number[]): [number, number] {
  const each = everyAxis(values ?? fallback, 2);
  return [each[0]!, each[1]!];
}

function triple(values: readonly number[] | undefined, fallback: readonly number[]): [number, number, number] {
  const each = everyAxis(values ?? fallback, 3);
  return [each[0]!, each[1]!, each[2]!];
}

const tfjsDialect: DialectAdapter = {
  name: 'tfjs',
  channelsLast: true,
  needsBatch: false,
  run(x, spatialRank, r) {
    if (r.op !== 'avg' && r.op !== 'max') {
      refuse('tfjs', `--op ${r.op}`, 'TF.js core has avgPool and maxPool (2-D and 3-D) only; use --dialect keras for global pooling');
    }
    if (r.countIncludePad !== undefined) refuse('tfjs', '--count-include-pad', 'average pooling never counts padding');
    if (r.divisor !== undefined) refuse('tfjs', '--divisor', 'there is no divisor override');
    const rounding = r.ceil ? 'ceil' : undefined;
    const kernel = r.kernel ?? [];
    if (spatialRank === 1) return tfjsOneAxis(x, r);
    if (spatialRank === 3) {
      if (r.dilation) refuse('tfjs', '--dilation', 'avgPool3d and maxPool3d have no dilations');
      const pad = tfjsPad(r.padding, 3);
      if (typeof pad === 'object') refuse('tfjs', '--padding per axis', 'the 3-D ops take one pad for every axis');
      const fn = r.op === 'avg' ? tfjs.avgPool3d : tfjs.maxPool3d;
      return fn(x, triple(kernel, kernel), triple(r.stride, kernel), pad, rounding) as Tensor;
    }
    if (spatialRank !== 2) throw new CliError(`the tfjs dialect pools 2 or 3 spatial axes; got ${spatialRank}`);
    const pad = tfjsPad(r.padding, 2);
    if (r.dilation && r.dilation.some((d) => d !== 1)) {
      // tf.pool's strides default to 1 (and must be 1 with dilations), unlike the CLI's default of the kernel.
      return tfjs.pool(x, pair(kernel, kernel), r.op, pad, pair(r.dilation, [1]), r.stride && pair(r.stride, [1]), rounding) as Tensor;
    }
    const fn = r.op === 'avg' ? tfjs.avgPool : tfjs.maxPool;
    return fn(x, pair(kernel, kernel), pair(r.stride, kernel), pad, rounding) as Tensor;
  },
};

/**
 * TF.js has no 1-D pooling; tf.layers' 1-D pooling runs the 2-D op on a (L, 1) map, and so does
 * this: the steps become the H axis of an H x 1 map.
 */
function tfjsOneAxis(x: Tensor, r: PoolRequest): Tensor {
  const shape = [...x.shape.slice(0, -1), 1, x.shape[x.shape.length - 1]!];
  const column = { shape, data: x.data };
  const withOne = (values: readonly number[] | undefined) => values && [values[0]!, 1];
  const padding: PaddingFlag | undefined =
    r.padding?.kind === 'symmetric'
      ? { kind: 'pairs', pairs: [[r.padding.values[0]!, r.padding.values[0]!], [0, 0]] }
      : r.padding?.kind === 'pairs'
        ? { kind: 'pairs', pairs: [r.padding.pairs[0]!, [0, 0]] }
        : r.padding;
  const y = tfjsDialect.run(column, 2, { ...r, kernel: withOne(r.kernel), stride: withOne(r.stride ?? r.kernel), dilation: withOne(r.dilation), padding });
  return { shape: [...y.shape.slice(0, -2), y.shape[y.shape.length - 1]!], data: y.data };
}

/** The library's and every dialect's argument names, by the flag the CLI fills them from. */
const FLAG_OF_ARGUMENT: Readonly<Record<string, string>> = {
  kernel: '--kernel',
  kernel_size: '--kernel',
  kernel_shape: '--kernel',
  pool_size: '--kernel',
  filterSize: '--kernel',
  stride: '--stride',
  strides: '--stride',
  dilation: '--dilation',
  dilations: '--dilation',
  padding: '--padding',
  pads: '--padding',
  pad: '--padding',
  auto_pad: '--padding',
  ceilMode: '--ceil',
  ceil_mode: '--ceil',
  dimRoundingMode: '--ceil',
  countIncludePad: '--count-include-pad',
  count_include_pad: '--count-include-pad',
  divisorOverride: '--divisor',
  divisor_override: '--divisor',
  outputSize: '--output-size',
  output_size: '--output-size',
  p: '--p',
  norm_type: '--p',
  backend: '--backend',
  threads: '--threads',
  layout: '--layout',
  data_format: '--layout',
  spatialDims: '--spatial-dims',
};

/**
 * A library error as the CLI prints it. The library names its argument in its own or the
 * dialect's spelling ("avg_pool2d: kernel_size must be a positive integer; got 0"); the user typed
 * a flag, so the flag and its value come first: "--kernel 0: avg_pool2d: kernel_size must be ...".
 */
export function libraryFailure(error: PoolingError, request: PoolRequest, file?: string): CliError {
  const said = error.message.startsWith(`${error.op}: `) ? error.message.slice(error.op.length + 2) : '';
  const argument = /^\w+/.exec(said)?.[0];
  const flag = argument === undefined ? undefined : FLAG_OF_ARGUMENT[argument];
  const spelled = flag === undefined ? undefined : request.spelled[flag];
  return new CliError(`${file === undefined ? '' : `${file}: `}${spelled === undefined ? '' : `${spelled}: `}${error.message} [${error.code}]`);
}

export const ADAPTERS: Record<DialectName, DialectAdapter> = {
  native,
  torch: torchDialect,
  onnx: onnxDialect,
  keras: kerasDialect,
  tfjs: tfjsDialect,
};

/** How many spatial axes a tensor input has: --spatial-dims, a per-axis flag's length, else rank - 2. */
export function spatialRankOf(shape: readonly number[], request: PoolRequest): number {
  if (request.spatialDims !== undefined) return request.spatialDims;
  const lists = [request.kernel, request.stride, request.dilation, request.outputSize];
  const perAxis = lists.find((list) => list !== undefined && list.length > 1);
  if (perAxis) return perAxis.length;
  if (request.padding?.kind === 'pairs' && request.padding.pairs.length > 1) return request.padding.pairs.length;
  if (request.padding?.kind === 'symmetric' && request.padding.values.length > 1) return request.padding.values.length;
  if (shape.length === 3) {
    // As the library refuses to: (N, C, W) and (C, H, W) look alike.
    throw new CliError(
      `a rank-3 tensor of shape [${shape.join(', ')}] reads as (N, C, W) with 1 spatial axis or (C, H, W) with 2; ` +
        `say which with --spatial-dims 1 or --spatial-dims 2 (or give --kernel one size per axis, e.g. 2x2)`,
    );
  }
  return Math.max(1, shape.length - 2);
}
