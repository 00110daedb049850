/**
 * Every public door of the library on each case, beside the library's own op on the same input in
 * the same layout with the same geometry: `runOnnxNode` and `torch.*` (channels-first), `keras.*`
 * and `tfjs.*` (channels-last, compared with the own op given `layout: 'channels-last'` on the same
 * channels-last array; the layout conversion is made once, untimed). A door should cost what its op
 * costs: issue 16 asks for every door within 10%.
 */
import {
  avgPool,
  globalAvgPool,
  keras,
  maxPool,
  runOnnxNode,
  tensor,
  tfjs,
  torch,
  type Layout,
  type OnnxTensor,
  type PaddingOption,
  type Tensor,
} from 'tensor-pooling';
import type { BenchCase } from './cases.js';

export type DoorName = 'runOnnxNode' | 'torch' | 'keras' | 'tfjs';
export const DOOR_NAMES: readonly DoorName[] = ['runOnnxNode', 'torch', 'keras', 'tfjs'];

type Input = Tensor<Float32Array>;

/** A call and how to make it; `call` is what a user writes, for the report. */
export interface Call {
  readonly call: string;
  readonly run: (x: Input) => unknown;
}

export interface Door extends Call {
  readonly name: DoorName;
  readonly layout: Layout;
  /** The library's own op on the same input, layout and geometry. */
  readonly own: Call;
}

/** A dialect with no op for the case. */
export interface MissingDoor {
  readonly name: DoorName;
  readonly missing: string;
}

/** `{ a: 1, b: [2, 2] }` as a reader writes it in code. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }` : '{}';
  }
  return String(value);
}

function call(name: string, options: object | undefined, run: (x: Input) => unknown, extra = ''): Call {
  return { call: `${name}(x${options === undefined ? '' : `, ${literal(options)}`}${extra})`, run };
}

/** The own op: globalAvgPool, avgPool or maxPool, in `layout`, with the case's window and `padding`. */
function own(c: BenchCase, layout: Layout, padding: PaddingOption = c.padding ?? 0): Call {
  const layoutOption = layout === 'channels-last' ? { layout } : {};
  if (c.op === 'global-avg') {
    const options = layout === 'channels-last' ? layoutOption : undefined;
    return call('globalAvgPool', options, (x) => globalAvgPool(x, options));
  }
  const options = { kernel: [...c.kernel!], stride: [...c.stride!], ...(padding ? { padding } : {}), ...layoutOption };
  return c.op === 'avg' ? call('avgPool', options, (x) => avgPool(x, options)) : call('maxPool', options, (x) => maxPool(x, options));
}

/**
 * `runOnnxNode` with issue 16's 4th argument, which this build may not have yet (see below). Spelled
 * out rather than spread from `Parameters<typeof runOnnxNode>`, which would count a 4th parameter
 * twice once the argument lands.
 */
type RunOnnxNode = typeof runOnnxNode;
type RunOnnxNodeWithOutputs = (
  opType: Parameters<RunOnnxNode>[0],
  attributes: Parameters<RunOnnxNode>[1],
  inputs: Parameters<RunOnnxNode>[2],
  options: { outputs: readonly string[] },
) => OnnxTensor[];
const runOnnxNodeWithOutputs = runOnnxNode as unknown as RunOnnxNodeWithOutputs;

let outputsArgument: boolean | undefined;

/**
 * Whether this build's `runOnnxNode` takes a 4th argument naming the outputs to produce (issue 16),
 * told by what it does: asked for Y alone, a MaxPool node returns one output, where a build without
 * the argument ignores it and returns Y and Indices.
 */
export function runOnnxNodeTakesOutputs(): boolean {
  if (outputsArgument === undefined) {
    const x = tensor([1, 1, 2, 2], new Float32Array(4));
    try {
      const outputs = runOnnxNodeWithOutputs('MaxPool', { kernel_shape: [2, 2] }, [x], { outputs: ['Y'] });
      outputsArgument = outputs.filter((o) => o !== undefined).length === 1;
    } catch {
      outputsArgument = false;
    }
  }
  return outputsArgument;
}

