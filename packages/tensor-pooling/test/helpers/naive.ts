/**
 * A deliberately slow pooling oracle written straight from the definitions, sharing no code with
 * src/ (not even src/kernels/reference): the input plane is padded explicitly into a bigger grid
 * whose cells say "input position s", "padding" or "beyond the padding" (the ceil-mode overhang),
 * every window is enumerated tap by tap on that grid, and the reducers count what they find.
 * Sums run in float64 in window scan order (outer spatial axes first) and are rounded once into
 * the input's dtype.
 */
import type { FloatArray, Layout, PaddingOption, Tensor } from '../../src/index.js';
import { allocateLike } from './random.js';

/** How a tensor splits into batch, channels and spatial axes. */
export interface Frame {
  readonly batched: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly spatial: readonly number[];
  readonly layout: Layout;
}

export function frameOf(shape: readonly number[], layout: Layout, spatialRank: number): Frame {
  const batched = shape.length === spatialRank + 2;
  if (!batched && shape.length !== spatialRank + 1) throw new Error(`naive: shape ${shape} has no ${spatialRank} spatial axes`);
  const rest = batched ? shape.slice(1) : [...shape];
  const channels = layout === 'channels-first' ? rest[0]! : rest[rest.length - 1]!;
  const spatial = layout === 'channels-first' ? rest.slice(1) : rest.slice(0, -1);
  return { batched, batch: batched ? shape[0]! : 1, channels, spatial, layout };
}

/** The shape of a tensor with this frame's batch and channels and the given spatial sizes. */
export function shapeWith(frame: Frame, spatial: readonly number[]): number[] {
  const rest = frame.layout === 'channels-first' ? [frame.channels, ...spatial] : [...spatial, frame.channels];
  return frame.batched ? [frame.batch, ...rest] : rest;
}

export function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

export function unravel(flat: number, dims: readonly number[]): number[] {
  const index = new Array<number>(dims.length).fill(0);
  for (let a = dims.length - 1; a >= 0; a--) {
    index[a] = flat % dims[a]!;
    flat = Math.floor(flat / dims[a]!);
  }
  return index;
}

export function ravel(index: readonly number[], dims: readonly number[]): number {
  return index.reduce((flat, i, a) => flat * dims[a]! + i, 0);
}

/** Row-major offset of element (n, c, spatial position) in a tensor of the frame's layout. */
export function elementOffset(frame: Frame, spatial: readonly number[], n: number, c: number, position: number): number {
  const where = unravel(position, spatial);
  const index = frame.layout === 'channels-first' ? [c, ...where] : [...where, c];
  const dims = shapeWith(frame, spatial);
  return ravel(frame.batched ? [n, ...index] : index, dims);
}

/** One window: the input positions it covers in scan order, and how many taps fall in input or padding. */
export interface Window {
  readonly inputs: readonly number[];
  readonly inPaddedInput: number;
}

export interface Geometry {
  readonly outSpatial: readonly number[];
  /** Row-major over outSpatial. */
  readonly windows: readonly Window[];
}

export interface SlidingSpec {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padding: PaddingOption;
  readonly ceilMode: boolean;
}

/** [begin, end] padding per axis, from the caller's padding option. */
export function padsOf(spec: SlidingSpec, spatial: readonly number[]): [number, number][] {
  const { padding } = spec;
  return spatial.map((size, a) => {
    if (padding === 'valid') return [0, 0];
    if (padding === 'same' || padding === 'same-lower') {
      const span = spec.dilation[a]! * (spec.kernel[a]! - 1) + 1;
      const out = Math.ceil(size / spec.stride[a]!);
      const total = Math.max(0, (out - 1) * spec.stride[a]! + span - size);
      const more = Math.ceil(total / 2);
      return padding === 'same' ? [total - more, more] : [more, total - more];
    }
    if (typeof padding === 'number') return [padding, padding];
    const p = padding[a]!;
    return typeof p === 'number' ? [p, p] : [p[0], p[1]];
  });
}

/**
 * Window count along one axis by enumeration. Floor mode keeps the windows that fit in the padded
 * input. Ceil mode also keeps one that overhangs the end, provided the window before it had not
 * reached the end and it starts inside the input or the begin padding. 'same' modes give ceil(L/s).
 */
