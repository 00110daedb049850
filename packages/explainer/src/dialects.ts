/**
 * The page's controls, renamed into each ecosystem's own call through the library's dialects
 * (torch, onnx, keras, tfjs) or its native ops. Nothing here computes a pooled value or a window:
 * the result comes from the call, the plan from observeRuns around it.
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
  observeRuns,
  onnx,
  runOnnxNode,
  tensor,
  tfjs,
  torch,
  type PoolPlan,
  type Tensor,
} from 'tensor-pooling';

export type OpKind = 'avg' | 'max' | 'lp' | 'global-avg' | 'global-max' | 'adaptive-avg' | 'adaptive-max';
export type DialectName = 'native' | 'torch' | 'onnx' | 'keras' | 'tfjs';
/** A control's value as typed: a number, one per axis, or a word ('valid', 'same', ...). */
export type Param = number | number[] | string;

export const DIALECTS: readonly { name: DialectName; label: string }[] = [
  { name: 'native', label: 'tensor-pooling (native)' },
  { name: 'torch', label: 'PyTorch' },
  { name: 'onnx', label: 'ONNX' },
  { name: 'keras', label: 'Keras' },
  { name: 'tfjs', label: 'TF.js' },
];

export const OPS: readonly { kind: OpKind; label: string }[] = [
  { kind: 'avg', label: 'Average' },
  { kind: 'max', label: 'Max' },
  { kind: 'lp', label: 'LP (power p)' },
  { kind: 'global-avg', label: 'Global average' },
  { kind: 'global-max', label: 'Global max' },
  { kind: 'adaptive-avg', label: 'Adaptive average' },
  { kind: 'adaptive-max', label: 'Adaptive max' },
];

export interface Settings {
  readonly op: OpKind;
  readonly kernel: Param;
  /** undefined: the ecosystem's default (the kernel, except ONNX: 1). */
  readonly stride: Param | undefined;
  readonly padding: Param;
  readonly dilation: Param | undefined;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;
  readonly p: number;
  readonly outputSize: Param;
}

export type Control = 'kernel' | 'stride' | 'padding' | 'dilation' | 'ceilMode' | 'countIncludePad' | 'divisorOverride' | 'p' | 'outputSize';

/** Each ecosystem's default for count_include_pad: only PyTorch counts padding unless told not to. */
export function countIncludePadDefault(dialect: DialectName): boolean {
  return dialect === 'torch';
}

const WINDOW_CONTROLS: readonly Control[] = ['kernel', 'stride', 'padding', 'dilation', 'ceilMode'];

/** Controls that mean something for this op in this ecosystem; the others are disabled, with the reason. */
export function controlsOf(dialect: DialectName, op: OpKind): Map<Control, string | null> {
  const all: Control[] = ['kernel', 'stride', 'padding', 'dilation', 'ceilMode', 'countIncludePad', 'divisorOverride', 'p', 'outputSize'];
  const used = new Set<Control>(
    op === 'avg'
      ? [...WINDOW_CONTROLS, 'countIncludePad', 'divisorOverride']
      : op === 'max'
        ? WINDOW_CONTROLS
        : op === 'lp'
          ? [...WINDOW_CONTROLS, 'p']
          : op.startsWith('adaptive')
            ? ['outputSize']
            : [],
  );
  const lacks = new Map<Control, string>();
  if (dialect === 'torch') {
    if (op === 'avg') lacks.set('dilation', 'avg_pool2d has no dilation');
    if (op === 'lp') {
      lacks.set('padding', 'lp_pool2d has no padding');
      lacks.set('dilation', 'lp_pool2d has no dilation');
    }
  }
  if (dialect === 'onnx') lacks.set('divisorOverride', 'ONNX AveragePool has no divisor override');
  if (dialect === 'keras') {
    lacks.set('ceilMode', 'Keras has no ceil mode');
    lacks.set('countIncludePad', 'Keras never counts padding');
    lacks.set('divisorOverride', 'Keras has no divisor override');
    lacks.set('dilation', 'Keras pooling layers have no dilation');
  }
  if (dialect === 'tfjs') {
    lacks.set('countIncludePad', 'TF.js never counts padding');
    lacks.set('divisorOverride', 'TF.js has no divisor override');
  }
  const result = new Map<Control, string | null>();
  for (const control of all) {
    if (!used.has(control)) result.set(control, 'not used by this op');
    else result.set(control, lacks.get(control) ?? null);
  }
  return result;
}