function onnxDoor(c: BenchCase): Door {
  const door = (opType: Parameters<typeof runOnnxNode>[0], attributes: Record<string, number | number[]>, yOnly = false): Door => {
    const only = { outputs: ['Y'] };
    const run = yOnly ? (x: Input) => runOnnxNodeWithOutputs(opType, attributes, [x], only) : (x: Input) => runOnnxNode(opType, attributes, [x]);
    const shown = `runOnnxNode('${opType}', ${literal(attributes)}, [x]${yOnly ? `, ${literal(only)}` : ''})`;
    return { name: 'runOnnxNode', layout: 'channels-first', call: shown, run, own: own(c, 'channels-first') };
  };
  if (c.op === 'global-avg') return door('GlobalAveragePool', {});
  const rank = c.kernel!.length;
  const attributes = { kernel_shape: [...c.kernel!], strides: [...c.stride!], ...(c.padding ? { pads: new Array<number>(2 * rank).fill(c.padding) } : {}) };
  if (c.op === 'avg') return door('AveragePool', attributes);
  const yOnly = runOnnxNodeTakesOutputs();
  const d = door('MaxPool', attributes, yOnly);
  return yOnly ? d : { ...d, call: `${d.call} (Y and Indices: this build has no outputs argument)` };
}

function torchDoor(c: BenchCase): Door {
  const door = (name: string, options: object | number, run: (x: Input) => unknown): Door => ({
    name: 'torch',
    layout: 'channels-first',
    call: `torch.${name}(x, ${literal(options)})`,
    run,
    own: own(c, 'channels-first'),
  });
  if (c.op === 'global-avg') return door('adaptiveAvgPool2d', 1, (x) => torch.adaptiveAvgPool2d(x, 1));
  // PyTorch counts padding in the divisor by default; the cases never do.
  const args = { kernel_size: [...c.kernel!], stride: [...c.stride!], ...(c.padding ? { padding: c.padding } : {}) };
  if (c.op === 'max') return door('maxPool2d', args, (x) => torch.maxPool2d(x, args));
  const avgArgs = c.padding ? { ...args, count_include_pad: false } : args;
  return c.kernel!.length === 3
    ? door('avgPool3d', avgArgs, (x) => torch.avgPool3d(x, avgArgs))
    : door('avgPool2d', avgArgs, (x) => torch.avgPool2d(x, avgArgs));
}

/**
 * Keras pads 'valid' or 'same' only: a padded case runs as 'same', and the own op is given
 * `padding: 'same'` too (for a stride-1 window of 3 that is the case's padding of 1 on each side;
 * for case I's stride 2 it pads 0 before and 1 after).
 */
function kerasDoor(c: BenchCase): Door {
  const door = (name: string, options: object, run: (x: Input) => unknown, padding?: PaddingOption): Door => ({
    name: 'keras',
    layout: 'channels-last',
    call: `keras.${name}(x${Object.keys(options).length ? `, ${literal(options)}` : ''})`,
    run,
    own: own(c, 'channels-last', padding),
  });
  if (c.op === 'global-avg') return door('globalAveragePooling2d', {}, (x) => keras.globalAveragePooling2d(x));
  const args = { pool_size: [...c.kernel!], strides: [...c.stride!], ...(c.padding ? { padding: 'same' } : {}) };
  const padding = c.padding ? 'same' : 0;
  const three = c.kernel!.length === 3;
  if (c.op === 'max') return door('maxPooling2d', args, (x) => keras.maxPooling2d(x, args), padding);
  return three
    ? door('averagePooling3d', args, (x) => keras.averagePooling3d(x, args), padding)
    : door('averagePooling2d', args, (x) => keras.averagePooling2d(x, args), padding);
}

function tfjsDoor(c: BenchCase): Door | MissingDoor {
  if (c.op === 'global-avg') return { name: 'tfjs', missing: 'TF.js has no pooling op for a global average (its users call tf.mean)' };
  const pad = c.padding ?? 'valid';
  const rounding = c.padding ? 'floor' : undefined;
  const shownArgs = [c.kernel, c.stride, pad, rounding].filter((a) => a !== undefined).map(literal).join(', ');
  const door = (name: string, run: (x: Input) => unknown): Door => ({
    name: 'tfjs',
    layout: 'channels-last',
    call: `tfjs.${name}(x, ${shownArgs})`,
    run,
    own: own(c, 'channels-last'),
  });
  if (c.kernel!.length === 3) {
    const k = c.kernel as [number, number, number];
    const s = c.stride as [number, number, number];
    return c.op === 'avg' ? door('avgPool3d', (x) => tfjs.avgPool3d(x, k, s, pad, rounding)) : door('maxPool3d', (x) => tfjs.maxPool3d(x, k, s, pad, rounding));
  }
  const k = c.kernel as [number, number];
  const s = c.stride as [number, number];
  return c.op === 'avg' ? door('avgPool', (x) => tfjs.avgPool(x, k, s, pad, rounding)) : door('maxPool', (x) => tfjs.maxPool(x, k, s, pad, rounding));
}

export function doorsOf(c: BenchCase): (Door | MissingDoor)[] {
  return [onnxDoor(c), torchDoor(c), kerasDoor(c), tfjsDoor(c)];
}