function windowCount(spec: SlidingSpec, a: number, size: number, pad: readonly [number, number]): number {
  const stride = spec.stride[a]!;
  if (spec.padding === 'same' || spec.padding === 'same-lower') return Math.ceil(size / stride);
  const span = spec.dilation[a]! * (spec.kernel[a]! - 1) + 1;
  const padded = pad[0] + size + pad[1];
  let count = 0;
  for (let k = 0; ; k++) {
    const start = k * stride;
    const fits = start + span <= padded;
    const overhangs = spec.ceilMode && k > 0 && start - stride + span < padded && start < pad[0] + size;
    if (!fits && !overhangs) return count;
    count++;
  }
}

const PADDING = -1;
const BEYOND = -2;

export function slidingGeometry(spec: SlidingSpec, spatial: readonly number[]): Geometry {
  const pads = padsOf(spec, spatial);
  const outSpatial = spatial.map((size, a) => windowCount(spec, a, size, pads[a]!));
  // The padded grid: big enough for every tap of every window, including a ceil-mode overhang.
  const grid = spatial.map((size, a) =>
    Math.max(
      pads[a]![0] + size + pads[a]![1],
      (outSpatial[a]! - 1) * spec.stride[a]! + spec.dilation[a]! * (spec.kernel[a]! - 1) + 1,
    ),
  );
  const cells = new Int32Array(product(grid));
  for (let g = 0; g < cells.length; g++) {
    const at = unravel(g, grid);
    const inInput = at.every((i, a) => i >= pads[a]![0] && i < pads[a]![0] + spatial[a]!);
    const inPadded = at.every((i, a) => i < pads[a]![0] + spatial[a]! + pads[a]![1]);
    cells[g] = inInput ? ravel(at.map((i, a) => i - pads[a]![0]), spatial) : inPadded ? PADDING : BEYOND;
  }
  const windows: Window[] = [];
  for (let o = 0; o < product(outSpatial); o++) {
    const out = unravel(o, outSpatial);
    const inputs: number[] = [];
    let inPaddedInput = 0;
    for (let t = 0; t < product(spec.kernel); t++) {
      const tap = unravel(t, spec.kernel);
      const cell = cells[ravel(out.map((i, a) => i * spec.stride[a]! + tap[a]! * spec.dilation[a]!), grid)]!;
      if (cell !== BEYOND) inPaddedInput++;
      if (cell >= 0) inputs.push(cell);
    }
    windows.push({ inputs, inPaddedInput });
  }
  return { outSpatial, windows };
}

/** One window over the whole map. */
export function globalGeometry(spatial: readonly number[]): Geometry {
  const all = Array.from({ length: product(spatial) }, (_, s) => s);
  return { outSpatial: spatial.map(() => 1), windows: [{ inputs: all, inPaddedInput: all.length }] };
}

/**
 * Adaptive bins: position p of an axis of length L is in bin i of O when
 * floor(i*L/O) <= p < ceil((i+1)*L/O), i.e. (p+1)*O > i*L and p*O < (i+1)*L.
 */
export function adaptiveGeometry(spatial: readonly number[], outputSize: readonly (number | null)[]): Geometry {
  const outSpatial = spatial.map((size, a) => outputSize[a] ?? size);
  const windows: Window[] = [];
  for (let o = 0; o < product(outSpatial); o++) {
    const bin = unravel(o, outSpatial);
    const inputs: number[] = [];
    for (let s = 0; s < product(spatial); s++) {
      const p = unravel(s, spatial);
      const inside = p.every(
        (pa, a) => (pa + 1) * outSpatial[a]! > bin[a]! * spatial[a]! && pa * outSpatial[a]! < (bin[a]! + 1) * spatial[a]!,
      );
      if (inside) inputs.push(s);
    }
    windows.push({ inputs, inPaddedInput: inputs.length });
  }
  return { outSpatial, windows };
}

export type Reduction =
  | { readonly op: 'avg'; readonly countIncludePad: boolean; readonly divisorOverride?: number }
  | { readonly op: 'max' }
  | { readonly op: 'lp'; readonly p: number };

interface Pooled {
  readonly y: Tensor;
  /** Per-plane flat spatial index of each maximum (-1 for an empty window); max only. */
  readonly indices: Int32Array;
}

/** First NaN, else the first of the largest values; -1 when there is nothing to choose from. */
function argmax(values: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) return i;
    if (best < 0 || values[i]! > values[best]!) best = i;
  }
  return best;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function divisorOf(reduction: Reduction & { op: 'avg' }, window: Window): number {
  if (reduction.divisorOverride !== undefined) return reduction.divisorOverride;
  return reduction.countIncludePad ? window.inPaddedInput : window.inputs.length;
}