/** What this ecosystem cannot do at all for the op, or null. */
export function opUnsupported(dialect: DialectName, op: OpKind): string | null {
  if (dialect === 'onnx' && op.startsWith('adaptive')) return 'ONNX has no adaptive pooling operator';
  if (dialect === 'keras' && op === 'lp') return 'Keras has no LP pooling layer';
  if (dialect === 'keras' && op.startsWith('adaptive')) return 'Keras has no adaptive pooling layer';
  if (dialect === 'tfjs' && (op === 'lp' || op.startsWith('global') || op.startsWith('adaptive'))) {
    return 'TF.js core has no LP, global or adaptive pooling op (tf.avgPool, tf.maxPool and tf.pool only)';
  }
  return null;
}

/** The input: one channel of height x width numbers. */
export interface Grid {
  readonly height: number;
  readonly width: number;
  readonly values: Float64Array;
}

export interface DialectRun {
  /** The call as made, in the library's own dialect API. */
  readonly call: string;
  readonly output: Grid;
  /** The plan the ecosystem's rules produced; undefined when the call returned without running one. */
  readonly plan: PoolPlan | undefined;
  readonly backend: string | undefined;
  readonly milliseconds: number;
  readonly note: string | undefined;
}

/** A setting this ecosystem cannot express (not a library error: the ecosystem has no such thing). */
export class NotExpressible extends Error {}

function pair(value: Param): Param {
  return typeof value === 'number' ? [value, value] : value;
}

function isWord(value: Param | undefined): value is string {
  return typeof value === 'string';
}

/** A compact literal for showing calls: { kernel_size: 2, stride: [2, 1] }. */
export function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }`;
  }
  return String(value);
}

function toGrid(t: { shape: readonly number[]; data: ArrayLike<number> }, layout: 'channels-first' | 'channels-last'): Grid {
  const spatial = layout === 'channels-first' ? t.shape.slice(2) : t.shape.slice(1, -1);
  const height = spatial.length >= 2 ? spatial[0]! : 1;
  const width = spatial.length >= 2 ? spatial[1]! : (spatial[0] ?? 1);
  return { height, width, values: Float64Array.from(t.data) };
}

interface Call {
  readonly text: string;
  readonly layout: 'channels-first' | 'channels-last';
  readonly run: (x: Tensor<Float64Array>) => { shape: readonly number[]; data: ArrayLike<number> };
}

function nativeCall(s: Settings): Call {
  const window = { kernel: s.kernel, stride: s.stride, padding: s.padding, dilation: s.dilation, ceilMode: s.ceilMode };
  const layout = 'channels-first';
  const call = (name: string, options: object, run: Call['run']): Call => ({ text: `${name}(x, ${literal(options)})`, layout, run });
  const o = <T>(v: object) => v as T;
  switch (s.op) {
    case 'avg': {
      const options = { ...window, countIncludePad: s.countIncludePad, divisorOverride: s.divisorOverride };
      return call('avgPool', options, (x) => avgPool(x, o(options)));
    }
    case 'max':
      return call('maxPool', window, (x) => maxPool(x, o(window)));
    case 'lp': {
      const options = { ...window, p: s.p };
      return call('lpPool', options, (x) => lpPool(x, o(options)));
    }
    case 'global-avg':
      return call('globalAvgPool', { keepDims: true }, (x) => globalAvgPool(x, { keepDims: true }));
    case 'global-max':
      return call('globalMaxPool', { keepDims: true }, (x) => globalMaxPool(x, { keepDims: true }));
    case 'adaptive-avg':
      return call('adaptiveAvgPool', { outputSize: s.outputSize }, (x) => adaptiveAvgPool(x, o({ outputSize: s.outputSize })));
    case 'adaptive-max':
      return call('adaptiveMaxPool', { outputSize: s.outputSize }, (x) => adaptiveMaxPool(x, o({ outputSize: s.outputSize })));
  }
}

function torchCall(s: Settings): Call {
  const layout = 'channels-first';
  const call = (name: string, args: unknown, run: Call['run']): Call => ({ text: `torch.${name}(x, ${literal(args)})`, layout, run });
  const a = <T>(v: unknown) => v as T;
  if (isWord(s.padding) && (s.op === 'avg' || s.op === 'max')) {
    throw new NotExpressible(`PyTorch pooling takes numeric padding only, not '${s.padding}'`);
  }
  const numericPadding = s.padding === 0 ? undefined : s.padding;
  switch (s.op) {
    case 'avg': {
      const args = {
        kernel_size: s.kernel,
        stride: s.stride,
        padding: numericPadding,
        ceil_mode: s.ceilMode,
        count_include_pad: s.countIncludePad,
        divisor_override: s.divisorOverride,
      };
      return call('avgPool2d', args, (x) => torch.avgPool2d(x, a(args)));
    }
    case 'max': {
      const args = { kernel_size: s.kernel, stride: s.stride, padding: numericPadding, dilation: s.dilation, ceil_mode: s.ceilMode };
      return call('maxPool2d', args, (x) => torch.maxPool2d(x, a<torch.MaxPoolArgs>(args)));
    }
    case 'lp': {
      if (s.padding !== 0) throw new NotExpressible('lp_pool2d has no padding');
      const args = { norm_type: s.p, kernel_size: s.kernel, stride: s.stride, ceil_mode: s.ceilMode };
      return call('lpPool2d', args, (x) => torch.lpPool2d(x, a(args)));
    }
    case 'global-avg':
      return { text: 'torch.adaptiveAvgPool2d(x, 1)', layout, run: (x) => torch.adaptiveAvgPool2d(x, 1) };
    case 'global-max':
      return { text: 'torch.adaptiveMaxPool2d(x, 1)', layout, run: (x) => torch.adaptiveMaxPool2d(x, 1) };
    case 'adaptive-avg':
      return { text: `torch.adaptiveAvgPool2d(x, ${literal(s.outputSize)})`, layout, run: (x) => torch.adaptiveAvgPool2d(x, a(s.outputSize)) };
    case 'adaptive-max':
      return { text: `torch.adaptiveMaxPool2d(x, ${literal(s.outputSize)})`, layout, run: (x) => torch.adaptiveMaxPool2d(x, a(s.outputSize)) };
  }
}

function onnxPadding(padding: Param): { auto_pad?: string; pads?: unknown } {
  if (padding === 'valid') return { auto_pad: 'VALID' };
  if (padding === 'same') return { auto_pad: 'SAME_UPPER' };
  if (padding === 'same-lower') return { auto_pad: 'SAME_LOWER' };
  if (padding === 0) return {};
  const [h, w] = (pair(padding) as unknown[]) ?? [];
  // ONNX orders pads as [x1_begin, x2_begin, x1_end, x2_end].
  return Array.isArray(padding) || typeof padding === 'number' ? { pads: [h, w, h, w] } : { pads: padding };
}

function onnxCall(s: Settings): Call {
  const layout = 'channels-first';
  const node = (opType: onnx.OnnxOpType, attrs: Record<string, unknown>): Call => ({
    text: `runOnnxNode('${opType}', ${literal(attrs)}, [x])`,
    layout,
    run: (x) => runOnnxNode(opType, attrs as onnx.OnnxAttributes, [x])[0]! as { shape: readonly number[]; data: ArrayLike<number> },
  });
  const window = {
    kernel_shape: pair(s.kernel),
    strides: s.stride === undefined ? undefined : pair(s.stride),
    dilations: s.dilation === undefined ? undefined : pair(s.dilation),
    ...onnxPadding(s.padding),
    ceil_mode: s.ceilMode ? 1 : undefined,
  };
  switch (s.op) {
    case 'avg':
      return node('AveragePool', { ...window, count_include_pad: s.countIncludePad ? 1 : undefined });
    case 'max':
      return node('MaxPool', window);
    case 'lp':
      return node('LpPool', { ...window, p: s.p });
    case 'global-avg':
      return node('GlobalAveragePool', {});
    case 'global-max':
      return node('GlobalMaxPool', {});
    default:
      throw new NotExpressible(opUnsupported('onnx', s.op)!);
  }
}

function kerasCall(s: Settings): Call {
  const layout = 'channels-last';
  const a = <T>(v: unknown) => v as T;
  if (s.op === 'global-avg' || s.op === 'global-max') {
    const args = { keepdims: true };
    const name = s.op === 'global-avg' ? 'globalAveragePooling2d' : 'globalMaxPooling2d';
    const fn = s.op === 'global-avg' ? keras.globalAveragePooling2d : keras.globalMaxPooling2d;
    return { text: `keras.${name}(x, ${literal(args)})`, layout, run: (x) => fn(x, args) };
  }
  if (s.op !== 'avg' && s.op !== 'max') throw new NotExpressible(opUnsupported('keras', s.op)!);
  if (typeof s.padding !== 'string' && s.padding !== 0) {
    throw new NotExpressible(`Keras pads only 'valid' or 'same', not ${literal(s.padding)}`);
  }
  if (s.ceilMode) throw new NotExpressible('Keras has no ceil mode');
  const args = { pool_size: s.kernel, strides: s.stride, padding: s.padding === 0 ? 'valid' : s.padding };
  const name = s.op === 'avg' ? 'averagePooling2d' : 'maxPooling2d';
  const fn = s.op === 'avg' ? keras.averagePooling2d : keras.maxPooling2d;
  return { text: `keras.${name}(x, ${literal(args)})`, layout, run: (x) => fn(x, a(args)) };
}

function tfjsPad(padding: Param): tfjs.TfjsPad {
  if (typeof padding === 'number' || typeof padding === 'string') return padding as tfjs.TfjsPad;
  const [h, w] = padding as number[];
  return [[0, 0], [h!, h!], [w!, w!], [0, 0]];
}

function tfjsCall(s: Settings): Call {
  const layout = 'channels-last';
  if (s.op !== 'avg' && s.op !== 'max') throw new NotExpressible(opUnsupported('tfjs', s.op)!);
  const filter = pair(s.kernel) as [number, number];
  // TF.js has no default stride: the page passes the kernel, as PyTorch and Keras would.
  const strides = (s.stride === undefined ? filter : pair(s.stride)) as [number, number];
  const pad = tfjsPad(s.padding);
  const mode: tfjs.DimRoundingMode | undefined = s.ceilMode ? 'ceil' : undefined;
  const dilations = s.dilation === undefined ? undefined : (pair(s.dilation) as [number, number]);
  const text = (name: string, args: unknown[]) =>
    `tfjs.${name}(x, ${args.map(literal).join(', ')})`.replace(/(, undefined)+\)$/, ')');
  if (dilations !== undefined && dilations.some((d) => d !== 1)) {
    const args = [filter, s.op, pad, dilations, strides, mode];
    return { text: text('pool', args), layout, run: (x) => tfjs.pool(x, filter, s.op as tfjs.PoolingType, pad, dilations, strides, mode) };
  }
  const name = s.op === 'avg' ? 'avgPool' : 'maxPool';
  const fn = s.op === 'avg' ? tfjs.avgPool : tfjs.maxPool;
  return { text: text(name, [filter, strides, pad, mode]), layout, run: (x) => fn(x, filter, strides, pad, mode) };
}

const CALLS: Record<DialectName, (s: Settings) => Call> = {
  native: nativeCall,
  torch: torchCall,
  onnx: onnxCall,
  keras: kerasCall,
  tfjs: tfjsCall,
};

/**
 * Runs the settings through one ecosystem's entry point on a one-channel map. Throws
 * NotExpressible when the ecosystem has no such option, and the library's PoolingError when the
 * numbers break that ecosystem's rules.
 */
export function runDialect(dialect: DialectName, settings: Settings, input: Grid): DialectRun {
  const unsupported = opUnsupported(dialect, settings.op);
  if (unsupported) throw new NotExpressible(unsupported);
  const call = CALLS[dialect](settings);
  // One channel: (1, 1, H, W) and (1, H, W, 1) hold the same numbers in the same order.
  const shape = call.layout === 'channels-first' ? [1, 1, input.height, input.width] : [1, input.height, input.width, 1];
  const x = tensor(shape, Float64Array.from(input.values));
  const { result, runs } = observeRuns(() => call.run(x));
  const last = runs[runs.length - 1];
  return {
    call: call.text,
    output: toGrid(result, call.layout),
    plan: last?.plan,
    backend: last?.backend,
    milliseconds: runs.reduce((t, r) => t + r.milliseconds, 0),
    note: last ? undefined : 'the call returned without running a plan (TF.js gives a 1x1 filter that keeps the shape back unchanged)',
  };
}