function reduceWindow(reduction: Reduction, values: readonly number[], window: Window): number {
  switch (reduction.op) {
    case 'avg':
      return values.length === 0 ? 0 : sum(values) / divisorOf(reduction, window);
    case 'max': {
      const i = argmax(values);
      return i < 0 ? -Infinity : values[i]!;
    }
    case 'lp':
      return sum(values.map((v) => Math.abs(v) ** reduction.p)) ** (1 / reduction.p);
  }
}

/**
 * Visits every (n, c, window) in output order with the window's input values and the offsets of
 * the input taps and of the output element.
 */
function forEachWindow(
  frame: Frame,
  geometry: Geometry,
  outputSpatial: readonly number[],
  x: FloatArray | undefined,
  visit: (window: Window, values: number[], inputOffsets: number[], outputOffset: number) => void,
): void {
  for (let n = 0; n < frame.batch; n++) {
    for (let c = 0; c < frame.channels; c++) {
      geometry.windows.forEach((window, o) => {
        const inputOffsets = window.inputs.map((s) => elementOffset(frame, frame.spatial, n, c, s));
        const values = x ? inputOffsets.map((i) => x[i]!) : [];
        visit(window, values, inputOffsets, elementOffset(frame, outputSpatial, n, c, o));
      });
    }
  }
}

/** The spatial part of the output shape: dropped by global pooling without keepDims. */
function outputSpatialOf(geometry: Geometry, dropSpatial: boolean): number[] {
  return dropSpatial ? [] : [...geometry.outSpatial];
}

export function naiveForward(x: Tensor, frame: Frame, geometry: Geometry, reduction: Reduction, dropSpatial = false): Pooled {
  const outSpatial = outputSpatialOf(geometry, dropSpatial);
  const shape = shapeWith(frame, outSpatial);
  const dtype = x.data instanceof Float64Array ? 'float64' : 'float32';
  const y = allocateLike(dtype, product(shape));
  const indices = new Int32Array(y.length);
  forEachWindow(frame, geometry, outSpatial, x.data, (window, values, _inputs, at) => {
    y[at] = reduceWindow(reduction, values, window);
    const best = reduction.op === 'max' ? argmax(values) : -1;
    indices[at] = best < 0 ? -1 : window.inputs[best]!;
  });
  return { y: { shape, data: y }, indices };
}

export interface Gradient {
  readonly dx: Tensor;
  /** Sum of the absolute values of the terms added into each dx element: the scale of its rounding error. */
  readonly magnitude: Float64Array;
}

/**
 * Gradient with respect to x by the chain rule on each window, accumulated in float64 in output
 * order and rounded once. `x` is read by max and Lp only.
 */
export function naiveBackward(
  dy: Tensor,
  x: Tensor | undefined,
  inputShape: readonly number[],
  frame: Frame,
  geometry: Geometry,
  reduction: Reduction,
  dropSpatial = false,
): Gradient {
  const dx = new Float64Array(product(inputShape));
  const magnitude = new Float64Array(dx.length);
  const add = (at: number, term: number) => {
    dx[at]! += term;
    magnitude[at]! += Math.abs(term);
  };
  forEachWindow(frame, geometry, outputSpatialOf(geometry, dropSpatial), x?.data, (window, values, inputs, at) => {
    const g = dy.data[at]!;
    if (reduction.op === 'avg') {
      if (inputs.length === 0) return;
      const d = divisorOf(reduction, window);
      for (const i of inputs) add(i, g / d);
    } else if (reduction.op === 'max') {
      const best = argmax(values);
      if (best >= 0) add(inputs[best]!, g);
    } else {
      // y = (sum |v|^p)^(1/p), so dy/dv = sign(v) |v|^(p-1) / y^(p-1).
      const y = reduceWindow(reduction, values, window);
      if (y === 0) return;
      values.forEach((v, k) => add(inputs[k]!, (g * Math.sign(v) * Math.abs(v) ** (reduction.p - 1)) / y ** (reduction.p - 1)));
    }
  });
  const dtype = dy.data instanceof Float64Array ? 'float64' : 'float32';
  const rounded = allocateLike(dtype, dx.length);
  rounded.set(dx);
  return { dx: { shape: [...inputShape], data: rounded }, magnitude };
}

/** Weight of position s of sample n, channel c: a mask shared by channels or one per element. */
export type WeightAt = (n: number, c: number, s: number) => number;

/** sum(w x) / sum(w) over the positions with non-zero weight; 0 when there are none. */
export function naiveMaskedMean(x: Tensor, frame: Frame, weight: WeightAt, keepDims: boolean): Tensor {
  const outSpatial = keepDims ? frame.spatial.map(() => 1) : [];
  const shape = shapeWith(frame, outSpatial);
  const y = allocateLike(x.data instanceof Float64Array ? 'float64' : 'float32', product(shape));
  for (let n = 0; n < frame.batch; n++) {
    for (let c = 0; c < frame.channels; c++) {
      let weighted = 0;
      let total = 0;
      for (let s = 0; s < product(frame.spatial); s++) {
        const w = weight(n, c, s);
        if (w === 0) continue;
        weighted += w * x.data[elementOffset(frame, frame.spatial, n, c, s)]!;
        total += w;
      }
      y[elementOffset(frame, outSpatial, n, c, 0)] = total === 0 ? 0 : weighted / total;
    }
  }
  return { shape, data: y };
}

export function naiveMaskedMeanBackward(dy: Tensor, inputShape: readonly number[], frame: Frame, weight: WeightAt, keepDims: boolean): Tensor {
  const outSpatial = keepDims ? frame.spatial.map(() => 1) : [];
  const dx = allocateLike(dy.data instanceof Float64Array ? 'float64' : 'float32', product(inputShape));
  for (let n = 0; n < frame.batch; n++) {
    for (let c = 0; c < frame.channels; c++) {
      let total = 0;
      for (let s = 0; s < product(frame.spatial); s++) total += weight(n, c, s);
      if (total === 0) continue;
      const g = dy.data[elementOffset(frame, outSpatial, n, c, 0)]!;
      for (let s = 0; s < product(frame.spatial); s++) {
        dx[elementOffset(frame, frame.spatial, n, c, s)] = (g / total) * weight(n, c, s);
      }
    }
  }
  return { shape: [...inputShape], data: dx };
}

/** Each value goes to the position its index names within its plane; later writes win. */
export function naiveMaxUnpool(x: Tensor, indices: Int32Array, frame: Frame, outSpatial: readonly number[]): Tensor {
  const shape = shapeWith(frame, outSpatial);
  const y = allocateLike(x.data instanceof Float64Array ? 'float64' : 'float32', product(shape));
  for (let n = 0; n < frame.batch; n++) {
    for (let c = 0; c < frame.channels; c++) {
      for (let s = 0; s < product(frame.spatial); s++) {
        const from = elementOffset(frame, frame.spatial, n, c, s);
        y[elementOffset(frame, outSpatial, n, c, indices[from]!)] = x.data[from]!;
      }
    }
  }
  return { shape, data: y };
}

/** Each input position takes the gradient of the output position it was sent to. */
export function naiveMaxUnpoolBackward(dy: Tensor, indices: Int32Array, frame: Frame, outSpatial: readonly number[]): Tensor {
  const dx = allocateLike(dy.data instanceof Float64Array ? 'float64' : 'float32', indices.length);
  for (let n = 0; n < frame.batch; n++) {
    for (let c = 0; c < frame.channels; c++) {
      for (let s = 0; s < product(frame.spatial); s++) {
        const at = elementOffset(frame, frame.spatial, n, c, s);
        dx[at] = dy.data[elementOffset(frame, outSpatial, n, c, indices[at]!)]!;
      }
    }
  }
  return { shape: shapeWith(frame, frame.spatial), data: dx };
}

/** The same tensor in the other layout: (N, C, ...spatial) <-> (N, ...spatial, C). */
export function relayout(x: Tensor, frame: Frame, to: Layout): Tensor {
  const target: Frame = { ...frame, layout: to };
  const shape = shapeWith(target, frame.spatial);
  const data = allocateLike(x.data instanceof Float64Array ? 'float64' : 'float32', x.data.length);
  for (let n = 0; n < frame.batch; n++) {
    for (let c = 0; c < frame.channels; c++) {
      for (let s = 0; s < product(frame.spatial); s++) {
        data[elementOffset(target, frame.spatial, n, c, s)] = x.data[elementOffset(frame, frame.spatial, n, c, s)]!;
      }
    }
  }
  return { shape, data };
}
